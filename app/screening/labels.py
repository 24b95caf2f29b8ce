"""Human sentences for the machine reason of a screening's level."""

from flask_babel import gettext as _
from flask_babel import ngettext


def level_reason(screening) -> str:
    kind, _sep, value = screening.reason.partition(":")
    if kind == "tertiary_flag":
        flags = value.split("+")
        if len(flags) == 2:
            return _("Tertiary prevention: the youth is involved in a gang and had contact with the justice system.")
        if flags[0] == "gang_involvement":
            return _("Tertiary prevention: the youth is involved in a gang.")
        return _("Tertiary prevention: the youth had contact with the justice system.")
    count = int(value or 0)
    if kind == "scales_at_threshold":
        return ngettext("Secondary prevention: %(num)d scale meets its threshold (4 or more are needed).",
                        "Secondary prevention: %(num)d scales meet their threshold (4 or more are needed).", count)
    return ngettext("Primary prevention: %(num)d scale meets its threshold (fewer than 4).",
                    "Primary prevention: %(num)d scales meet their threshold (fewer than 4).", count)
