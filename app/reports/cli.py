"""`flask reports refresh`: the job that brings the stored summary cells up to
date (app/reports/jobs.py). The pages only read; run it on a timer (every few
minutes, docs/operations.md), after a bulk load and after a restore."""

import click
from flask.cli import AppGroup

from app.reports.jobs import refresh_releases

reports_cli = AppGroup("reports", help="Outcome summaries.")


@reports_cli.command("refresh")
@click.option("--since", type=int, default=None, help="First year (default: the year of the first referral).")
def refresh_command(since: int | None) -> None:
    """Bring the stored cells of every municipality up to date, for every
    quarter, year and fiscal year from SINCE to this year and every period the
    pages offer; one transaction per period."""
    run = refresh_releases(since, progress=click.echo)
    click.echo(f"{run.cells} cells recomputed; the others were current. {run.pruned} logged changes no longer "
               f"needed. Data as of {run.started_at:%Y-%m-%d %H:%M:%S} UTC.")
