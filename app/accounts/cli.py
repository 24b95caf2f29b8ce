import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.models import Organization
from app.accounts.roles import ROLES
from app.accounts.services import ScopeError, create_user, username_taken
from app.audit.service import record
from app.extensions import db

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org_name", required=True, help="Organization name (created as a ministry if new, with --country).")
@click.option("--country", default="SV", show_default=True, help="Country of a new organization.")
@click.option("--name", "full_name", default=None, help="Full name (default: the username).")
@click.option("--email", default=None)
@click.option("--scope", default="", help="Comma-separated scope codes, e.g. SV or SV-SS,SV-SS-001.")
def create_command(username, role, org_name, country, full_name, email, scope):
    """Create a user (the first admin, typically). Prints a temporary
    password that must be changed at first login."""
    if username_taken(username):
        click.echo(f"User {username!r} already exists.", err=True)
        sys.exit(1)
    org = db.session.scalar(select(Organization).where(Organization.name == org_name))
    if org is None:
        org = Organization(name=org_name, kind="ministry", country_code=country.upper())
        db.session.add(org)
    try:
        user, temp = create_user(
            username=username, full_name=full_name or username, email=email, role=role,
            organization=org, scope_codes=scope.split(","),
        )
    except ScopeError as exc:
        db.session.rollback()
        click.echo(f"Unknown scope code {exc.code!r} (load the geography first: flask geo load).", err=True)
        sys.exit(1)
    record("user.create", object_type="user", object_id=user.id, detail=f"role={role};via=cli")
    db.session.commit()
    click.echo(f"Created {user.username} ({role}). Temporary password: {temp}")
