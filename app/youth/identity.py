"""Who a case is about: its public code, its sealed identity and blind
indexes, and edits of the case file."""

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.security.crypto import blind_index
from app.youth.models import Youth

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L: read over the phone


class ReassignmentError(ValueError):
    """An edit tried to change who the case is assigned to: only the
    coordinator's reassign action does that (and records it as such)."""


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
