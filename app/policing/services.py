"""Sessions, cohorts and attendance: queries and rules."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, distinct, func, select
from wtforms.validators import ValidationError

from app.accounts.models import User
from app.extensions import db
from app.policing import codes
from app.policing.forms import SessionFilterForm
from app.policing.models import Attendance, GreatCohort, PolicingSession
from app.security.policy import records_for_own_unit, visible_organizations, visible_sessions, visible_youth


def filtered_sessions(user: User, form: SessionFilterForm) -> Select:
    """The sessions of a filter form read by app.filters.filter_form: each value is valid or None."""
    query = visible_sessions(user)
    if form.start.data:
        query = query.where(PolicingSession.held_on >= form.start.data)
    if form.end.data:
        query = query.where(PolicingSession.held_on <= form.end.data)
    for field, column in ((form.municipality, PolicingSession.municipality_id),
                          (form.unit, PolicingSession.police_unit_id),
                          (form.partner, PolicingSession.partner_organization_id)):
        if field.data:
            query = query.where(column == field.data)
    if form.kind.data in codes.KINDS:
        query = query.where(PolicingSession.kind == form.kind.data)
    return query


def linked_youth(user: User, session_id: int) -> list:
    """The linked youth this case worker may see (the scoped query)."""
    from app.youth.models import Youth

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


def keeping(found, kept) -> list:
    """Choices from a scoped query, plus what the record being edited already
    names (so that an old record outside the user's scope can still be saved)."""
    found = list(found)
    ids = {o.id for o in found}
    return found + [k for k in kept if k is not None and k.id not in ids]


def offered_only(form, field) -> None:
    """A validator: what was posted is among the field's choices, which are
    scoped to the user's countries (a clearer message than WTForms' own)."""
    offered = {choice.value for choice in field.choices}
    posted = field.data if isinstance(field.data, list) else [field.data]
    if any(value not in offered for value in posted):
        raise ValidationError(_l("Choose from the list: only those of your countries can be chosen."))


def restrict_to_choices(*fields) -> None:
    for field in fields:
        field.validate_choice = False
        field.validators = [*field.validators, offered_only]  # a new list: the class's one is shared


def police_unit_choices(user: User, kept=None):
    """A police officer records for their own unit; a coordinator chooses one
    of the units of their countries."""
    from app.accounts.models import Organization
    from app.formtools import data_choices

    if records_for_own_unit(user):
        return data_choices([(user.organization_id, user.organization.name),
                             *((k.id, k.name) for k in [kept] if k is not None and k.id != user.organization_id)])
    units = db.session.scalars(visible_organizations(user).where(Organization.kind == "police_unit"))
    return data_choices((o.id, o.name) for o in keeping(units, [kept]))
