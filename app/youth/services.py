"""What happens to a case: registration, duplicates, status, consent.
Services change and flush; the view commits (with the audit event)."""

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from app.accounts.models import User, utcnow
from app.audit.service import record
from app.dates import local_today
from app.extensions import db
from app.security.crypto import blind_index
from app.security.policy import visible_youth
from app.youth import codes
from app.youth.models import FOREVER, Consent, DuplicateDecision, StatusChange, Youth

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L: read over the phone


class TransitionError(ValueError):
    """A status move that is not allowed."""


class ReassignmentError(ValueError):
    """An edit tried to change who the case is assigned to: only the
    coordinator's reassign action does that (and records it as such)."""


def audit_case(action: str, youth: Youth, detail: str | None = None, **kwargs) -> None:
    """Every case event names the case by its public code."""
    record(action, object_type="youth", object_id=youth.case_code, detail=detail, **kwargs)


def new_case_code(country: str) -> str:
    """A public case code that identifies nobody: country + 8 random characters."""
    while True:
        body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{country}-{body[:4]}-{body[4:]}"
        if db.session.scalar(select(Youth.id).where(Youth.case_code == code)) is None:
            return code


@dataclass(frozen=True)
class NameKeys:
    given: str
    family_1: str
    family_2: str | None
    short: str
    full: str

    @classmethod
    def of(cls, given: str, family_1: str, family_2: str | None) -> "NameKeys":
        return cls(
            given=blind_index(given),
            family_1=blind_index(family_1),
            family_2=blind_index(family_2) if family_2 else None,
            short=blind_index(f"{given} {family_1}"),
            full=blind_index(" ".join(p for p in (given, family_1, family_2) if p)),
        )


def set_identity(youth: Youth, given: str, family_1: str, family_2: str | None, birth: date) -> None:
    youth.given_names, youth.family_name_1 = given.strip(), family_1.strip()
    youth.family_name_2 = family_2.strip() if family_2 and family_2.strip() else None
    youth.birth_date = birth
    keys = NameKeys.of(youth.given_names, youth.family_name_1, youth.family_name_2)
    youth.given_bidx, youth.family_1_bidx, youth.family_2_bidx = keys.given, keys.family_1, keys.family_2
    youth.short_name_bidx, youth.full_name_bidx = keys.short, keys.full
    youth.birth_bidx = blind_index(birth.isoformat())


IDENTITY_FIELDS = ("given_names", "family_name_1", "family_name_2", "birth_date")
CASE_FIELDS = ("sex", "municipality_id", "school_status", "work_status", "referral_source", "community",
               "guardian_name", "guardian_contact")
OPTIONAL_TEXT = ("community", "guardian_name", "guardian_contact")


def update_case(youth: Youth, values: dict) -> list[str]:
    """Apply an edit of the case file (identity and intake fields); returns
    the names of the fields that changed, for the audit event (never their
    values). The assigned worker is not part of an edit: asking to change it
    here raises ReassignmentError, whoever edits."""
    if "assigned_worker_id" in values and values["assigned_worker_id"] != youth.assigned_worker_id:
        raise ReassignmentError("the assigned worker changes only by reassignment")
    unknown = set(values) - {*IDENTITY_FIELDS, *CASE_FIELDS, "assigned_worker_id"}
    if unknown or not set(IDENTITY_FIELDS) <= set(values):
        raise ValueError(f"not an edit of a case: {sorted(unknown) or 'identity missing'}")
    before = {name: getattr(youth, name, None) for name in (*IDENTITY_FIELDS, *CASE_FIELDS)}
    set_identity(youth, *(values[name] for name in IDENTITY_FIELDS))
    for name in CASE_FIELDS:
        if name in values:
            value = values[name]
            if name in OPTIONAL_TEXT:
                value = (value or "").strip() or None
            setattr(youth, name, value)
    return [name for name in before if getattr(youth, name, None) != before[name]]


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


def record_not_duplicates(youth: Youth, others: list[int], user: User) -> None:
    for other in others:
        db.session.add(DuplicateDecision(youth_id=youth.id, other_youth_id=other, decided_by_id=user.id))
    if others:
        audit_case("youth.duplicate_dismissed", youth, detail=f"others={len(others)}")


def change_status(youth: Youth, to: str, user: User, on: date, exit_reason: str | None = None,
                  manual: bool = True) -> None:
    """Move a case to another status, if that move is allowed from where it is."""
    moves = codes.MANUAL_MOVES if manual else codes.ALL_MOVES
    if to not in moves.get(youth.status, ()):
        raise TransitionError(f"{youth.status} -> {to}")
    if to in codes.EXIT_STATUSES and exit_reason not in codes.EXIT_REASONS:
        raise TransitionError("exit reason required")
    db.session.add(StatusChange(youth_id=youth.id, from_status=youth.status, to_status=to,
                                exit_reason=exit_reason if to in codes.EXIT_STATUSES else None,
                                changed_on=on, changed_by_id=user.id))
    audit_case("youth.status", youth, detail=f"from={youth.status};to={to}")
    youth.status, youth.status_changed_at = to, utcnow()
    youth.version += 1
    if to in codes.EXIT_STATUSES:
        from app.programs.services import end_enrollment

        end_enrollment(youth, to, exit_reason, on)
        youth.reassessment_due = None


def reopen(youth: Youth, user: User, on: date) -> None:
    """A coordinator reopens a closed case: it returns to the status it left."""
    if youth.status not in codes.EXIT_STATUSES:
        raise TransitionError(f"{youth.status} is open")
    last_exit = db.session.scalar(
        select(StatusChange).where(StatusChange.youth_id == youth.id, StatusChange.to_status == youth.status)
        .order_by(StatusChange.id.desc()).limit(1))
    back_to = last_exit.from_status if last_exit and last_exit.from_status else codes.REFERRED
    if back_to in codes.IN_PROGRAM:
        back_to = codes.SCREENED  # the enrollment ended: enroll again
    db.session.add(StatusChange(youth_id=youth.id, from_status=youth.status, to_status=back_to,
                                changed_on=on, changed_by_id=user.id, reopened=True))
    audit_case("youth.reopen", youth, detail=f"from={youth.status};to={back_to}")
    youth.status, youth.status_changed_at = back_to, utcnow()
    youth.version += 1


def refresh_consent(youth: Youth, today: date) -> None:
    """Recompute, per purpose, until when consent is in force."""
    consents = db.session.scalars(select(Consent).where(Consent.youth_id == youth.id)).all()
    for purpose in codes.CONSENT_PURPOSES:
        valid = [c for c in consents if c.purpose == purpose and c.in_force_on(today)]
        until = max((c.expires_on or FOREVER for c in valid), default=None)
        setattr(youth, f"{purpose}_consent_until", until)


def has_consent(youth: Youth, purpose: str, day: date) -> bool:
    until = getattr(youth, f"{purpose}_consent_until")
    return until is not None and until >= day


today = local_today
