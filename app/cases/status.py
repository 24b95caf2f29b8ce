"""The statuses of a case and of an enrollment. Str enums: the stored values
stay the plain strings ("referred", ...) and compare equal to them."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext


class CaseStatus(StrEnum):
    REFERRED = "referred"
    SCREENED = "screened"
    ENROLLED = "enrolled"
    ACTIVE = "active"
    COMPLETED = "completed"
    DROPPED = "dropped"
    TRANSFERRED = "transferred"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUSES[self]

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    @property
    def is_exit(self) -> bool:
        return self in EXIT_STATUSES

    @property
    def in_program(self) -> bool:
        return self in IN_PROGRAM


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DROPPED = "dropped"
    TRANSFERRED = "transferred"
    CLOSED = "closed"


STATUSES = {
    CaseStatus.REFERRED: lazy_pgettext("case status", "Referred"),
    CaseStatus.SCREENED: lazy_pgettext("case status", "Screened"),
    CaseStatus.ENROLLED: lazy_pgettext("case status", "Enrolled"),
    CaseStatus.ACTIVE: _l("Active"),
    CaseStatus.COMPLETED: lazy_pgettext("case status", "Completed"),
    CaseStatus.DROPPED: lazy_pgettext("case status", "Dropped out"),
    CaseStatus.TRANSFERRED: _l("Transferred"),
    CaseStatus.CLOSED: _l("Closed"),
}
OPEN_STATUSES = (CaseStatus.REFERRED, CaseStatus.SCREENED, CaseStatus.ENROLLED, CaseStatus.ACTIVE)
EXIT_STATUSES = (CaseStatus.COMPLETED, CaseStatus.DROPPED, CaseStatus.TRANSFERRED, CaseStatus.CLOSED)
IN_PROGRAM = (CaseStatus.ENROLLED, CaseStatus.ACTIVE)
