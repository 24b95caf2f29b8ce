"""Possible duplicates of a case, and the names older callers import from
here (the transitions live in app/cases/lifecycle.py, identity in
app/youth/identity.py, consent in app/youth/consents.py)."""

from datetime import date

from sqlalchemy import or_

from app.accounts.models import User
from app.cases.lifecycle import TransitionError, audit_case, change_status, reopen  # noqa: F401  (app/demo)
from app.dates import local_today
from app.extensions import db
from app.security.crypto import blind_index
from app.security.policy import visible_youth
from app.youth.consents import has_consent, refresh_consent  # noqa: F401  (app/demo, tests)
from app.youth.identity import (  # noqa: F401  (app/demo, tests)
    CASE_FIELDS,
    IDENTITY_FIELDS,
    NameKeys,
    ReassignmentError,
    new_case_code,
    set_identity,
    update_case,
)
from app.youth.models import Youth


def possible_duplicates(user: User, given: str, family_1: str, family_2: str | None,
                        birth: date, municipality_id: int, exclude_id: int | None = None) -> list[Youth]:
    """Cases the user may see with the same given names, a family name in
    common (either order, or one missing), and the same birth date or
    municipality."""
    keys = NameKeys.of(given.strip(), family_1.strip(), (family_2 or "").strip() or None)
    families = [k for k in (keys.family_1, keys.family_2) if k]
    query = visible_youth(user).where(
        Youth.given_bidx == keys.given,
        or_(Youth.family_1_bidx.in_(families), Youth.family_2_bidx.in_(families)),
        or_(Youth.birth_bidx == blind_index(birth.isoformat()), Youth.municipality_id == municipality_id),
        Youth.anonymized_at.is_(None),
    )
    if exclude_id:
        query = query.where(Youth.id != exclude_id)
    return list(db.session.scalars(query.limit(20)))


today = local_today
