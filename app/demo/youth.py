"""Demo youth: about 60 cases across the demo municipalities, in every
status, with consent, screenings, enrollments, contacts and follow-ups over
the last 18 months. Deterministic (seeded), built through the services."""

import random
from datetime import date, timedelta

import yaml
from sqlalchemy import select

from app.accounts.models import Organization, User
from app.casework.models import CaseNote, FollowUp, Goal, ServiceContact
from app.extensions import db
from app.geo.models import Municipality
from app.programs.models import Program
from app.programs.services import enroll
from app.screening.services import INSTRUMENT_DIR, definition_of, load_definition, record_screening
from app.youth import codes
from app.youth.models import Consent, Youth
from app.youth.services import change_status, refresh_consent, set_identity

GIVEN_F = ["María José", "Ana Gabriela", "Karla Beatriz", "Sofía", "Daniela", "Yesenia", "Fátima", "Andrea",
           "Gabriela", "Claudia", "Jennifer", "Katherine", "Rocío", "Paola", "Alejandra"]
GIVEN_M = ["José Luis", "Carlos Alberto", "Juan Pablo", "Kevin", "Brayan", "Óscar", "Jonathan", "Luis Fernando",
           "Josué", "Edwin", "Mario", "Ángel", "Cristian", "Wilber", "Elmer"]
FAMILY = ["Hernández", "López", "Martínez", "Rivera", "Ramírez", "Flores", "Cruz", "Mejía", "Portillo",
          "Orellana", "Alvarado", "Zelaya", "Argueta", "Chávez", "Guzmán", "Escobar", "Castro", "Ayala"]
COMMUNITIES = ["Colonia Las Margaritas", "Barrio San Jacinto", "Colonia Zacamil", "Cantón El Matazano",
               "Reparto Los Santos", "Colonia La Campanera", "Barrio El Centro", "Comunidad Tutunichapa"]
PROGRAMS = [
    # organization, name, level, kind, municipality codes
    ("Fundación Senderos", "Centro de Alcance Juvenil Mejicanos", "primary", "outreach_center",
     ["SV-SS-001", "SV-SS-002", "SV-SS-003"]),
    ("Fundación Senderos", "Familias Fuertes", "secondary", "family_counseling", ["SV-SS-001", "SV-SS-002", "SV-SS-003"]),
    ("Fundación Senderos", "Taller Vocacional Santa Tecla", "secondary", "vocational_training", ["SV-LI-006", "SV-SA-001"]),
    ("Fundación Senderos", "Segunda Oportunidad", "tertiary", "reintegration", ["SV-SS-001", "SV-LI-006"]),
    ("Asociación Caminos Honduras", "Escuela Abierta Tegucigalpa", "primary", "school_based", ["HN0801", "HN0501"]),
    ("Asociación Caminos Honduras", "Deporte para la Paz", "secondary", "sports_culture", ["HN0801", "HN0501"]),
]
# target status -> how many demo cases end there
STATUS_MIX = [("referred", 6), ("screened", 6), ("enrolled", 8), ("active", 22), ("completed", 8),
              ("dropped", 5), ("transferred", 2), ("closed", 3)]


def load_instruments() -> None:
    for path in sorted(INSTRUMENT_DIR.glob("*.yaml")):
        load_definition(yaml.safe_load(path.read_text(encoding="utf-8")))


def demo_programs() -> dict[str, list[Program]]:
    by_org: dict[str, list[Program]] = {}
    for org_name, name, level, kind, munis in PROGRAMS:
        org = db.session.scalar(select(Organization).where(Organization.name == org_name))
        program = db.session.scalar(select(Program).where(Program.name == name))
        if program is None:
            program = Program(organization_id=org.id, name=name, level=level, kind=kind, active=True)
            program.municipalities = list(db.session.scalars(select(Municipality).where(Municipality.code.in_(munis))))
            db.session.add(program)
        by_org.setdefault(org_name, []).append(program)
    db.session.flush()
    return by_org


def answers_for(instrument, rng: random.Random, risk: float) -> dict[str, int]:
    top = instrument.max_answer
    return {item.code: min(top, max(0, round(rng.gauss(risk * top, 0.8)))) for item in instrument.items()}


def load_demo_youth(today: date) -> int:
    """Create the demo cases if there are none; returns how many were made."""
    if db.session.scalar(select(Youth.id).limit(1)) is not None:
        return 0
    load_instruments()
    programs = demo_programs()
    from app.screening.services import active_instrument

    stored = active_instrument()
    instrument = definition_of(stored)
    rng = random.Random(2026)
    workers = {u.username: u for u in db.session.scalars(select(User))}
    teams = [("worker.sv", ["SV-SS-001", "SV-SS-002", "SV-SS-003"], "Fundación Senderos"),
             ("worker2.sv", ["SV-LI-006", "SV-SA-001"], "Fundación Senderos"),
             ("worker.hn", ["HN0801", "HN0501"], "Asociación Caminos Honduras")]
    targets = [status for status, n in STATUS_MIX for _ in range(n)]
    made = 0
    for index, target in enumerate(targets):
        worker_name, munis, org_name = teams[0] if index % 3 != 2 else teams[2] if index % 6 == 5 else teams[1]
        worker = workers[worker_name]
        municipality = db.session.scalar(select(Municipality).where(Municipality.code == rng.choice(munis)))
        sex = rng.choice("FM")
        born = today - timedelta(days=rng.randint(11 * 365, 19 * 365))
        referred = today - timedelta(days=rng.randint(20, 540))
        youth = Youth(case_code=f"{municipality.code[:2]}-DEMO-{index + 1:04d}", organization_id=worker.organization_id,
                      created_by_id=worker.id, assigned_worker_id=worker.id, municipality_id=municipality.id,
                      sex=sex, school_status=rng.choice(list(codes.SCHOOL_STATUSES)),
                      work_status=rng.choice(list(codes.WORK_STATUSES)),
                      referral_source=rng.choice(list(codes.REFERRAL_SOURCES)), status=codes.REFERRED,
                      referred_on=referred, version=1)
        given = rng.choice(GIVEN_F if sex == "F" else GIVEN_M)
        set_identity(youth, given, rng.choice(FAMILY), rng.choice(FAMILY + [None]), born)
        youth.community = rng.choice(COMMUNITIES)
        youth.guardian_name = f"{rng.choice(GIVEN_F)} {youth.family_name_1}"
        youth.guardian_contact = f"7{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
        db.session.add(youth)
        db.session.flush()
        made += 1
        if target == codes.REFERRED:
            continue
        for purpose in ("services", "statistics") if index % 9 else ("services",):
            db.session.add(Consent(youth_id=youth.id, purpose=purpose, given_by="both" if youth.age_on(today) < 18 else "youth",
                                   given_on=referred, recorded_by_id=worker.id))
        db.session.flush()
        refresh_consent(youth, today)
        screened = referred + timedelta(days=rng.randint(3, 15))
        risk = rng.choice([0.2, 0.45, 0.6])
        flags = {"gang_involvement": risk > 0.55 and rng.random() < 0.3, "justice_contact": rng.random() < 0.1}
        screening = record_screening(youth, stored, answers_for(instrument, rng, risk), flags, screened, worker)
        if target in (codes.SCREENED,) or (target == codes.CLOSED and index % 2):
            if target == codes.CLOSED:
                change_status(youth, codes.CLOSED, worker, screened + timedelta(days=5), "not_eligible")
            continue
        options = [p for p in programs[org_name] if municipality in p.municipalities]
        matching = [p for p in options if p.level == screening.level] or options
        start = screened + timedelta(days=rng.randint(2, 20))
        enroll(youth, rng.choice(matching), start, worker)
        if target == codes.ENROLLED:
            continue
        add_casework(youth, worker, rng, start, today, instrument, stored)
        if target in codes.EXIT_STATUSES:
            exit_on = min(today, start + timedelta(days=rng.randint(60, 300)))
            reason = {"completed": "plan_completed", "dropped": rng.choice(["lost_contact", "declined", "moved_away"]),
                      "transferred": "other_program", "closed": "moved_away"}[target]
            change_status(youth, target, worker, exit_on, reason)
    return made


def add_casework(youth: Youth, worker: User, rng: random.Random, start: date, today: date, instrument, stored) -> None:
    goal = Goal(youth_id=youth.id, created_by_id=worker.id, status=rng.choice(["open", "in_progress", "achieved"]))
    goal.description = rng.choice(["Volver a la escuela este año", "Terminar el taller de panadería",
                                   "Mejorar la comunicación con la familia", "Participar en el equipo de fútbol"])
    db.session.add(goal)
    day = start + timedelta(days=rng.randint(1, 10))
    first = True
    while day < today and day < start + timedelta(days=400):
        contact = ServiceContact(youth_id=youth.id, kind=rng.choice(["individual", "family", "group"]),
                                 contact_on=day, minutes=rng.choice([30, 45, 60, 90]), worker_id=worker.id)
        db.session.add(contact)
        youth.last_contact_on = day
        if first:
            change_status(youth, codes.ACTIVE, worker, day, manual=False)
            first = False
        day += timedelta(days=rng.randint(10, 45))
    for months in (6, 12):
        on = start + timedelta(days=30 * months)
        if on >= today:
            break
        screening = None
        if youth.status in codes.IN_PROGRAM and rng.random() < 0.75:
            screening = record_screening(youth, stored, answers_for(instrument, rng, rng.choice([0.15, 0.3, 0.5])),
                                         {"gang_involvement": False, "justice_contact": False}, on, worker)
        db.session.add(FollowUp(youth_id=youth.id, followup_on=on, in_school=rng.random() < 0.7,
                                working=rng.random() < 0.3, new_justice_contact=rng.random() < 0.08,
                                gang_involvement=rng.choice(["none", "none", "at_risk"]),
                                screening_id=screening.id if screening else None, recorded_by_id=worker.id))
    note = CaseNote(youth_id=youth.id, author_id=worker.id, sensitive=rng.random() < 0.3)
    note.body = "Se conversó con la madre sobre horarios y acompañamiento escolar."
    db.session.add(note)
    db.session.flush()


