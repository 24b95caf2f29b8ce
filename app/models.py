"""Every model, imported in one place so Alembic sees the whole schema."""

from app.accounts.models import Organization, User, UserScope  # noqa: F401
from app.audit.models import AuditEvent, AuditHead  # noqa: F401
from app.geo.models import Country, Department, Municipality  # noqa: F401
