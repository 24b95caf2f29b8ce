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
from app.youth.models import CaseShare, Consent, Youth


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


def record_consent(youth: Youth, user: User, purpose: str, given_by: str, given_on: date,
                   expires_on: date | None, today: date) -> Consent:
    consent = Consent(youth_id=youth.id, purpose=purpose, given_by=given_by, given_on=given_on,
                      expires_on=expires_on, recorded_by_id=user.id)
    db.session.add(consent)
    db.session.flush()
    refresh_consent(youth, today)
    audit_case("consent.create", youth, detail=f"purpose={consent.purpose};consent={consent.id}")
    return consent


def withdraw_consent(youth: Youth, consent: Consent, user: User, today: date) -> bool:
    """Withdraw a consent in force from today; False when it already was."""
    if consent.withdrawn_on is not None:
        return False
    consent.withdrawn_on, consent.withdrawn_by_id = today, user.id
    refresh_consent(youth, today)
    audit_case("consent.withdraw", youth, detail=f"purpose={consent.purpose};consent={consent.id}")
    return True


def reassign(youth: Youth, worker_id: int) -> Youth:
    """The coordinator's reassign action: the only change of the assigned worker."""
    youth.assigned_worker_id = worker_id
    audit_case("youth.reassign", youth, detail=f"worker={worker_id}")
    return youth


def share(youth: Youth, worker_id: int, user: User) -> CaseShare:
    """Share the case with a worker of the team (once: sharing again changes nothing)."""
    found = db.session.get(CaseShare, (youth.id, worker_id))
    if found is None:
        found = CaseShare(youth_id=youth.id, user_id=worker_id, shared_by_id=user.id)
        db.session.add(found)
        audit_case("youth.share", youth, detail=f"worker={worker_id}")
    return found
