"""Sessions, cohorts and attendance: queries and rules."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, distinct, func, select

from app.accounts.models import User
from app.audit.service import record
from app.cases.lifecycle import audit_case
from app.extensions import db
from app.policing import codes
from app.policing.models import Attendance, GreatCohort, PolicingSession
from app.security.policy import officers_among, visible_sessions, visible_youth
from app.youth.models import Youth


def filtered_sessions(user: User, filters: Mapping[str, Any]) -> Select:
    """The sessions matching plain filter values (a filter form's `.data`, read
    by app.filters.filter_form: each value is valid or None)."""
    query = visible_sessions(user)
    if filters.get("start"):
        query = query.where(PolicingSession.held_on >= filters["start"])
    if filters.get("end"):
        query = query.where(PolicingSession.held_on <= filters["end"])
    for name, column in (("municipality", PolicingSession.municipality_id),
                         ("unit", PolicingSession.police_unit_id),
                         ("partner", PolicingSession.partner_organization_id)):
        if filters.get(name):
            query = query.where(column == filters[name])
    if filters.get("kind") in codes.KINDS:
        query = query.where(PolicingSession.kind == filters["kind"])
    return query


def linked_youth(user: User, session_id: int) -> list:
    """The linked youth this case worker may see (the scoped query)."""
    return list(db.session.scalars(
        visible_youth(user).join(Attendance, Attendance.youth_id == Youth.id)
        .where(Attendance.session_id == session_id).order_by(Youth.case_code)))


@dataclass(frozen=True)
class CohortProgress:
    lessons_total: int
    lessons_held: list[int]
    complete: bool
    last_lesson_on: date | None
    attendance: dict[int, int]  # lesson number -> head-count of that lesson


def cohort_progress(cohort: GreatCohort) -> CohortProgress:
    """Lessons held (not cancelled), attendance per lesson, and completion:
    every lesson of the curriculum held."""
    rows = db.session.execute(
        select(PolicingSession.lesson_number, func.max(PolicingSession.held_on),
               func.sum(PolicingSession.female + PolicingSession.male + PolicingSession.sex_not_recorded))
        .where(PolicingSession.cohort_id == cohort.id, PolicingSession.status == "held",
               PolicingSession.kind == "great_lesson")
        .group_by(PolicingSession.lesson_number)).all()
    total = codes.LESSONS[cohort.curriculum]
    held = sorted(n for n, _, _ in rows if n and 1 <= n <= total)
    return CohortProgress(
        lessons_total=total, lessons_held=held, complete=len(held) == total,
        last_lesson_on=max((d for _, d, _ in rows), default=None),
        attendance={n: int(c or 0) for n, _, c in rows if n},
    )


def lessons_held_count() -> Select:
    """Per cohort, the number of distinct lessons held (for lists)."""
    return (select(PolicingSession.cohort_id, func.count(distinct(PolicingSession.lesson_number)))
            .where(PolicingSession.status == "held", PolicingSession.kind == "great_lesson",
                   PolicingSession.cohort_id.is_not(None))
            .group_by(PolicingSession.cohort_id))


# --- writes: plain values in, the row out, flushed with its audit event ---------

def _apply(item: PolicingSession, values: dict) -> list[str]:
    """Set the session's fields; the names of those that changed."""
    values = dict(values)
    notes, officer_ids = values.pop("notes", None), set(values.pop("officer_ids", ()) or ())
    changed = []
    for key, value in values.items():
        if getattr(item, key, None) != value:
            setattr(item, key, value)
            changed.append(key)
    if item.notes_ct is None and notes or item.notes_ct is not None and item.notes != notes:
        item.notes = notes
        changed.append("notes")
    if {u.id for u in item.officers} != officer_ids:
        item.officers = list(db.session.scalars(officers_among(officer_ids)))
        changed.append("officers")
    return changed


def record_session(user: User, values: dict) -> PolicingSession:
    item = PolicingSession(created_by_id=user.id, status="held")
    _apply(item, values)
    db.session.add(item)
    db.session.flush()
    record("session.create", object_type="policing_session", object_id=item.id, detail=f"kind={item.kind}")
    return item


def update_session(item: PolicingSession, values: dict) -> list[str]:
    changed = _apply(item, values)
    record("session.update", object_type="policing_session", object_id=item.id, detail="fields=" + ",".join(changed))
    return changed


def cancel_session(item: PolicingSession, reason: str) -> PolicingSession:
    """Sessions are cancelled, never deleted (their counts stay explainable)."""
    item.status, item.cancel_reason = "cancelled", reason.strip()
    record("session.cancel", object_type="policing_session", object_id=item.id)
    return item


def link_attendance(item: PolicingSession, youth, user: User) -> bool:
    """Link a youth (found by the caller in its own scope) to a session; False when already linked."""
    if db.session.get(Attendance, (item.id, youth.id)) is not None:
        return False
    db.session.add(Attendance(session_id=item.id, youth_id=youth.id, linked_by_id=user.id))
    audit_case("attendance.create", youth, detail=f"session={item.id}")
    return True


def unlink_attendance(link: Attendance, youth) -> None:
    db.session.delete(link)
    audit_case("attendance.delete", youth, detail=f"session={link.session_id}")
