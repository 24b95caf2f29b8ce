from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app.filters import code_text
from app.formtools import SendaForm, choices
from app.reports.periods import KINDS


class SummaryForm(SendaForm):
    """The summary's choices. A period is one of the fixed releases offered
    (`value`, its stable name); `period`, its kind, is only read from older
    links: "custom" is no longer a kind, so such a link is told it was left out."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    period = SelectField(_l("Kind of period"), choices=choices(zip(KINDS, (_l("Quarter"), _l("Year"), _l("Fiscal year")),
                                                                   strict=True)), validators=[Optional()])
    value = SelectField(_l("Period"), validators=[Optional()])
    level = SelectField(_l("Level"), choices=choices([("country", _l("Country")), ("department", _l("Department")),
                                                      ("municipality", _l("Municipality"))]), validators=[Optional()])
    parent = StringField(_l("Within"), validators=[Optional(), Length(max=16), code_text])
    indicator = SelectField(_l("Indicator for the chart"), validators=[Optional()])
