"""The refresh job: the only writer of the stored summary cells.

Summary pages read the stored releases and never compute (issue #14: a read
that only reads, and the first view after a bulk load as fast as any other).
`refresh_releases` recomputes the stale cells of every period the pages offer
(and every year since the first referral), one transaction per period, then
records the run: every cell it covered reflects every change committed before
the run started, which is what the pages show as "data as of". Run it from a
timer (docs/operations.md) — with one host running it, two runs never overlap;
if they do, the cell rows' upsert keeps them correct."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from app.extensions import db
from app.geo.models import Municipality
from app.reports import aggregates
from app.reports.models import SummaryRefresh
from app.reports.periods import Period, fiscal_start_month, fiscal_year_of, offered
from app.youth.models import Youth
from app.youth.services import today


@dataclass(frozen=True)
class Run:
    started_at: datetime
    cells: int
    pruned: int


def releases(since: int | None) -> list[Period]:
    """Every quarter, year and fiscal year from `since` (default: the first referral's year) to
    today's, and every period the summary pages offer with the quarters of its trend, each once."""
    day = today()
    first = since or (db.session.scalar(select(func.min(Youth.referred_on))) or day).year
    found: dict[str, Period] = {}
    for period in offered(day):  # each with the 8 quarters of its trend
        for shown in (period, *period.quarters_back(8, until=day)):
            found.setdefault(shown.cell_key, shown)
    fiscal = fiscal_start_month() != 1  # with a January start, fiscal years are the calendar years
    for year in range(first, fiscal_year_of(day) + 1 if fiscal else day.year + 1):
        if year <= day.year:
            for period in (Period.year(year), *(Period.quarter(year, q) for q in range(1, 5))):
                found.setdefault(period.cell_key, period)
        if fiscal:
            period = Period.fiscal_year(year)
            found.setdefault(period.cell_key, period)
    return sorted(found.values(), key=lambda p: (p.start, p.end))


def refresh_releases(since: int | None = None, progress: Callable[[str], None] | None = None) -> Run:
    started = datetime.now(UTC)
    day = today()
    total = 0
    for period in releases(since):
        count = aggregates.refresh(select(Municipality.id), [period], day)
        db.session.commit()
        total += count
        if count and progress:
            progress(f"{period.key}: {count} cells recomputed")
    pruned = aggregates.prune()
    db.session.execute(insert(SummaryRefresh).values(started_at=started, finished_at=datetime.now(UTC), cells=total))
    db.session.commit()
    return Run(started, total, pruned)


def data_as_of() -> datetime | None:
    """When the last finished refresh started (None before the first one)."""
    return db.session.scalar(select(func.max(SummaryRefresh.started_at)))
