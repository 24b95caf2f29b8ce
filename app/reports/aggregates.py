"""Summaries from the maintained aggregates: per municipality × period cells
(every published period — quarter, year, fiscal year — has its own cells,
computed from the base tables over its dates: distinct youth, means' sums
and end-of-period states do not add up over quarters),
refreshed incrementally when they are read (the way DHIS2 keeps analytics
tables), then summed in SQL up to the level asked for.

A cell is recomputed from the base tables (`indicators.measure`) when it is
missing, when a change to its municipality logged since reaches its period
(a change dated D reaches periods ending on or after D), or when a youth of
the municipality has lost (or, with the clock turned back, regained)
consent to statistics between the day the cell was computed and today. The
numbers are therefore the same as the base-table SQL at every moment; the
page only pays for what changed."""

from collections import defaultdict
from datetime import date

from sqlalchemy import bindparam, delete, func, insert, select, update

from app.extensions import db
from app.geo.models import Department, Municipality
from app.reports.indicators import KEY, Series, measure, unit_column
from app.reports.models import SummaryCell, SummaryChange, SummaryValue, SummaryVersion
from app.reports.periods import Period
from app.reports.sql import upsert
from app.youth.models import Youth

TREND_KEYS = {"referred": "referred", "enrolled": "enrollments_started", "sessions": "sessions",
              "attendance": "attendance"}


def refresh(municipalities, periods: list[Period], today: date) -> int:
    """Recompute the stale cells of these municipalities (ids, or a select of
    ids) and periods; returns how many cells were recomputed."""
    by_key = {p.cell_key: p for p in periods}
    versions = dict(db.session.execute(
        select(Municipality.id, func.coalesce(SummaryVersion.version, 0))
        .outerjoin(SummaryVersion, SummaryVersion.municipality_id == Municipality.id)
        .where(Municipality.id.in_(municipalities))).all())
    cells = {(c.period, c.municipality_id): c for c in db.session.execute(
        select(SummaryCell.period, SummaryCell.municipality_id, SummaryCell.version, SummaryCell.consent_day)
        .where(SummaryCell.period.in_(by_key), SummaryCell.municipality_id.in_(municipalities)))}
    changes = _changes_since(versions, cells.values())
    consent_moved = _consent_moved(versions, [c.consent_day for c in cells.values()], today)
    stale: dict[str, list[int]] = defaultdict(list)
    current = []  # cells that no change reaches: they are up to date at today's version
    for key, period in by_key.items():
        for municipality_id, version in versions.items():
            cell = cells.get((key, municipality_id))
            if (cell is None
                    or any(v > cell.version and day <= period.end for v, day in changes.get(municipality_id, ()))
                    or (cell.consent_day != today and municipality_id in consent_moved)):
                stale[key].append(municipality_id)
            elif cell.version != version or cell.consent_day != today:
                current.append({"p": key, "m": municipality_id, "v": version})
    if current:  # so that the next reader looks at fewer changes and one day of expiries only
        table = SummaryCell.__table__
        db.session.execute(update(table).where(table.c.period == bindparam("p"), table.c.municipality_id == bindparam("m"))
                           .values(version=bindparam("v"), consent_day=today), current)
    for key, ids in stale.items():
        _store(by_key[key], ids, {i: versions[i] for i in ids}, today)
    return sum(len(ids) for ids in stale.values())


def _changes_since(versions: dict[int, int], cells) -> dict[int, list[tuple[int, date]]]:
    """Per municipality, the changes (version, from day) newer than its oldest stored cell."""
    oldest: dict[int, int] = {}
    for cell in cells:
        if cell.version < versions[cell.municipality_id]:
            oldest[cell.municipality_id] = min(oldest.get(cell.municipality_id, cell.version), cell.version)
    if not oldest:
        return {}
    found: dict[int, list] = defaultdict(list)
    rows = db.session.execute(select(SummaryChange.municipality_id, SummaryChange.version, SummaryChange.from_day)
                              .where(SummaryChange.municipality_id.in_(oldest),
                                     SummaryChange.version > min(oldest.values())))
    for municipality_id, version, from_day in rows:
        found[municipality_id].append((version, from_day))
    return found


def prune() -> int:
    """Forget the changes that every stored cell of their municipality already includes."""
    covered = (select(func.min(SummaryCell.version)).where(SummaryCell.municipality_id == SummaryChange.municipality_id)
               .scalar_subquery())
    result = db.session.execute(delete(SummaryChange).where(SummaryChange.version <= func.coalesce(covered, 2**62))
                                .execution_options(synchronize_session=False))
    return result.rowcount


def _consent_moved(versions: dict, consent_days: list[date], today: date) -> set[int]:
    """Municipalities with a youth whose consent to statistics ended (or began
    to count again) between the days the cells were computed and today."""
    days = [d for d in consent_days if d != today]
    if not days:
        return set()
    low, high = min([*days, today]), max([*days, today])
    return set(db.session.scalars(
        select(Youth.municipality_id).where(Youth.municipality_id.in_(list(versions)),
                                            Youth.statistics_consent_until >= low,
                                            Youth.statistics_consent_until < high).distinct()))


def _store(period: Period, ids: list[int], versions: dict[int, int], today: date) -> None:
    """Compute cells from the base tables and replace what was stored."""
    values = measure(ids, Municipality.id, period, today)
    statement = upsert(SummaryCell)
    rows = [{"period": period.cell_key, "municipality_id": i, "version": versions[i], "consent_day": today}
            for i in sorted(ids)]
    # The cell rows first: on PostgreSQL their row locks keep two refreshes of a cell one after the other.
    db.session.execute(statement.values(rows).on_conflict_do_update(
        index_elements=["period", "municipality_id"],
        set_={"version": statement.excluded.version, "consent_day": statement.excluded.consent_day}))
    db.session.execute(delete(SummaryValue).where(SummaryValue.period == period.cell_key,
                                                  SummaryValue.municipality_id.in_(ids)))
    new = [{"period": period.cell_key, "municipality_id": i, "key": key, "value": round(value),
            "cell_key": int(unit_values.get(key + KEY, 0)) % 256}
           for i, unit_values in values.items() for key, value in unit_values.items() if value and not key.endswith(KEY)]
    if new:
        db.session.execute(insert(SummaryValue), new)


def read(municipalities, level: str, period: Period) -> dict:
    """Unit -> key -> value for one period, summed over the municipalities of each unit, with
    each value's cell key (the sum of the municipalities' keys) as ``key + KEY``."""
    unit = unit_column(level).label("unit")
    rows = db.session.execute(
        select(unit, SummaryValue.key, func.sum(SummaryValue.value), func.sum(SummaryValue.cell_key))
        .join(Municipality, Municipality.id == SummaryValue.municipality_id)
        .join(Department, Department.id == Municipality.department_id)
        .where(SummaryValue.period == period.cell_key, SummaryValue.municipality_id.in_(municipalities))
        .group_by(unit, SummaryValue.key))
    values: dict = defaultdict(lambda: defaultdict(float))
    for unit_code, key, value, cell_key in rows:
        values[unit_code][key] = float(value)
        values[unit_code][key + KEY] = float(cell_key % 256)
    return values


def read_trend(municipalities, quarters: list[Period]) -> Series:
    """The trend series, one (count, cell key) per quarter, over all the municipalities."""
    rows = db.session.execute(
        select(SummaryValue.period, SummaryValue.key, func.sum(SummaryValue.value), func.sum(SummaryValue.cell_key))
        .where(SummaryValue.period.in_([q.cell_key for q in quarters]), SummaryValue.key.in_(TREND_KEYS.values()),
               SummaryValue.municipality_id.in_(municipalities))
        .group_by(SummaryValue.period, SummaryValue.key))
    found = {(period, key): (int(value), int(cell_key) % 256) for period, key, value, cell_key in rows}
    return {name: [found.get((q.cell_key, key), (0, 0)) for q in quarters] for name, key in TREND_KEYS.items()}

