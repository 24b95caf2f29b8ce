"""Indicators computed in SQL: one GROUP BY query per source table, whatever
the number of units. Only youth with consent to statistics in force count.

Every value comes with its cell key (docs/perturbation.md): ``values[unit][key]``
is the count (or sum) and ``values[unit][key + KEY]`` the sum of the counted
records' ``record_key`` (weighted by what each record adds to a sum), which
`app.reports.summary` reduces mod 256 and perturbs."""

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
KEY = "@key"  # suffix of a value's cell-key sum


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


def keyed_count(name: str, condition, record_key) -> tuple:
    """A count of the rows meeting `condition` and the sum of their record keys."""
    return (count_if(condition).label(name), func.sum(case((condition, record_key), else_=0)).label(name + KEY))


def summed(name: str, amount, record_key) -> tuple:
    """A sum and its key: each unit a record adds carries the record's key."""
    return (func.sum(amount).label(name), func.sum(amount * record_key).label(name + KEY))


def every(name: str, record_key) -> tuple:
    """A count of every row and the sum of their record keys."""
    return (func.count().label(name), func.sum(record_key).label(name + KEY))


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
    youth_key = Youth.record_key
    rows = db.session.execute(base(
        *keyed_count("referred", referred, youth_key),
        *keyed_count("referred_f", and_(referred, Youth.sex == "F"), youth_key),
        *keyed_count("referred_m", and_(referred, Youth.sex == "M"), youth_key),
        *keyed_count("referred_x", and_(referred, Youth.sex == "X"), youth_key),
        *keyed_count("age_u12", and_(referred, age < 12), youth_key),
        *keyed_count("age_12_14", and_(referred, age.between(12, 14)), youth_key),
        *keyed_count("age_15_17", and_(referred, age.between(15, 17)), youth_key),
        *keyed_count("age_18_24", and_(referred, age.between(18, 24)), youth_key),
        *keyed_count("age_25", and_(referred, age >= 25), youth_key),
    ))
    _store(values, rows)

    baseline = (select(Screening.youth_id, Screening.level, Screening.record_key)
                .where(Screening.kind == "baseline", in_period(Screening.screened_on), Screening.youth_id.in_(counted))
                .subquery())
    screening_key = baseline.c.record_key
    rows = db.session.execute(base(
        *every("screened", screening_key),
        *keyed_count("level_primary", baseline.c.level == "primary", screening_key),
        *keyed_count("level_secondary", baseline.c.level == "secondary", screening_key),
        *keyed_count("level_tertiary", baseline.c.level == "tertiary", screening_key),
    ).join(baseline, baseline.c.youth_id == Youth.id))
    _store(values, rows)

    mark6_from, mark6_to = add_months(start, -6), add_months(end, -6)
    mark12_from, mark12_to = add_months(start, -12), add_months(end, -12)
    length = days_between(Enrollment.start_on, Enrollment.end_on)
    dropped_before = lambda days: and_(Enrollment.status == "dropped", length < days)  # noqa: E731
    cohort6 = Enrollment.start_on.between(mark6_from, mark6_to)
    cohort12 = Enrollment.start_on.between(mark12_from, mark12_to)
    ended = and_(Enrollment.end_on.is_not(None), in_period(Enrollment.end_on))
    enrollment_key = Enrollment.record_key
    rows = db.session.execute(base(
        *keyed_count("enrollments_started", in_period(Enrollment.start_on), enrollment_key),
        *keyed_count("cohort_6", cohort6, enrollment_key),
        *keyed_count("retained_6", and_(cohort6, ~dropped_before(183)), enrollment_key),
        *keyed_count("cohort_12", cohort12, enrollment_key),
        *keyed_count("retained_12", and_(cohort12, ~dropped_before(365)), enrollment_key),
        *keyed_count("exits", ended, enrollment_key),
        *keyed_count("completed", and_(ended, Enrollment.status == "completed"), enrollment_key),
        *keyed_count("dropped", and_(ended, Enrollment.status == "dropped"), enrollment_key),
    ).join(Enrollment, Enrollment.youth_id == Youth.id))
    _store(values, rows)

    # Youth counts (enrolled, active): one row per youth, so that each youth's key counts once.
    per_youth = (select(Enrollment.youth_id,
                        func.max(case((in_period(Enrollment.start_on), 1), else_=0)).label("started"),
                        func.max(case((or_(Enrollment.end_on.is_(None), Enrollment.end_on > end), 1),
                                      else_=0)).label("active"))
                 .where(Enrollment.start_on <= end, Enrollment.youth_id.in_(counted))
                 .group_by(Enrollment.youth_id).subquery())
    rows = db.session.execute(base(
        *keyed_count("enrolled", per_youth.c.started == 1, youth_key),
        *keyed_count("active", per_youth.c.active == 1, youth_key),
    ).join(per_youth, per_youth.c.youth_id == Youth.id))
    _store(values, rows)

    # Only the screenings of youth reassessed in the period (and not later
    # ones): the window functions then sort a small share of the table.
    reassessed_youth = (select(Screening.youth_id).where(Screening.kind == "reassessment", in_period(Screening.screened_on),
                                                         Screening.youth_id.in_(counted))
                        .distinct().scalar_subquery())
    of_reassessed = and_(Screening.youth_id.in_(reassessed_youth), Screening.screened_on <= end)
    previous = func.lag(Screening.screened_on).over(partition_by=Screening.youth_id, order_by=Screening.screened_on)
    timeline = (select(Screening.youth_id, Screening.kind, Screening.screened_on, Screening.record_key,
                       previous.label("previous"))
                .where(of_reassessed).subquery())
    is_reassessment = and_(timeline.c.kind == "reassessment", in_period(timeline.c.screened_on))
    on_time = and_(is_reassessment, days_between(timeline.c.previous, timeline.c.screened_on) <= 213)
    rows = db.session.execute(base(
        *keyed_count("reassessed", is_reassessment, timeline.c.record_key),
        *keyed_count("on_time", on_time, timeline.c.record_key),
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
    was_secondary = first_last.c.first_level == "secondary"
    rows = db.session.execute(base(
        *every("risk_youth", youth_key),
        *summed("scales_baseline_sum", first_last.c.first_scales, youth_key),
        *summed("scales_latest_sum", first_last.c.last_scales, youth_key),
        *keyed_count("secondary_baseline", was_secondary, youth_key),
        *keyed_count("no_longer_eligible", and_(was_secondary, first_last.c.last_level == "primary"), youth_key),
    ).join(first_last, first_last.c.youth_id == Youth.id))
    _store(values, rows)

    latest = (select(FollowUp.youth_id, func.max(FollowUp.id).label("latest_id"),
                     func.max(case((FollowUp.new_justice_contact, 1), else_=0)).label("justice"),
                     func.max(FollowUp.followup_on).label("on"))
              .where(in_period(FollowUp.followup_on), FollowUp.youth_id.in_(counted)).group_by(FollowUp.youth_id).subquery())
    last_f = FollowUp.__table__.alias("last_f")
    working_age = (year_of(latest.c.on) - Youth.birth_year) >= 15
    rows = db.session.execute(base(
        *every("followed", youth_key),
        *keyed_count("school_intake", Youth.school_status == "enrolled", youth_key),
        *keyed_count("school_latest", last_f.c.in_school, youth_key),
        *keyed_count("working_age", working_age, youth_key),
        *keyed_count("working_intake", and_(working_age, Youth.work_status == "working"), youth_key),
        *keyed_count("working_latest", and_(working_age, last_f.c.working), youth_key),
        *summed("justice", latest.c.justice, youth_key),
    ).join(latest, latest.c.youth_id == Youth.id).join(last_f, last_f.c.id == latest.c.latest_id))
    _store(values, rows)

    reason = func.coalesce(Enrollment.exit_reason, "other").label("reason")
    rows = db.session.execute(base(reason, func.count().label("n"), func.sum(enrollment_key).label("k"))
                              .join(Enrollment, Enrollment.youth_id == Youth.id)
                              .where(Enrollment.status == "dropped", in_period(Enrollment.end_on)).group_by(reason))
    for row in rows:
        values[row.unit][f"{EXIT}{row.reason}"] += row.n
        values[row.unit][f"{EXIT}{row.reason}{KEY}"] += row.k

    # Enrolled youth at sessions: the same consent rule as every youth count (the base), in the youth's own
    # municipality, so that a withdrawal makes that municipality's cells stale. Head-counts stay anonymous.
    attended = (select(Attendance.youth_id).join(PolicingSession, PolicingSession.id == Attendance.session_id)
                .where(PolicingSession.status == "held", in_period(PolicingSession.held_on),
                       Attendance.youth_id.in_(counted))
                .distinct().subquery())
    rows = db.session.execute(base(*every("youth_at_sessions", youth_key))
                              .join(attended, attended.c.youth_id == Youth.id))
    _store(values, rows)

    _sessions(values, municipalities, unit, period)
    for unit_values in values.values():  # cell keys are sums mod 256: the stored aggregates keep them so
        for key in [k for k in unit_values if k.endswith(KEY)]:
            unit_values[key] = float(int(unit_values[key]) % 256)
    return values


def _sessions(values, municipalities, unit, period: Period) -> None:
    """Sessions and their anonymous head-counts (G.R.E.A.T. graduates included): no youth record is read."""
    column = unit.label("unit")
    held = and_(PolicingSession.status == "held", PolicingSession.held_on.between(period.start, period.end))
    session_key = PolicingSession.record_key
    kinds = [c for kind in policing_codes.KINDS
             for c in keyed_count(f"s_{kind}", and_(held, PolicingSession.kind == kind), session_key)]
    in_held = lambda amount: case((held, amount), else_=0)  # noqa: E731 - a head-count of held sessions only
    rows = db.session.execute(
        select(column, *keyed_count("sessions", held, session_key), *kinds,
               *summed("attendance", in_held(PolicingSession.female + PolicingSession.male
                                             + PolicingSession.sex_not_recorded), session_key),
               *summed("attendance_f", in_held(PolicingSession.female), session_key),
               *summed("attendance_m", in_held(PolicingSession.male), session_key),
               *summed("attendance_x", in_held(PolicingSession.sex_not_recorded), session_key))
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
        select(column, *every("cohorts_completed", GreatCohort.record_key),
               *summed("graduates", func.coalesce(graduates.c.n, 0), GreatCohort.record_key))
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


def exit_reasons(values: dict) -> dict[str, tuple[int, int]]:
    """Dropouts by exit reason over every unit of `values`: reason -> (count, cell key)."""
    reasons: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for unit_values in values.values():
        for key, n in unit_values.items():
            if key.startswith(EXIT) and not key.endswith(KEY):
                reason = key.removeprefix(EXIT)
                reasons[reason][0] += int(n)
                reasons[reason][1] += int(unit_values.get(key + KEY, 0))
    return {reason: (n, cell_key % 256) for reason, (n, cell_key) in reasons.items()}


Series = dict[str, list[tuple[int, int]]]  # trend name -> (count, cell key) per quarter


def trend(user: User, breakdown: Breakdown, quarters: list[Period], today: date) -> Series:
    """Referred, enrolled, sessions and attendance per quarter, for the whole scope, with their
    cell keys, from the base tables: the reference `aggregates.read_trend` equals (tests, benchmark)."""
    munis = scoped_municipalities(user, breakdown)

    def per_quarter(column, value=literal(1), key=None):
        return [func.sum(case((column.between(q.start, q.end), value * key if key is not None else value), else_=0))
                for q in quarters]

    def both(column, key, value=literal(1)):
        return [*per_quarter(column, value), *per_quarter(column, value, key)]

    window = (quarters[0].start, quarters[-1].end)
    youth = db.session.execute(select(*both(Youth.referred_on, Youth.record_key)).where(
        Youth.municipality_id.in_(munis), Youth.statistics_consent_until >= today,
        Youth.referred_on.between(*window))).one()
    enrolled = db.session.execute(select(*both(Enrollment.start_on, Enrollment.record_key))
                                  .join(Youth, Youth.id == Enrollment.youth_id).where(
        Youth.municipality_id.in_(munis), Youth.statistics_consent_until >= today,
        Enrollment.start_on.between(*window))).one()
    headcount = PolicingSession.female + PolicingSession.male + PolicingSession.sex_not_recorded
    key = PolicingSession.record_key
    sessions = db.session.execute(select(*both(PolicingSession.held_on, key),
                                         *both(PolicingSession.held_on, key, headcount)).where(
        PolicingSession.municipality_id.in_(munis), PolicingSession.status == "held",
        PolicingSession.held_on.between(*window))).one()
    n = len(quarters)

    def pairs(row) -> list[tuple[int, int]]:
        return [(int(row[i] or 0), int(row[n + i] or 0) % 256) for i in range(n)]

    return {"referred": pairs(youth), "enrolled": pairs(enrolled), "sessions": pairs(sessions[:2 * n]),
            "attendance": pairs(sessions[2 * n:])}
