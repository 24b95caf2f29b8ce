"""Demo community-policing sessions: about 150 over the last 18 months in
the demo municipalities, two complete G.R.E.A.T. classes and one in
progress, and attendance links to enrolled demo youth."""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import Organization, User
from app.extensions import db
from app.geo.models import Municipality
from app.policing import codes
from app.policing.models import Attendance, GreatCohort, PolicingSession
from app.youth import codes as youth_codes
from app.youth.models import Youth

TOPICS = ["Resolución de conflictos", "Prevención del consumo de drogas", "Convivencia escolar",
          "Derechos y deberes", "Seguridad en el barrio", "Metas de vida", "Presión de grupo"]
SCHOOLS = ["Centro Escolar República de Chile", "Complejo Educativo Mejicanos", "Instituto Nacional de Apopa"]


def counts(rng: random.Random, size: int, young: bool) -> dict[str, int]:
    """Head-counts where the totals by sex and by age agree."""
    female = rng.randint(0, size)
    male = size - female
    bands = [0] * 5
    weights = [4, 4, 2, 1, 0.5] if young else [0.5, 1, 2, 3, 4]
    for _ in range(size):
        bands[rng.choices(range(5), weights)[0]] += 1
    return {"female": female, "male": male, "sex_not_recorded": 0, **dict(zip(codes.AGE_COUNTS, bands, strict=True))}


def load_demo_sessions(today: date) -> int:
    if db.session.scalar(select(PolicingSession.id).limit(1)) is not None:
        return 0
    rng = random.Random(2027)
    unit = db.session.scalar(select(Organization).where(Organization.kind == "police_unit"))
    officer = db.session.scalar(select(User).where(User.username == "police.sv"))
    partner = db.session.scalar(select(Organization).where(Organization.name == "Fundación Senderos"))
    munis = list(db.session.scalars(select(Municipality).where(Municipality.code.in_(
        ["SV-SS-001", "SV-SS-002", "SV-SS-003"]))))
    made = []

    def add(held: datetime, municipality: Municipality, kind: str, **extra) -> PolicingSession:
        young = kind in ("great_lesson", "school_visit")
        item = PolicingSession(held_at=held, held_on=held.date(), municipality_id=municipality.id, kind=kind,
                               police_unit_id=unit.id, partner_organization_id=partner.id if rng.random() < 0.4 else None,
                               created_by_id=officer.id, status="held", venue=extra.pop("venue", "community_center"),
                               **counts(rng, rng.randint(8, 35), young), **extra)
        item.officers = [officer]
        db.session.add(item)
        made.append(item)
        return item

    # G.R.E.A.T. classes: two complete, one in progress.
    plans = [("elementary", 6, 420, True), ("middle", 13, 300, True), ("middle", 13, 60, False)]
    for index, (curriculum, lessons, days_ago, complete) in enumerate(plans):
        started = today - timedelta(days=days_ago)
        cohort = GreatCohort(municipality_id=munis[index % len(munis)].id, school_name=SCHOOLS[index],
                             class_name=f"{5 + index}.º grado sección {'ABC'[index]}", curriculum=curriculum,
                             police_unit_id=unit.id, started_on=started, created_by_id=officer.id)
        db.session.add(cohort)
        db.session.flush()
        held_lessons = lessons if complete else 5
        for lesson in range(1, held_lessons + 1):
            on = started + timedelta(days=7 * (lesson - 1))
            add(datetime.combine(on, time(9, 0)), db.session.get(Municipality, cohort.municipality_id), "great_lesson",
                venue="school", school_name=cohort.school_name, curriculum=curriculum, lesson_number=lesson,
                cohort_id=cohort.id, topic=f"Lección {lesson}")
        if complete:
            cohort.graduated_on = started + timedelta(days=7 * lessons)
    other_kinds = [k for k in codes.KINDS if k != "great_lesson"]
    while len(made) < 150:
        on = today - timedelta(days=rng.randint(1, 540))
        kind = rng.choice(other_kinds)
        venue = "school" if kind == "school_visit" else rng.choice(["community_center", "sports_field", "church", "other"])
        add(datetime.combine(on, time(rng.choice([9, 14, 16, 18]), 0)), rng.choice(munis), kind, venue=venue,
            school_name=rng.choice(SCHOOLS) if venue == "school" else None, topic=rng.choice(TOPICS),
            community="Colonia Zacamil" if rng.random() < 0.5 else None)
    made[-1].status, made[-1].cancel_reason = "cancelled", "Lluvia fuerte"
    db.session.flush()
    # Attendance: some enrolled youth of worker.sv attended recent sessions.
    worker = db.session.scalar(select(User).where(User.username == "worker.sv"))
    enrolled = db.session.scalars(select(Youth).where(Youth.assigned_worker_id == worker.id,
                                                      Youth.status.in_(youth_codes.IN_PROGRAM))).all()
    for item in made[:40]:
        for youth in rng.sample(enrolled, k=min(len(enrolled), rng.randint(0, 3))):
            if youth.municipality_id == item.municipality_id:
                db.session.add(Attendance(session_id=item.id, youth_id=youth.id, linked_by_id=worker.id))
    db.session.flush()
    return len(made)
