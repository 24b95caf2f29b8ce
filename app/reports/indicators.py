"""Indicators computed in SQL: one GROUP BY query per source table, whatever
the number of units. Only youth with consent to statistics in force count."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select

from app.accounts.models import User
from app.casework.models import FollowUp
from app.dates import add_months
from app.extensions import db
from app.geo.models import Country, Department, Municipality
from app.policing import codes as policing_codes
from app.policing.models import Attendance, GreatCohort, PolicingSession
from app.programs.models import Enrollment
from app.reports.periods import Period
from app.reports.sql import days_between, year_of
from app.screening.models import Screening
from app.security.policy import scope_municipality_ids
from app.youth.models import Youth

LEVELS = ("country", "department", "municipality")
LEVEL_LABELS = {"country": _l("Country"), "department": _l("Department"), "municipality": _l("Municipality")}
EXIT = "exit:"  # prefix of the dropout counts per exit reason


@dataclass(frozen=True)
class Breakdown:
    """Rows of a summary: the units of one level, within an optional parent."""

    level: str  # country | department | municipality
    parent: str | None  # a country code (level department) or a department code (level municipality)


def unit_column(level: str):
    return {"country": Department.country_code, "department": Department.code,
            "municipality": Municipality.code}[level]


def scoped_municipalities(user: User, breakdown: Breakdown):
    """The ids of the municipalities counted: the user's scope, within the parent."""
    query = (select(Municipality.id).join(Department, Department.id == Municipality.department_id)
             .where(Municipality.id.in_(scope_municipality_ids(user))))
    if breakdown.parent and breakdown.level == "department":
        query = query.where(Department.country_code == breakdown.parent)
    elif breakdown.parent and breakdown.level == "municipality":
        query = query.where(Department.code == breakdown.parent)
    return query


def units(user: User, breakdown: Breakdown, locale: str) -> dict[str, str]:
    """Unit code -> name, for every unit of the level in scope (even with no data)."""
    column = unit_column(breakdown.level)
    name = {"country": Country.name_en if locale == "en" else Country.name_es,
            "department": Department.name, "municipality": Municipality.name}[breakdown.level]
    rows = db.session.execute(
        select(column, name).select_from(Municipality)
        .join(Department, Department.id == Municipality.department_id)
        .join(Country, Country.code == Department.country_code)
        .where(Municipality.id.in_(scoped_municipalities(user, breakdown)))
        .group_by(column, name).order_by(name)).all()
    return dict(rows)


def _youth_base(municipalities, unit, today: date):
    """Youth counted in statistics, grouped by `unit` (a column of the
    municipality or one of its parents)."""
    unit = unit.label("unit")
    return lambda *cols: (
        select(unit, *cols)
        .select_from(Youth)
        .join(Municipality, Municipality.id == Youth.municipality_id)
        .join(Department, Department.id == Municipality.department_id)
        .where(Youth.municipality_id.in_(municipalities), Youth.statistics_consent_until >= today)
        .group_by(unit)
    )


def count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def compute(user: User, breakdown: Breakdown, period: Period, today: date) -> dict[str, dict[str, float]]:
    """Unit -> indicator key -> value, from the base tables (the straightforward
    SQL): the reference the maintained aggregates equal (tests, benchmark); pages read the aggregates."""
    return measure(scoped_municipalities(user, breakdown), unit_column(breakdown.level), period, today)


def measure(municipalities, unit, period: Period, today: date) -> dict:
    """Unit -> indicator key -> value (counts, the sums behind means, and
    dropouts per exit reason as ``exit:<reason>``) for the youth and sessions
    of `municipalities` (ids, or a select of ids), grouped by `unit`."""
    values: dict = defaultdict(lambda: defaultdict(float))
    base = _youth_base(municipalities, unit, today)
    # Repeated inside each grouped or windowed subquery: the database cannot push the outer join into them, and
    # recomputing one municipality must not rank the screenings of the whole country.
    counted = select(Youth.id).where(Youth.municipality_id.in_(municipalities),
                                     Youth.statistics_consent_until >= today).scalar_subquery()
    start, end = period.start, period.end
    in_period = lambda col: and_(col >= start, col <= end)  # noqa: E731

    referred = in_period(Youth.referred_on)
    age = year_of(Youth.referred_on) - Youth.birth_year
    rows = db.session.execute(base(
        count_if(referred).label("referred"),
        count_if(and_(referred, Youth.sex == "F")).label("referred_f"),
        count_if(and_(referred, Youth.sex == "M")).label("referred_m"),
        count_if(and_(referred, Youth.sex == "X")).label("referred_x"),
        count_if(and_(referred, age < 12)).label("age_u12"),
        count_if(and_(referred, age.between(12, 14))).label("age_12_14"),
        count_if(and_(referred, age.between(15, 17))).label("age_15_17"),
        count_if(and_(referred, age.between(18, 24))).label("age_18_24"),
        count_if(and_(referred, age >= 25)).label("age_25"),
    ))
    _store(values, rows)

    baseline = (select(Screening.youth_id, Screening.level)
                .where(Screening.kind == "baseline", in_period(Screening.screened_on), Screening.youth_id.in_(counted))
                .subquery())
    rows = db.session.execute(base(
        func.count(baseline.c.youth_id).label("screened"),
        count_if(baseline.c.level == "primary").label("level_primary"),
        count_if(baseline.c.level == "secondary").label("level_secondary"),
        count_if(baseline.c.level == "tertiary").label("level_tertiary"),
    ).join(baseline, baseline.c.youth_id == Youth.id))
    _store(values, rows)

    mark6_from, mark6_to = add_months(start, -6), add_months(end, -6)
    mark12_from, mark12_to = add_months(start, -12), add_months(end, -12)
    length = days_between(Enrollment.start_on, Enrollment.end_on)
    dropped_before = lambda days: and_(Enrollment.status == "dropped", length < days)  # noqa: E731
    cohort6 = Enrollment.start_on.between(mark6_from, mark6_to)
    cohort12 = Enrollment.start_on.between(mark12_from, mark12_to)
    ended = and_(Enrollment.end_on.is_not(None), in_period(Enrollment.end_on))
    rows = db.session.execute(base(
        func.count(func.distinct(case((in_period(Enrollment.start_on), Enrollment.youth_id)))).label("enrolled"),
        count_if(in_period(Enrollment.start_on)).label("enrollments_started"),
        func.count(func.distinct(case((and_(Enrollment.start_on <= end,
                                            or_(Enrollment.end_on.is_(None), Enrollment.end_on > end)),
                                       Enrollment.youth_id)))).label("active"),
        count_if(cohort6).label("cohort_6"),
        count_if(and_(cohort6, ~dropped_before(183))).label("retained_6"),
        count_if(cohort12).label("cohort_12"),
        count_if(and_(cohort12, ~dropped_before(365))).label("retained_12"),
        count_if(ended).label("exits"),
        count_if(and_(ended, Enrollment.status == "completed")).label("completed"),
        count_if(and_(ended, Enrollment.status == "dropped")).label("dropped"),
    ).join(Enrollment, Enrollment.youth_id == Youth.id))
    _store(values, rows)

    # Only the screenings of youth reassessed in the period (and not later
    # ones): the window functions then sort a small share of the table.
    reassessed_youth = (select(Screening.youth_id).where(Screening.kind == "reassessment", in_period(Screening.screened_on),
                                                         Screening.youth_id.in_(counted))
                        .distinct().scalar_subquery())
    of_reassessed = and_(Screening.youth_id.in_(reassessed_youth), Screening.screened_on <= end)
    previous = func.lag(Screening.screened_on).over(partition_by=Screening.youth_id, order_by=Screening.screened_on)
    timeline = (select(Screening.youth_id, Screening.kind, Screening.screened_on, previous.label("previous"))
                .where(of_reassessed).subquery())
    is_reassessment = and_(timeline.c.kind == "reassessment", in_period(timeline.c.screened_on))
    rows = db.session.execute(base(
        count_if(is_reassessment).label("reassessed"),
        count_if(and_(is_reassessment, days_between(timeline.c.previous, timeline.c.screened_on) <= 213)).label("on_time"),
    ).join(timeline, timeline.c.youth_id == Youth.id))
    _store(values, rows)

    ranked = select(
        Screening.youth_id, Screening.level, Screening.scales_at_threshold,
        func.row_number().over(partition_by=Screening.youth_id, order_by=(Screening.screened_on, Screening.id)).label("up"),
        func.row_number().over(partition_by=Screening.youth_id,
                               order_by=(Screening.screened_on.desc(), Screening.id.desc())).label("down"),
    ).where(of_reassessed).subquery()
    first_last = select(
        ranked.c.youth_id,
        func.max(case((ranked.c.up == 1, ranked.c.scales_at_threshold))).label("first_scales"),
        func.max(case((ranked.c.down == 1, ranked.c.scales_at_threshold))).label("last_scales"),
        func.max(case((ranked.c.up == 1, ranked.c.level))).label("first_level"),
        func.max(case((ranked.c.down == 1, ranked.c.level))).label("last_level"),
    ).group_by(ranked.c.youth_id).subquery()
    rows = db.session.execute(base(
        func.count().label("risk_youth"),
        func.sum(first_last.c.first_scales).label("scales_baseline_sum"),
        func.sum(first_last.c.last_scales).label("scales_latest_sum"),
        count_if(first_last.c.first_level == "secondary").label("secondary_baseline"),
        count_if(and_(first_last.c.first_level == "secondary", first_last.c.last_level == "primary")).label("no_longer_eligible"),
    ).join(first_last, first_last.c.youth_id == Youth.id))
    _store(values, rows)

    latest = (select(FollowUp.youth_id, func.max(FollowUp.id).label("latest_id"),
                     func.max(case((FollowUp.new_justice_contact, 1), else_=0)).label("justice"),
                     func.max(FollowUp.followup_on).label("on"))
              .where(in_period(FollowUp.followup_on), FollowUp.youth_id.in_(counted)).group_by(FollowUp.youth_id).subquery())
    last_f = FollowUp.__table__.alias("last_f")
    working_age = (year_of(latest.c.on) - Youth.birth_year) >= 15
    rows = db.session.execute(base(
        func.count().label("followed"),
        count_if(Youth.school_status == "enrolled").label("school_intake"),
        count_if(last_f.c.in_school).label("school_latest"),
        count_if(working_age).label("working_age"),
        count_if(and_(working_age, Youth.work_status == "working")).label("working_intake"),
        count_if(and_(working_age, last_f.c.working)).label("working_latest"),
        func.sum(latest.c.justice).label("justice"),
    ).join(latest, latest.c.youth_id == Youth.id).join(last_f, last_f.c.id == latest.c.latest_id))
    _store(values, rows)

    reason = func.coalesce(Enrollment.exit_reason, "other").label("reason")
    rows = db.session.execute(base(reason, func.count().label("n"))
                              .join(Enrollment, Enrollment.youth_id == Youth.id)
                              .where(Enrollment.status == "dropped", in_period(Enrollment.end_on)).group_by(reason))
    for row in rows:
        values[row.unit][f"{EXIT}{row.reason}"] += row.n

    # Enrolled youth at sessions: the same consent rule as every youth count (the base), in the youth's own
    # municipality, so that a withdrawal makes that municipality's cells stale. Head-counts stay anonymous.
    attended = (select(Attendance.youth_id).join(PolicingSession, PolicingSession.id == Attendance.session_id)
                .where(PolicingSession.status == "held", in_period(PolicingSession.held_on),
                       Attendance.youth_id.in_(counted))
                .distinct().subquery())
    rows = db.session.execute(base(func.count().label("youth_at_sessions"))
                              .join(attended, attended.c.youth_id == Youth.id))
    _store(values, rows)

    _sessions(values, municipalities, unit, period)
    return values


def _sessions(values, municipalities, unit, period: Period) -> None:
    """Sessions and their anonymous head-counts (G.R.E.A.T. graduates included): no youth record is read."""
    column = unit.label("unit")
    held = and_(PolicingSession.status == "held", PolicingSession.held_on.between(period.start, period.end))
    kinds = [count_if(and_(held, PolicingSession.kind == kind)).label(f"s_{kind}") for kind in policing_codes.KINDS]
    rows = db.session.execute(
        select(column, count_if(held).label("sessions"), *kinds,
               func.sum(case((held, PolicingSession.female + PolicingSession.male + PolicingSession.sex_not_recorded),
                             else_=0)).label("attendance"),
               func.sum(case((held, PolicingSession.female), else_=0)).label("attendance_f"),
               func.sum(case((held, PolicingSession.male), else_=0)).label("attendance_m"),
               func.sum(case((held, PolicingSession.sex_not_recorded), else_=0)).label("attendance_x"))
        .select_from(PolicingSession)
        .join(Municipality, Municipality.id == PolicingSession.municipality_id)
        .join(Department, Department.id == Municipality.department_id)
        .where(PolicingSession.municipality_id.in_(municipalities),
               PolicingSession.held_on.between(period.start, period.end))
        .group_by(column))
    _store(values, rows)
    last_lesson = or_(*(and_(GreatCohort.curriculum == c, PolicingSession.lesson_number == n)
                        for c, n in policing_codes.LESSONS.items()))
    graduates = (select(PolicingSession.cohort_id,
                        func.sum(PolicingSession.female + PolicingSession.male + PolicingSession.sex_not_recorded).label("n"))
                 .join(GreatCohort, GreatCohort.id == PolicingSession.cohort_id)
                 .where(PolicingSession.status == "held", last_lesson, GreatCohort.municipality_id.in_(municipalities),
                        GreatCohort.graduated_on.between(period.start, period.end))
                 .group_by(PolicingSession.cohort_id).subquery())
    rows = db.session.execute(
        select(column, func.count(GreatCohort.id).label("cohorts_completed"),
               func.coalesce(func.sum(graduates.c.n), 0).label("graduates"))
        .select_from(GreatCohort)
        .join(Municipality, Municipality.id == GreatCohort.municipality_id)
        .join(Department, Department.id == Municipality.department_id)
        .outerjoin(graduates, graduates.c.cohort_id == GreatCohort.id)
        .where(GreatCohort.municipality_id.in_(municipalities),
               GreatCohort.graduated_on.between(period.start, period.end))
        .group_by(column))
    _store(values, rows)


def _store(values, rows) -> None:
    for row in rows:
        mapping = row._mapping
        unit = mapping["unit"]
        for key, value in mapping.items():
            if key != "unit":
                values[unit][key] += float(value or 0)


def exit_reasons(values: dict) -> dict[str, int]:
    """Dropouts by exit reason over every unit of `values`."""
    reasons: dict[str, int] = defaultdict(int)
    for unit_values in values.values():
        for key, n in unit_values.items():
            if key.startswith(EXIT):
                reasons[key.removeprefix(EXIT)] += int(n)
    return dict(reasons)


def trend(user: User, breakdown: Breakdown, quarters: list[Period], today: date) -> dict[str, list[int]]:
    """Referred, enrolled, sessions and attendance per quarter, for the whole scope, from the
    base tables: the reference `aggregates.read_trend` equals (tests, benchmark)."""
    munis = scoped_municipalities(user, breakdown)

    def per_quarter(column, value=literal(1)):
        return [func.sum(case((column.between(q.start, q.end), value), else_=0)) for q in quarters]

    window = (quarters[0].start, quarters[-1].end)
    youth = db.session.execute(select(*per_quarter(Youth.referred_on)).where(
        Youth.municipality_id.in_(munis), Youth.statistics_consent_until >= today,
        Youth.referred_on.between(*window))).one()
    enrolled = db.session.execute(select(*per_quarter(Enrollment.start_on)).join(Youth, Youth.id == Enrollment.youth_id).where(
        Youth.municipality_id.in_(munis), Youth.statistics_consent_until >= today,
        Enrollment.start_on.between(*window))).one()
    headcount = PolicingSession.female + PolicingSession.male + PolicingSession.sex_not_recorded
    sessions = db.session.execute(select(*per_quarter(PolicingSession.held_on),
                                         *per_quarter(PolicingSession.held_on, headcount)).where(
        PolicingSession.municipality_id.in_(munis), PolicingSession.status == "held",
        PolicingSession.held_on.between(*window))).one()
    n = len(quarters)
    as_ints = lambda row: [int(v or 0) for v in row]  # noqa: E731
    return {"referred": as_ints(youth), "enrolled": as_ints(enrolled), "sessions": as_ints(sessions[:n]),
            "attendance": as_ints(sessions[n:])}
