"""Erasing identifiers while keeping the counts: retention and requests."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import utcnow
from app.casework.models import CaseNote, Goal, ServiceContact
from app.extensions import db
from app.youth import codes
from app.youth.models import StatusChange, Youth

ERASED = "—"


def anonymize(youth: Youth) -> None:
    """Erase every direct identifier and free text of the case. Codes,
    dates, statuses, screenings' scores and follow-ups stay for the counts."""
    youth.given_names = youth.family_name_1 = ERASED
    youth.family_name_2 = youth.community = youth.guardian_name = youth.guardian_contact = None
    youth.birth_date = date(youth.birth_year, 7, 1)  # mid-year: the age band survives, the day does not
    for key in ("given_bidx", "family_1_bidx", "short_name_bidx", "full_name_bidx", "birth_bidx"):
        setattr(youth, key, "erased")
    youth.family_2_bidx = None
    youth.anonymized_at = utcnow()
    for note in db.session.scalars(select(CaseNote).where(CaseNote.youth_id == youth.id)):
        note.body = ERASED
    for goal in db.session.scalars(select(Goal).where(Goal.youth_id == youth.id)):
        goal.description = ERASED
    for contact in db.session.scalars(select(ServiceContact).where(ServiceContact.youth_id == youth.id)):
        contact.summary = None


def cases_due_for_retention(years: int, today: date):
    """Cases closed (any exit status) more than `years` years ago, not yet anonymized."""
    cutoff = today - timedelta(days=round(365.25 * years))
    last_exit = (
        select(StatusChange.youth_id)
        .where(StatusChange.to_status.in_(codes.EXIT_STATUSES), StatusChange.changed_on < cutoff)
    )
    return select(Youth).where(Youth.status.in_(codes.EXIT_STATUSES), Youth.anonymized_at.is_(None),
                               Youth.status_changed_at < datetime.combine(cutoff, time.min, UTC),
                               Youth.id.in_(last_exit))
