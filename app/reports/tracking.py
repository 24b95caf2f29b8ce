"""Keeping the maintained aggregates honest: every commit that changes what
the summaries count raises the data version of the municipalities involved.

The hooks watch the ORM (inserts, updates and deletes of youth, screenings,
enrollments, follow-ups, sessions and cohorts), so no service can forget;
code that writes with bulk statements calls `touch()` itself (the session
importer)."""

from collections.abc import Iterable

from sqlalchemy import event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.casework.models import FollowUp
from app.policing.models import GreatCohort, PolicingSession
from app.programs.models import Enrollment
from app.reports.models import SummaryVersion
from app.screening.models import Screening
from app.youth.models import Youth

MUNICIPALITIES, YOUTH, COHORTS = "senda_summary_municipalities", "senda_summary_youth", "senda_summary_cohorts"
# The youth columns the indicators read (others, like the last contact date, change often and count for nothing).
COUNTED_YOUTH_COLUMNS = ("municipality_id", "referred_on", "sex", "birth_year", "statistics_consent_until",
                         "school_status", "work_status")
OF_YOUTH = (Screening, Enrollment, FollowUp)


def touch(session: Session, municipality_ids: Iterable[int]) -> None:
    """Mark municipalities as changed in this transaction."""
    session.info.setdefault(MUNICIPALITIES, set()).update(i for i in municipality_ids if i is not None)


def _old_and_new(obj, column: str) -> list:
    history = inspect(obj).attrs[column].history
    return [*history.added, *history.deleted, *history.unchanged]


@event.listens_for(Session, "after_flush")
def _collect(session: Session, flush_context) -> None:
    youth, cohorts = session.info.setdefault(YOUTH, set()), session.info.setdefault(COHORTS, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Youth):
            state = inspect(obj)
            if obj in session.new or obj in session.deleted or any(
                    state.attrs[c].history.has_changes() for c in COUNTED_YOUTH_COLUMNS):
                touch(session, _old_and_new(obj, "municipality_id"))
        elif isinstance(obj, OF_YOUTH):
            youth.update(i for i in _old_and_new(obj, "youth_id") if i is not None)
        elif isinstance(obj, (PolicingSession, GreatCohort)):
            touch(session, _old_and_new(obj, "municipality_id"))
            if isinstance(obj, PolicingSession):
                cohorts.update(i for i in _old_and_new(obj, "cohort_id") if i is not None)


@event.listens_for(Session, "before_commit")
def _raise_versions(session: Session) -> None:
    session.flush()  # the commit would flush after this hook: collect its changes now (nothing to do: no SQL)
    municipalities = session.info.pop(MUNICIPALITIES, set())
    youth, cohorts = session.info.pop(YOUTH, set()), session.info.pop(COHORTS, set())
    bind = session.connection() if (municipalities or youth or cohorts) else None
    if youth:
        municipalities |= set(bind.scalars(select(Youth.municipality_id).where(Youth.id.in_(youth)).distinct()))
    if cohorts:
        municipalities |= set(bind.scalars(select(GreatCohort.municipality_id).where(GreatCohort.id.in_(cohorts))))
    if municipalities:
        dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(SummaryVersion).values([{"municipality_id": i, "version": 1}
                                                           for i in sorted(municipalities)])
        bind.execute(statement.on_conflict_do_update(index_elements=["municipality_id"],
                                                     set_={"version": SummaryVersion.version + 1}))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    for key in (MUNICIPALITIES, YOUTH, COHORTS):
        session.info.pop(key, None)
