"""`flask reports refresh`: compute every stale summary cell ahead of the
first reader (after a bulk load, or nightly when consent runs out)."""

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.extensions import db
from app.geo.models import Municipality
from app.reports import aggregates
from app.reports.periods import Period, fiscal_start_month, fiscal_year_of
from app.youth.models import Youth
from app.youth.services import today

reports_cli = AppGroup("reports", help="Outcome summaries.")


@reports_cli.command("refresh")
@click.option("--since", type=int, default=None, help="First year (default: the year of the first referral).")
def refresh_command(since: int | None) -> None:
    """Bring the stored cells of every municipality up to date, for every
    quarter, year and fiscal year from SINCE to this year; one transaction per period."""
    day = today()
    first = since or (db.session.scalar(select(func.min(Youth.referred_on))) or day).year
    municipalities = select(Municipality.id)
    total = 0
    fiscal = fiscal_start_month() != 1  # with a January start, fiscal years are the calendar years
    for year in range(first, fiscal_year_of(day) + 1 if fiscal else day.year + 1):
        releases = [] if year > day.year else [Period.year(year), *(Period.quarter(year, q) for q in range(1, 5))]
        for period in (*releases, *([Period.fiscal_year(year)] if fiscal else [])):
            count = aggregates.refresh(municipalities, [period], day)
            db.session.commit()
            total += count
            if count:
                click.echo(f"{period.key}: {count} cells recomputed")
    pruned = aggregates.prune()
    db.session.commit()
    click.echo(f"{total} cells recomputed; the others were current. {pruned} logged changes no longer needed.")
