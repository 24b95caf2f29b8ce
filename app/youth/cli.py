import click
from flask import current_app
from flask.cli import AppGroup

from app.cases.lifecycle import anonymize
from app.dates import local_today as today
from app.extensions import db
from app.youth.privacy import cases_due_for_retention

privacy_cli = AppGroup("privacy", help="Data retention.")


@privacy_cli.command("retention")
@click.option("--years", type=int, default=None, help="Years after closing (default: RETENTION_YEARS, 5).")
@click.option("--dry-run", is_flag=True, help="Only count the cases.")
def retention_command(years: int | None, dry_run: bool):
    """Anonymize cases closed more than N years ago: identifiers erased,
    counts kept."""
    years = years or current_app.config["RETENTION_YEARS"]
    cases = db.session.scalars(cases_due_for_retention(years, today())).all()
    if dry_run:
        click.echo(f"{len(cases)} cases closed more than {years} years ago would be anonymized.")
        return
    for youth in cases:
        anonymize(youth, detail=f"retention_years={years}")
    db.session.commit()
    click.echo(f"{len(cases)} cases anonymized (closed more than {years} years ago).")
