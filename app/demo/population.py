"""The demo population: about 2,000 generated youth over thirteen
municipalities of El Salvador and Honduras, referred over the last two years,
so that a manager's first summary shows real numbers rather than "<5".

Loaded by `flask demo load` on top of the hand-built demo (app/demo/youth.py,
sessions.py), never by the tests' template database. Deterministic (seeded;
only the ciphertexts' nonces differ between two loads) and planned relative
to the local today. Rows are written in bulk (app/demo/bulk.py): identifiers
sealed and indexed as the services do, record keys on every counted row, and
`touch()` for every municipality, so the maintained summaries recompute.

The six municipalities the hand-built demo does not use join the coverage of
a neighbour (`NEW_AREAS`): its organization's, its programs' and the scopes
of the users who work there (coord.sv, worker.sv, worker2.sv, police.sv,
worker.hn; manager.sv sees all of El Salvador already)."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts.models import Organization, User, UserScope, utcnow
from app.audit.service import record
from app.dates import add_months
from app.demo.bulk import Sealer, advance_sequences, at, insert_rows, next_ids, random_uid, screening_pool
from app.demo.names import COMMUNITY_KINDS, COMMUNITY_NAMES, EXIT_REASONS, FAMILY, GIVEN_F, GIVEN_M
from app.demo.population_sessions import load_population_sessions
from app.extensions import db
from app.geo.models import Municipality
from app.programs.models import Program
from app.reports.tracking import touch
from app.screening.services import active_instrument, definition_of
from app.youth.identity import CODE_ALPHABET
from app.youth.models import FOREVER, Youth

SEED = 2028
SIZE = 2000
SPAN_DAYS = 730  # referrals over the last two years
REASSESSMENT_MONTHS = 6
# municipality -> relative number of cases; the new ones join the coverage of their neighbour (NEW_AREAS).
WEIGHTS = {"SV-SS-001": 9, "SV-SS-002": 7, "SV-SS-003": 6, "SV-SS-004": 5, "SV-LI-006": 5, "SV-LI-001": 3,
           "SV-SA-001": 5, "SV-SM-001": 4, "HN0801": 9, "HN0501": 8, "HN0502": 4, "HN0101": 3, "HN0301": 3}
NEW_AREAS = {"SV-SS-004": "SV-SS-001", "SV-LI-001": "SV-LI-006", "SV-SM-001": "SV-SA-001",
             "HN0502": "HN0501", "HN0101": "HN0801", "HN0301": "HN0801"}
AGES = dict(zip(range(10, 25), (3, 5, 8, 10, 12, 12, 11, 10, 8, 6, 5, 4, 3, 2, 1), strict=True))
# How an enrollment ends (if it has by today) and how long it lasts, in days.
OUTCOMES = {"completed": (0.57, (150, 330)), "dropped": (0.32, (15, 240)), "transferred": (0.05, (40, 200)),
            "closed": (0.06, (30, 300))}
TABLES = ("youth", "consents", "screenings", "enrollments", "status_changes", "service_contacts", "follow_ups")


@dataclass
class Area:
    municipality_id: int
    country: str
    organization_id: int
    workers: list[int]
    programs: list[tuple[int, str]]  # (program id, level)


@dataclass
class Plan:
    """Every row to insert, by table, with its id."""

    rng: random.Random
    today: date
    sealer: Sealer
    ids: dict[str, int]
    instrument_id: int
    pool: dict[str, list[tuple]]
    rows: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    now: datetime = field(default_factory=utcnow)

    def stamp(self, day: date) -> datetime:
        """When a row of `day` was recorded: working hours that day, never after now."""
        return min(self.now, at(day, self.rng))

    def add(self, table: str, **values) -> int:
        values["id"] = self.ids[table]
        self.ids[table] += 1
        self.rows[table].append(values)
        return values["id"]


def load_population(today: date) -> int:
    """Add the demo population unless it is there; returns how many youth were made."""
    bodies = case_bodies()
    if db.session.scalar(select(Youth.id).where(Youth.case_code.in_([f"SV-{bodies[0]}", f"HN-{bodies[0]}"]))):
        return 0
    areas = widen_coverage()
    stored = active_instrument()
    rng = random.Random(SEED)  # nosec B311 - demo data
    plan = Plan(rng, today, Sealer(current_app.extensions["senda_keys"]), next_ids(*TABLES), stored.id,
                screening_pool(rng, definition_of(stored), 600))
    munis = list(WEIGHTS)
    for body in bodies:
        area = areas[rng.choices(munis, list(WEIGHTS.values()))[0]]
        plan_youth(plan, area, f"{area.country}-{body}")
    for table in TABLES:
        insert_rows(table, plan.rows[table])
    advance_sequences(*TABLES)
    sessions = load_population_sessions(rng, today, SPAN_DAYS, plan)
    touch(db.session, [a.municipality_id for a in areas.values()])
    record("demo.population", detail=f"youth={len(bodies)};sessions={sessions}")
    db.session.flush()
    return len(bodies)


def case_bodies() -> list[str]:
    """The eight characters of the population's case codes (a generator of
    their own: the first one marks a loaded population), as in "SV-XXXX-XXXX"."""
    rng = random.Random(f"{SEED}:case-codes")  # nosec B311 - demo data
    bodies: dict[str, None] = {}
    while len(bodies) < SIZE:
        body = "".join(rng.choices(CODE_ALPHABET, k=8))
        bodies[f"{body[:4]}-{body[4:]}"] = None
    return list(bodies)


def widen_coverage() -> dict[str, Area]:
    """Give the new municipalities to their neighbours' organizations, programs and users; the areas by code."""
    by_code = {m.code: m for m in db.session.scalars(select(Municipality).where(Municipality.code.in_(list(WEIGHTS))))}
    orgs = list(db.session.scalars(select(Organization).where(Organization.kind.in_(("ngo", "police_unit")))))
    programs = list(db.session.scalars(select(Program)))
    users = list(db.session.scalars(select(User)))
    widened: set[User] = set()
    for new, like in NEW_AREAS.items():
        municipality, neighbour = by_code[new], by_code[like]
        for holder in (*orgs, *programs):
            if neighbour in holder.municipalities and municipality not in holder.municipalities:
                holder.municipalities.append(municipality)
        for user in users:
            codes = {s.municipality_id for s in user.scopes}
            if neighbour.id in codes and municipality.id not in codes:
                user.scopes.append(UserScope(municipality_id=municipality.id))
                widened.add(user)
    for user in sorted(widened, key=lambda u: u.id):
        record("user.scope_change", object_type="user", object_id=user.id, detail=f"units={len(user.scopes)};via=demo")
    db.session.flush()
    areas = {}
    for code, municipality in by_code.items():
        org = next(o for o in orgs if o.kind == "ngo" and municipality in o.municipalities)
        workers = sorted(u.id for u in users if u.role == "social_worker" and u.organization_id == org.id
                         and any(s.municipality_id == municipality.id for s in u.scopes))
        served = [(p.id, p.level) for p in sorted(programs, key=lambda p: p.id)
                  if p.organization_id == org.id and municipality in p.municipalities]
        areas[code] = Area(municipality.id, code[:2], org.id, workers, served)
    return areas


def plan_youth(plan: Plan, area: Area, code: str) -> None:
    """One youth and their case: consent, baseline screening, an enrollment
    with its reassessments and follow-ups, contacts, and the status history."""
    rng, today = plan.rng, plan.today
    worker = rng.choice(area.workers)
    referred = today - timedelta(days=int(SPAN_DAYS * rng.random() ** 1.15))  # a little more lately
    sex = "X" if rng.random() < 0.005 else "F" if rng.random() < 0.48 else "M"
    age = rng.choices(list(AGES), list(AGES.values()))[0]
    born = add_months(referred, -12 * age) - timedelta(days=rng.randint(0, 364))
    minor = age < 18
    given = rng.choice(GIVEN_F if sex == "F" or (sex == "X" and rng.random() < 0.5) else GIVEN_M)
    family_1 = rng.choice(FAMILY)
    family_2 = rng.choice(FAMILY) if rng.random() < 0.85 else None
    community = f"{rng.choice(COMMUNITY_KINDS)} {rng.choice(COMMUNITY_NAMES)}"
    guardian = f"{rng.choice(GIVEN_F + GIVEN_M[:10])} {family_1}" if minor or rng.random() < 0.3 else None
    contact = f"{rng.choice('2378')}{rng.randint(100, 999)}-{rng.randint(1000, 9999)}" if guardian else None
    youth_id = plan.ids["youth"]
    changes: list[tuple] = []  # (from, to, exit reason, on)
    until = {"services": None, "sharing": None, "statistics": None}
    status, program, due, last_contact = "referred", None, None, None

    if rng.random() < 0.93:  # consent at referral: services always, statistics mostly, sharing sometimes
        for purpose, share in (("services", 1.0), ("statistics", 0.88), ("sharing", 0.3)):
            if rng.random() >= share:
                continue
            withdrawn = referred + timedelta(days=rng.randint(30, 400)) if purpose != "services" and rng.random() < 0.05 \
                else None
            withdrawn = withdrawn if withdrawn and withdrawn <= today else None
            plan.add("consents", youth_id=youth_id, purpose=purpose, given_by="both" if minor else "youth",
                     given_on=referred, expires_on=None, withdrawn_on=withdrawn, recorded_by_id=worker,
                     withdrawn_by_id=worker if withdrawn else None, created_at=plan.stamp(referred),
                     version=2 if withdrawn else 1)
            until[purpose] = None if withdrawn else FOREVER
    screened = referred + timedelta(days=rng.randint(3, 15))
    if until["services"] is None or screened > today:
        if until["services"] is None and (today - referred).days > 90:
            status = "closed"
            changes.append(("referred", "closed", "declined", referred + timedelta(days=rng.randint(20, 60))))
    else:
        risk = rng.choices(("low", "medium", "high"), (0.45, 0.4, 0.15))[0]
        level = screening(plan, youth_id, screened, "baseline", risk, worker)
        status = "screened"
        changes.append(("referred", "screened", None, screened))
        start = screened + timedelta(days=rng.randint(2, 20))
        if rng.random() < 0.04:
            status = "closed"
            changes.append(("screened", "closed", "not_eligible", screened + timedelta(days=rng.randint(1, 10))))
        elif start <= today:
            status, program, due, last_contact = enrollment(plan, area, youth_id, worker, level, risk, start, changes,
                                                            age)
    status_on = changes[-1][3] if changes else referred
    for from_status, to_status, reason, on in changes:
        plan.add("status_changes", youth_id=youth_id, from_status=from_status, to_status=to_status, exit_reason=reason,
                 changed_on=on, changed_at=plan.stamp(on), changed_by_id=worker, reopened=False)
    row_uid = random_uid(rng)
    seal = plan.sealer.seal
    keys = plan.sealer.name_keys(given, family_1, family_2)
    plan.add(
        "youth", row_uid=row_uid, case_code=code,
        given_names=seal("youth", "given_names", row_uid, given),
        family_name_1=seal("youth", "family_name_1", row_uid, family_1),
        family_name_2=seal("youth", "family_name_2", row_uid, family_2),
        birth_date=seal("youth", "birth_date", row_uid, born.isoformat()),
        community=seal("youth", "community", row_uid, community),
        guardian_name=seal("youth", "guardian_name", row_uid, guardian),
        guardian_contact=seal("youth", "guardian_contact", row_uid, contact),
        given_bidx=keys.given, family_1_bidx=keys.family_1, family_2_bidx=keys.family_2, short_name_bidx=keys.short,
        full_name_bidx=keys.full, birth_bidx=plan.sealer.birth_key(born.isoformat()), birth_year=born.year, sex=sex,
        municipality_id=area.municipality_id, organization_id=area.organization_id,
        school_status=rng.choices(("enrolled", "dropped_out", "never_enrolled", "finished"), (0.55, 0.35, 0.05, 0.05))[0],
        work_status=rng.choices(("not_working", "working", "seeking"), (0.65, 0.15, 0.2))[0] if age >= 15 else "not_working",
        referral_source=rng.choices(("school", "family", "police", "self", "court", "other"),
                                    (0.35, 0.2, 0.15, 0.1, 0.1, 0.1))[0],
        assigned_worker_id=worker, status=status, status_changed_at=plan.stamp(status_on), referred_on=referred,
        current_program_id=program, reassessment_due=due, last_contact_on=last_contact,
        services_consent_until=until["services"], sharing_consent_until=until["sharing"],
        statistics_consent_until=until["statistics"], created_at=plan.stamp(referred), created_by_id=worker,
        anonymized_at=None, version=1 + len(changes))


def screening(plan: Plan, youth_id: int, on: date, kind: str, risk: str, worker: int) -> str:
    """A screening with a pooled answer set of that risk; returns its level."""
    answers, scales, at_threshold, gang, justice, level, reason = plan.rng.choice(plan.pool[risk])
    plan.add("screenings", youth_id=youth_id, instrument_id=plan.instrument_id, screened_on=on, kind=kind,
             answers=answers, scale_scores=scales, scales_at_threshold=at_threshold, gang_involvement=gang,
             justice_contact=justice, level=level, reason=reason, screened_by_id=worker, created_at=plan.stamp(on))
    return level


def enrollment(plan: Plan, area: Area, youth_id: int, worker: int, level: str, risk: str, start: date,
               changes: list, age: int) -> tuple:
    """The enrollment from `start`, ended by today or not; returns the youth's
    status, current program, reassessment due date and last contact."""
    rng, today = plan.rng, plan.today
    program = rng.choice([p for p, lvl in area.programs if lvl == level] or [p for p, _ in area.programs])
    outcome = rng.choices(list(OUTCOMES), [share for share, _ in OUTCOMES.values()])[0]
    end = start + timedelta(days=rng.randint(*OUTCOMES[outcome][1]))
    if end > today:
        outcome, end = None, None
    reason = rng.choice(EXIT_REASONS[outcome]) if outcome else None
    plan.add("enrollments", youth_id=youth_id, program_id=program, start_on=start, end_on=end,
             status=outcome or "active", exit_reason=reason, enrolled_by_id=worker)
    changes.append(("screened", "enrolled", None, start))
    first = start + timedelta(days=rng.randint(1, 10))
    status = "enrolled"
    if first <= (end or today):
        status = "active"
        changes.append(("enrolled", "active", None, first))
    stop = end or today
    due = add_months(start, REASSESSMENT_MONTHS)
    while due < stop:  # a reassessment every six months while in the program, a few late or missed
        on = due + timedelta(days=rng.randint(-14, 21))
        if rng.random() < 0.12 or on >= stop:
            break
        risk = {"high": rng.choice(("high", "medium")), "medium": rng.choice(("medium", "low")), "low": "low"}[risk]
        screening(plan, youth_id, on, "reassessment", risk, worker)
        follow_up(plan, youth_id, on, plan.ids["screenings"] - 1, worker, outcome, age)
        due = add_months(on, REASSESSMENT_MONTHS)
    if outcome in ("completed", "dropped") and rng.random() < 0.7:  # one follow-up a few months after the exit
        on = end + timedelta(days=rng.randint(60, 120))
        if on <= today:
            follow_up(plan, youth_id, on, None, worker, outcome, age)
    last = None
    if status == "active":
        last = stop - timedelta(days=min(int(rng.expovariate(1 / 12)), (stop - first).days))
        for day in sorted({first, first + (last - first) // 2, last}):
            plan.add("service_contacts", row_uid=random_uid(rng), youth_id=youth_id,
                     kind=rng.choice(("individual", "individual", "family", "group")), contact_on=day,
                     minutes=rng.choice((30, 45, 60, 90)), worker_id=worker, summary=None, version=1)
    if outcome:
        changes.append((status, outcome, reason, end))
        return outcome, None, None, last
    return status, program, due, last


def follow_up(plan: Plan, youth_id: int, on: date, screening_id: int | None, worker: int, outcome: str | None,
              age: int) -> None:
    """School, work and new justice contact at a reassessment or after the exit."""
    rng = plan.rng
    plan.add("follow_ups", youth_id=youth_id, followup_on=on,
             in_school=rng.random() < (0.78 if outcome == "completed" else 0.5 if outcome == "dropped" else 0.65),
             working=age >= 15 and rng.random() < 0.3,
             new_justice_contact=rng.random() < (0.03 if outcome == "completed" else 0.12 if outcome == "dropped" else 0.05),
             gang_involvement=rng.choices(("none", "at_risk", "involved", "leaving"), (0.75, 0.17, 0.03, 0.05))[0],
             screening_id=screening_id, recorded_by_id=worker, created_at=plan.stamp(on), version=1)
