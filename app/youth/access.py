"""Loading one case within the user's scope."""

from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.audit.service import deny_out_of_scope
from app.extensions import db
from app.geo.models import Municipality
from app.security.policy import visible_youth
from app.youth.models import Youth


def get_youth_or_404(code: str) -> Youth:
    """The case with this code if the current user may see it; otherwise a
    denied audit event and 404 (the same answer whether or not it exists)."""
    youth = db.session.scalar(
        visible_youth(current_user).where(Youth.case_code == code.upper())
        .options(joinedload(Youth.municipality).joinedload(Municipality.department),
                 joinedload(Youth.assigned_worker)))
    if youth is None:
        deny_out_of_scope("youth", code.upper()[:16])
    return youth
