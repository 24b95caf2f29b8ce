"""Registers every `flask` command group."""

import subprocess  # nosec B404 - fixed pybabel commands, no shell
import sys

import click
from flask import Flask
from flask.cli import AppGroup

translate_cli = AppGroup("translate", help="Translation catalogs.")
POT = "translations/messages.pot"


def _babel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)  # nosec B603


@translate_cli.command("extract")
def extract():
    """Extract messages from the code and templates into the .pot file."""
    _babel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_pgettext:1c,2",
           "--no-location", "--sort-output", "-o", POT, ".")


@translate_cli.command("update")
def update():
    """Extract, then merge new messages into every catalog. The English
    catalog mirrors the message ids (they are English)."""
    extract.callback()
    _babel("update", "-i", POT, "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete",
           "--width", "100")  # the width the catalogs are kept at: an update rewraps nothing else
    fill_english("translations/en/LC_MESSAGES/messages.po")


def fill_english(path: str) -> None:
    from babel.messages.pofile import read_po, write_po

    with open(path, "rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)


@translate_cli.command("compile")
def compile_catalogs():
    """Compile the catalogs (.po -> .mo)."""
    _babel("compile", "-d", "translations", "--statistics")
    click.echo("Catalogs compiled.")


def init_app(app: Flask) -> None:
    from app.accounts.cli import users_cli
    from app.audit.cli import audit_cli
    from app.backup.cli import backup_cli
    from app.demo.cli import demo_cli
    from app.geo.cli import geo_cli
    from app.policing.cli import sessions_cli
    from app.reports.cli import reports_cli
    from app.screening.cli import instruments_cli
    from app.security.cli import keys_cli
    from app.submissions import forms_cli
    from app.youth.cli import privacy_cli

    for group in (translate_cli, geo_cli, users_cli, demo_cli, audit_cli, keys_cli, instruments_cli, privacy_cli,
                  sessions_cli, reports_cli, backup_cli, forms_cli):
        app.cli.add_command(group)
