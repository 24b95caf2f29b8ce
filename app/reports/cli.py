"""`flask reports refresh`: compute every stale summary cell ahead of the
first reader (after a bulk load, or nightly when consent runs out)."""

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.extensions import db
from app.geo.models import Municipality
from app.reports import aggregates
from app.reports.periods import Period
from app.youth.models import Youth
from app.youth.services import today

reports_cli = AppGroup("reports", help="Outcome summaries.")


@reports_cli.command("refresh")
@click.option("--since", type=int, default=None, help="First year (default: the year of the first referral).")
def refresh_command(since: int | None) -> None:
    """Bring the stored cells of every municipality up to date, for every
    quarter and year from SINCE to this year; one transaction per period."""
    day = today()
    first = since or (db.session.scalar(select(func.min(Youth.referred_on))) or day).year
    municipalities = select(Municipality.id)
    total = 0
    for year in range(first, day.year + 1):
        for period in (Period.year(year), *(Period.quarter(year, q) for q in range(1, 5))):
            count = aggregates.refresh(municipalities, [period], day)
            db.session.commit()
            total += count
            if count:
                click.echo(f"{period.key}: {count} cells recomputed")
    pruned = aggregates.prune()
    db.session.commit()
    click.echo(f"{total} cells recomputed; the others were current. {pruned} logged changes no longer needed.")
