"""Coded values of a youth case, with translated labels. Stored values are
codes; labels are translated at display."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from app.cases.status import EXIT_STATUSES, IN_PROGRAM, OPEN_STATUSES, STATUSES, CaseStatus  # noqa: F401

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

# The statuses live with the case lifecycle (app/cases/); these names stay for
# the modules that read them as codes.
REFERRED, SCREENED, ENROLLED, ACTIVE = (CaseStatus.REFERRED, CaseStatus.SCREENED, CaseStatus.ENROLLED,
                                        CaseStatus.ACTIVE)
COMPLETED, DROPPED, TRANSFERRED, CLOSED = (CaseStatus.COMPLETED, CaseStatus.DROPPED, CaseStatus.TRANSFERRED,
                                           CaseStatus.CLOSED)

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
