"""Which cases retention anonymizes (the erasing itself: app.cases.lifecycle.anonymize)."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.youth import codes
from app.youth.models import StatusChange, Youth


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
