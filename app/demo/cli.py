"""`flask demo load`: demo organizations, accounts, about 60 hand-built cases
and 150 sessions (app/demo/youth.py, sessions.py), and on top of them the
generated demo population of about 2,000 youth (app/demo/population.py).
Idempotent; never in production. The tests' template database loads the
hand-built layer only (`load_demo()`)."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.models import Organization, User
from app.accounts.services import create_user
from app.audit.service import record
from app.extensions import db
from app.geo.models import Municipality
from app.geo.services import DEFAULT_FILE, load

demo_cli = AppGroup("demo", help="Demo data.")

SV_MUNICIPALITIES = ["SV-SS-001", "SV-SS-002", "SV-SS-003", "SV-LI-006", "SV-SA-001"]
HN_MUNICIPALITIES = ["HN0801", "HN0501"]

ORGANIZATIONS = [
    # name, kind, country, municipalities served
    ("Fundación Senderos", "ngo", "SV", SV_MUNICIPALITIES),
    ("PNC Policía Comunitaria San Salvador", "police_unit", "SV", SV_MUNICIPALITIES[:3]),
    ("Asociación Caminos Honduras", "ngo", "HN", HN_MUNICIPALITIES),
    ("Senda — administración", "ministry", "SV", []),
    ("Oficina de Protección de Datos", "ministry", "SV", []),
]

ACCOUNTS = [
    # username, full name, role, organization, scope codes, locale
    ("admin", "Ana Administradora", "admin", "Senda — administración", [], "es"),
    ("coord.sv", "Carlos Coordinador Martínez", "coordinator", "Fundación Senderos", SV_MUNICIPALITIES, "es"),
    ("worker.sv", "Wendy Trabajadora López", "social_worker", "Fundación Senderos", SV_MUNICIPALITIES[:3], "es"),
    ("worker2.sv", "Walter Gómez Rivas", "social_worker", "Fundación Senderos", SV_MUNICIPALITIES[3:], "es"),
    ("worker.hn", "Xiomara Trabajadora Flores", "social_worker", "Asociación Caminos Honduras", HN_MUNICIPALITIES, "es"),
    ("police.sv", "Pedro Policía Hernández", "police", "PNC Policía Comunitaria San Salvador", SV_MUNICIPALITIES[:3], "es"),
    ("manager.sv", "María Gerente Castillo", "ngo_manager", "Fundación Senderos", ["SV"], "es"),
    ("auditor", "Aurora Auditora Pineda", "auditor", "Oficina de Protección de Datos", [], "es"),
]


def load_demo(population: bool = False) -> list[str]:
    """Create what is missing; returns the usernames created. The hand-built
    layer always; the generated demo population (about 2,000 youth over
    thirteen municipalities) only with `population` (`flask demo load` asks
    for it; the tests, which rely on the hand-built cases, do not)."""
    if db.session.scalar(select(Municipality.id).limit(1)) is None:
        load(DEFAULT_FILE.read_text(encoding="utf-8"))
    orgs = {}
    for name, kind, country, codes in ORGANIZATIONS:
        org = db.session.scalar(select(Organization).where(Organization.name == name))
        if org is None:
            org = Organization(name=name, kind=kind, country_code=country)
            org.municipalities = [
                db.session.scalar(select(Municipality).where(Municipality.code == c)) for c in codes
            ]
            db.session.add(org)
        orgs[name] = org
    created = []
    password = current_app.config["DEMO_PASSWORD"]
    for username, full_name, role, org_name, codes, locale in ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        user, _ = create_user(
            username=username, full_name=full_name, email=f"{username}@demo.example.org",
            role=role, organization=orgs[org_name], scope_codes=codes, locale=locale,
            password=password,
        )
        record("user.create", object_type="user", object_id=user.id, detail=f"role={role};via=demo")
        created.append(username)
    db.session.flush()
    from app.demo.youth import load_demo_youth
    from app.youth.services import today

    load_demo_youth(today())
    from app.demo.sessions import load_demo_sessions

    load_demo_sessions(today())
    db.session.flush()
    if population:
        from app.demo.population import load_population

        load_population(today())
    return created


@demo_cli.command("load")
def load_command():
    """Load the demo organizations, accounts, cases and population (idempotent)."""
    if not current_app.config.get("ALLOW_DEMO"):
        click.echo("Demo data is never loaded in production.", err=True)
        sys.exit(1)
    created = load_demo(population=True)
    db.session.commit()
    click.echo(f"Demo data ready ({len(created)} accounts created).")
    click.echo(f"Demo accounts (password {current_app.config['DEMO_PASSWORD']}):")
    for username, _, role, org, _, _ in ACCOUNTS:
        click.echo(f"  {username:<11} {role:<14} {org}")
