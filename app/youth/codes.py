"""Coded values of a youth case, with translated labels. Stored values are
codes; labels are translated at display."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

# Messages whose Spanish depends on the role they play carry a context:
# "sex" (of one person), "case status", "school status"; report columns that
# count people use "count" (app/reports/definitions.py). See docs/glossary.md.
SEXES = {"F": lazy_pgettext("sex", "Female"), "M": lazy_pgettext("sex", "Male"), "X": lazy_pgettext("sex", "Not recorded")}

SCHOOL_STATUSES = {
    "enrolled": _l("Enrolled in school"),
    "dropped_out": lazy_pgettext("school status", "Dropped out"),
    "never_enrolled": _l("Never enrolled"),
    "finished": _l("Finished school"),
}
WORK_STATUSES = {
    "not_working": _l("Not working"),
    "working": _l("Working"),
    "seeking": _l("Looking for work"),
}
REFERRAL_SOURCES = {
    "school": _l("School"),
    "family": _l("Family"),
    "police": _l("Police"),
    "self": _l("Self-referral"),
    "court": _l("Court"),
    "other": _l("Other"),
}

REFERRED, SCREENED, ENROLLED, ACTIVE = "referred", "screened", "enrolled", "active"
COMPLETED, DROPPED, TRANSFERRED, CLOSED = "completed", "dropped", "transferred", "closed"
STATUSES = {
    REFERRED: lazy_pgettext("case status", "Referred"),
    SCREENED: lazy_pgettext("case status", "Screened"),
    ENROLLED: lazy_pgettext("case status", "Enrolled"),
    ACTIVE: _l("Active"),
    COMPLETED: lazy_pgettext("case status", "Completed"),
    DROPPED: lazy_pgettext("case status", "Dropped out"),
    TRANSFERRED: _l("Transferred"),
    CLOSED: _l("Closed"),
}
OPEN_STATUSES = (REFERRED, SCREENED, ENROLLED, ACTIVE)
EXIT_STATUSES = (COMPLETED, DROPPED, TRANSFERRED, CLOSED)
IN_PROGRAM = (ENROLLED, ACTIVE)

# The moves a user may make by hand. Screening and enrollment make the
# referred -> screened -> enrolled moves themselves; reopening is separate.
MANUAL_MOVES = {
    REFERRED: (CLOSED,),
    SCREENED: (CLOSED,),
    ENROLLED: (ACTIVE, DROPPED, TRANSFERRED, CLOSED),
    ACTIVE: (COMPLETED, DROPPED, TRANSFERRED, CLOSED),
}
ALL_MOVES = {
    REFERRED: (SCREENED, CLOSED),
    SCREENED: (ENROLLED, CLOSED),
    ENROLLED: (ACTIVE, DROPPED, TRANSFERRED, CLOSED),
    ACTIVE: (COMPLETED, DROPPED, TRANSFERRED, CLOSED),
}

EXIT_REASONS = {
    "plan_completed": _l("Case plan completed"),
    "moved_away": _l("Moved away"),
    "lost_contact": _l("Lost contact"),
    "declined": _l("Declined to continue"),
    "other_program": _l("Referred to another program"),
    "aged_out": _l("Aged out of the program"),
    "detained": _l("Detained"),
    "deceased": _l("Deceased"),
    "not_eligible": _l("Not eligible"),
    "other": _l("Other"),
}

CONSENT_PURPOSES = {
    "services": _l("Services"),
    "sharing": _l("Sharing with partner organizations"),
    "statistics": _l("Inclusion in statistics"),
}
CONSENT_GIVERS = {"youth": _l("The youth"), "guardian": _l("The guardian"), "both": _l("Youth and guardian")}
