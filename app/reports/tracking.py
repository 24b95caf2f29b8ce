"""Keeping the maintained aggregates honest: every commit that changes what
the summaries count raises the data version of the municipalities involved
and logs from which day on the numbers can differ.

The hooks watch the ORM (inserts, updates and deletes of youth, screenings,
enrollments, follow-ups, sessions, attendance links and cohorts), so no service can forget;
code that writes with bulk statements calls `touch()` itself (the session
importer). Every indicator of a period only reads rows dated up to the
period's end, so a row dated D (before or after the change) can only move
periods that end on or after D. An attendance link counts in its youth's
municipality from the day of its session; a session that changes also moves
the municipalities of the youth linked to it (sessions are cancelled, never deleted)."""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from app.casework.models import FollowUp
from app.extensions import db
from app.policing.models import Attendance, GreatCohort, PolicingSession
from app.programs.models import Enrollment
from app.reports.models import SummaryChange, SummaryVersion
from app.reports.sql import upsert
from app.screening.models import Screening
from app.youth.models import Youth

MUNICIPALITIES, YOUTH, COHORTS = "senda_summary_municipalities", "senda_summary_youth", "senda_summary_cohorts"
SESSIONS, LINKS = "senda_summary_sessions", "senda_summary_links"
ALWAYS = date(1900, 1, 1)  # a change that can move every period
# The youth columns the indicators read (others, like the last contact date, change often and count for nothing).
COUNTED_YOUTH_COLUMNS = ("municipality_id", "referred_on", "sex", "birth_year", "statistics_consent_until",
                         "school_status", "work_status")
DATES = {Screening: ("screened_on",), Enrollment: ("start_on", "end_on"), FollowUp: ("followup_on",),
         PolicingSession: ("held_on",), GreatCohort: ("graduated_on",)}


def touch(session: Session, municipality_ids: Iterable[int], from_day: date = ALWAYS) -> None:
    """Mark municipalities as changed in this transaction, for periods ending on or after `from_day`."""
    _mark(session.info.setdefault(MUNICIPALITIES, {}), municipality_ids, from_day)


def _mark(changes: dict, keys: Iterable, from_day: date | None) -> None:
    for key in keys:
        if key is not None:
            changes[key] = min(changes.get(key, from_day or ALWAYS), from_day or ALWAYS)


def _values(obj, column: str) -> list:
    """The column's value before and after this flush."""
    history = inspect(obj).attrs[column].history
    return [v for v in (*history.added, *history.deleted, *history.unchanged) if v is not None]


def _earliest(obj) -> date:
    """The earliest date of the row, before or after the change."""
    return min((d for column in DATES[type(obj)] for d in _values(obj, column)), default=ALWAYS)


def _collect(session: Session, flush_context) -> None:
    municipalities = session.info.setdefault(MUNICIPALITIES, {})
    youth, cohorts = session.info.setdefault(YOUTH, {}), session.info.setdefault(COHORTS, {})
    sessions, links = session.info.setdefault(SESSIONS, {}), session.info.setdefault(LINKS, {})
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Youth):
            state = inspect(obj)
            if obj in session.new:
                _mark(municipalities, [obj.municipality_id], obj.referred_on)
            elif obj in session.deleted or any(state.attrs[c].history.has_changes() for c in COUNTED_YOUTH_COLUMNS):
                _mark(municipalities, _values(obj, "municipality_id"), ALWAYS)
        elif isinstance(obj, (Screening, Enrollment, FollowUp)):
            _mark(youth, _values(obj, "youth_id"), _earliest(obj))
        elif isinstance(obj, (PolicingSession, GreatCohort)):
            _mark(municipalities, _values(obj, "municipality_id"), _earliest(obj))
            if isinstance(obj, PolicingSession):  # a class's last lesson makes its graduates
                _mark(cohorts, _values(obj, "cohort_id"), None)
                if obj not in session.new:  # its linked youth count in their own municipalities
                    _mark(sessions, [obj.id], _earliest(obj))
        elif isinstance(obj, Attendance):  # session id -> the youth linked or unlinked
            links.setdefault(obj.session_id, set()).add(obj.youth_id)


def _raise_versions(session: Session) -> None:
    session.flush()  # the commit would flush after this hook: collect its changes now (nothing to do: no SQL)
    municipalities = session.info.pop(MUNICIPALITIES, {})
    youth, cohorts = session.info.pop(YOUTH, {}), session.info.pop(COHORTS, {})
    sessions, links = session.info.pop(SESSIONS, {}), session.info.pop(LINKS, {})
    if not (municipalities or youth or cohorts or sessions or links):
        return
    bind = session.connection()
    if links:
        for session_id, held_on in bind.execute(select(PolicingSession.id, PolicingSession.held_on)
                                                .where(PolicingSession.id.in_(links))):
            _mark(youth, links[session_id], held_on)
    if sessions:
        for session_id, youth_id in bind.execute(select(Attendance.session_id, Attendance.youth_id)
                                                 .where(Attendance.session_id.in_(sessions))):
            _mark(youth, [youth_id], sessions[session_id])
    if youth:
        rows = bind.execute(select(Youth.id, Youth.municipality_id).where(Youth.id.in_(youth)))
        for youth_id, municipality_id in rows:
            _mark(municipalities, [municipality_id], youth[youth_id])
    if cohorts:
        rows = bind.execute(select(GreatCohort.municipality_id, GreatCohort.graduated_on)
                            .where(GreatCohort.id.in_(cohorts), GreatCohort.graduated_on.is_not(None)))
        for municipality_id, graduated_on in rows:
            _mark(municipalities, [municipality_id], graduated_on)
    if not municipalities:
        return
    # The version row stays locked until the commit: a municipality's versions are given in commit order.
    statement = upsert(SummaryVersion, bind).values([{"municipality_id": i, "version": 1}
                                                       for i in sorted(municipalities)])
    versions = bind.execute(statement.on_conflict_do_update(
        index_elements=["municipality_id"], set_={"version": SummaryVersion.version + 1})
        .returning(SummaryVersion.municipality_id, SummaryVersion.version)).all()
    bind.execute(insert(SummaryChange), [{"municipality_id": i, "version": v, "from_day": municipalities[i]}
                                         for i, v in versions])


def _forget(session: Session, previous_transaction) -> None:
    for key in (MUNICIPALITIES, YOUTH, COHORTS, SESSIONS, LINKS):
        session.info.pop(key, None)


# --- statements that bypass the ORM's flush --------------------------------------
# An insert, update or delete statement run through the session on a counted
# table is not seen by the flush hooks above. It is refused, unless it only
# sets youth columns the summaries do not read (the optimistic lock's version),
# or its caller said which summaries change (touch()) and marks it
# `.execution_options(summaries_touched=True)`, as the session importer does.

TOUCHED = "summaries_touched"
COUNTED_TABLES = frozenset(model.__table__.name for model in
                           (Youth, Screening, Enrollment, FollowUp, PolicingSession, Attendance, GreatCohort))


class UntrackedWrite(RuntimeError):
    """A bulk statement on a counted table that would leave the stored summaries wrong."""


def _set_columns(state: ORMExecuteState) -> set[str] | None:
    values = getattr(state.statement, "_values", None) or {}
    names = {getattr(key, "key", key) for key in values}
    parameters = state.parameters
    for row in parameters if isinstance(parameters, list) else [parameters or {}]:
        names |= set(row)
    return names


def _guard_bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table not in COUNTED_TABLES or state.execution_options.get(TOUCHED):
        return
    if state.is_update:
        columns = _set_columns(state) - {"id"}
        # Record keys are not read by the summaries yet (issue #12): drop them here when they are.
        if columns and (columns <= {"record_key"} or table == Youth.__table__.name
                        and not columns & set(COUNTED_YOUTH_COLUMNS)):
            return
    raise UntrackedWrite(f"a bulk {'insert' if state.is_insert else 'update' if state.is_update else 'delete'} "
                         f"of {table} is not seen by the summary tracker: write through the ORM, or touch() the "
                         f"municipalities and pass execution_options({TOUCHED}=True)")


HOOKS = (("after_flush", _collect), ("before_commit", _raise_versions), ("after_soft_rollback", _forget),
         ("do_orm_execute", _guard_bulk))


def init_app(app) -> None:
    """Register the change tracker on the app's session (create_app calls this
    after the audit writer's hooks: the order of the two commit hooks stays)."""
    for name, listener in HOOKS:
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
