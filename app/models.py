"""Every model, imported in one place so Alembic sees the whole schema."""

from app.accounts.models import Organization, User, UserScope  # noqa: F401
from app.audit.models import AuditBatch, AuditEvent, AuditHead  # noqa: F401
from app.casework.models import CaseNote, FollowUp, Goal, ServiceContact  # noqa: F401
from app.geo.models import Country, Department, Municipality  # noqa: F401
from app.policing.models import Attendance, GreatCohort, PolicingSession  # noqa: F401
from app.programs.models import Enrollment, Program  # noqa: F401
from app.reports.models import SummaryCell, SummaryRefresh, SummaryValue, SummaryVersion  # noqa: F401
from app.screening.models import InstrumentVersion, Screening  # noqa: F401
from app.submissions import FormSubmission  # noqa: F401
from app.youth.models import CaseShare, Consent, DuplicateDecision, StatusChange, Youth  # noqa: F401
