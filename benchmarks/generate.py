"""Generate the benchmark data set of DESIGN.md ("Scale the design must hold") in PostgreSQL.

    .venv/bin/python benchmarks/generate.py --database postgresql+psycopg://senda:senda@127.0.0.1:5432/senda_scale
    .venv/bin/python benchmarks/generate.py --database URL --youth 20000 --seed 7      # a smaller set

The database is EMPTIED first (DROP SCHEMA public CASCADE). The schema is then made by the app's migrations
(flask_migrate.upgrade), the bundled geography (app/data/divisions.csv) and screening instrument are loaded through
the app's services, and then, with COPY:

    300 organizations (NGOs, municipal offices, police units, ministries), each serving a few municipalities of
    one country; 3,000 users (social workers, ~300 coordinators, police, NGO managers, admins, auditors) with
    scopes; 2-4 programs per NGO; 200,000 youth in every status; ~400,000 screenings, ~300,000 enrollments,
    ~600,000 follow-ups, consents, status history and recent service contacts (summaries left empty);
    60,000 community-policing sessions over the last 18 months (a third of them G.R.E.A.T. lessons, ~15,000 of
    those in ~1,500 classes, most complete and graduated; ~3% cancelled with a reason; head-counts by sex and by age
    band that add up to the same total; a few sealed notes), with their facilitating officers, held in the
    municipalities of the organizations' countries (mostly where the cases are) by the police unit working there
    (else one of the country); and 2,000,000 attendance links of youth enrolled or active today to held sessions of
    their own municipality in weeks when they were in a program, linked by their worker. Not generated: goals,
    case notes, case shares. (Sessions are planned after the youth, from the same random stream: the other tables
    hold the same data as before they were added, for a given seed.)

Counts other than organizations and users scale with --youth. Direct identifiers are sealed with the app's own
``app.security.crypto.seal`` under the TestingConfig keys, with ``associated_data(table, column, row_uid)`` exactly as
the ``Encrypted`` descriptor does, and the blind indexes are ``NameKeys.of`` / ``blind_index`` themselves; a sample
of rows is read back through the ORM at the end to prove the app decrypts them and finds them by blind index (and
session notes open, head-counts agree, classes are complete as ``cohort_progress`` says, attendance links obey the
app's rules).

Every user's password is ``Bench-password-2026`` (one argon2id hash, reused). Sample names and case codes of one
coordinator's caseload are printed and written to benchmarks/out/scale-samples.json (gitignored).
"""

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
import yaml  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, make_url, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.dates import add_months  # noqa: E402
from app.demo.bulk import Sealer, at, headcounts, random_uid, screening_pool, zipf_weights  # noqa: E402
from app.demo.names import (  # noqa: E402
    CANCEL_REASONS,
    COMMUNITY_KINDS,
    COMMUNITY_NAMES,
    EXIT_REASONS,
    FAMILY,
    GIVEN_F,
    GIVEN_M,
    HEADCOUNTS,
    SCHOOL_KINDS,
    SCHOOL_NAMES,
    SESSION_NOTES,
    TOPICS,
    VENUE_OF,
)
from app.extensions import db  # noqa: E402
from app.geo.models import Department, Municipality  # noqa: E402
from app.geo.services import DEFAULT_FILE  # noqa: E402
from app.geo.services import load as load_geography  # noqa: E402
from app.policing import codes as policing_codes  # noqa: E402
from app.policing.models import GreatCohort, PolicingSession  # noqa: E402
from app.policing.services import cohort_progress  # noqa: E402
from app.record_keys import KEYED_TABLES, seeded_record_keys  # noqa: E402
from app.screening.services import INSTRUMENT_DIR, definition_of, load_definition  # noqa: E402
from app.security.crypto import blind_index  # noqa: E402
from app.security.passwords import hash_password  # noqa: E402
from app.youth.identity import CODE_ALPHABET, NameKeys  # noqa: E402
from app.youth.models import FOREVER, Youth  # noqa: E402
from config import TestingConfig  # noqa: E402

PASSWORD = "Bench-password-2026"  # nosec B105 - benchmark data only
OUT_DIR = Path(__file__).resolve().parent / "out"
REASSESSMENT_MONTHS = 6

ORG_PREFIXES = ["Fundación", "Asociación", "Red", "Centro", "Iniciativa", "Movimiento", "Alianza", "Proyecto"]
ORG_WORDS = ["Senderos", "Caminos", "Jóvenes Adelante", "Esperanza", "Paz y Futuro", "Oportunidades", "Nuevo Amanecer",
             "Puentes", "Semillas", "Horizontes", "Manos Unidas", "Vida Plena", "Convivencia", "Raíces", "Brújula"]
KIND_NAMES = {"outreach_center": "Centro de Alcance", "family_counseling": "Familias Fuertes",
              "vocational_training": "Taller Vocacional", "school_based": "Escuela Abierta",
              "sports_culture": "Deporte y Cultura", "reintegration": "Segunda Oportunidad"}
KIND_LEVELS = {"outreach_center": "primary", "school_based": "primary", "sports_culture": "secondary",
               "family_counseling": "secondary", "vocational_training": "secondary", "reintegration": "tertiary"}

# Where the cases of the data set stand (shares of all youth).
STATUS_MIX = {"referred": 0.07, "screened": 0.06, "enrolled": 0.05, "active": 0.38, "completed": 0.20,
              "dropped": 0.13, "transferred": 0.04, "closed": 0.07}
# How many earlier (ended) enrollments a youth who was ever enrolled has.
EARLIER_ENROLLMENTS = ([0] * 45) + ([1] * 35) + ([2] * 15) + ([3] * 5)

# Community policing: sessions over the last 18 months, ~1,500 G.R.E.A.T. classes and 2,000,000 attendance links at
# 200,000 youth (scaled with --youth like the rest).
SESSIONS_PER_YOUTH, COHORT_EVERY, LINKS_PER_YOUTH = 60_000 / 200_000, 40, 2_000_000 / 200_000
SESSION_DAYS = 548
# Kinds of the sessions not given by a G.R.E.A.T. class (those add ~15,000 lessons): overall a third are lessons.
SESSION_KINDS = {"great_lesson": 0.12, "community_meeting": 0.30, "school_visit": 0.18, "sports_cultural": 0.17,
                 "family_visit": 0.08, "security_council": 0.09, "other": 0.06}

COLUMNS = {
    "organizations": ("id", "name", "kind", "country_code", "active", "version"),
    "organization_municipalities": ("organization_id", "municipality_id"),
    "users": ("id", "row_uid", "username", "full_name", "email", "email_bidx", "role", "organization_id", "locale",
              "active", "password_hash", "must_change_password", "password_changed_at", "failed_logins", "locked_until",
              "session_version", "last_login_at", "created_at", "version"),
    "user_scopes": ("id", "user_id", "country_code", "department_id", "municipality_id"),
    "programs": ("id", "organization_id", "name", "level", "kind", "active", "version"),
    "program_municipalities": ("program_id", "municipality_id"),
    "youth": ("id", "row_uid", "case_code", "given_names", "family_name_1", "family_name_2", "birth_date", "community",
              "guardian_name", "guardian_contact", "given_bidx", "family_1_bidx", "family_2_bidx", "short_name_bidx",
              "full_name_bidx", "birth_bidx", "birth_year", "sex", "municipality_id", "organization_id", "school_status",
              "work_status", "referral_source", "assigned_worker_id", "status", "status_changed_at", "referred_on",
              "current_program_id", "reassessment_due", "last_contact_on", "services_consent_until",
              "sharing_consent_until", "statistics_consent_until", "created_at", "created_by_id", "anonymized_at",
              "version"),
    "consents": ("id", "youth_id", "purpose", "given_by", "given_on", "expires_on", "withdrawn_on", "recorded_by_id",
                 "withdrawn_by_id", "created_at", "version"),
    "screenings": ("id", "youth_id", "instrument_id", "screened_on", "kind", "answers", "scale_scores",
                   "scales_at_threshold", "gang_involvement", "justice_contact", "level", "reason", "screened_by_id",
                   "created_at"),
    "enrollments": ("id", "youth_id", "program_id", "start_on", "end_on", "status", "exit_reason", "enrolled_by_id"),
    "status_changes": ("id", "youth_id", "from_status", "to_status", "exit_reason", "changed_on", "changed_at",
                       "changed_by_id", "reopened"),
    "service_contacts": ("id", "row_uid", "youth_id", "kind", "contact_on", "minutes", "worker_id", "summary", "version"),
    "follow_ups": ("id", "youth_id", "followup_on", "in_school", "working", "new_justice_contact", "gang_involvement",
                   "screening_id", "recorded_by_id", "created_at", "version"),
    "great_cohorts": ("id", "municipality_id", "school_name", "class_name", "curriculum", "police_unit_id", "started_on",
                      "graduated_on", "created_by_id", "version"),
    "policing_sessions": ("id", "row_uid", "held_at", "held_on", "municipality_id", "community", "venue", "school_name",
                          "kind", "curriculum", "lesson_number", "cohort_id", "topic", "police_unit_id",
                          "partner_organization_id", "female", "male", "sex_not_recorded", "under_12", "age_12_14",
                          "age_15_17", "age_18_24", "age_25_plus", "notes", "status", "cancel_reason", "import_key",
                          "created_by_id", "created_at", "version"),
    "session_officers": ("session_id", "user_id"),
    "session_attendance": ("session_id", "youth_id", "linked_by_id", "linked_at"),
}
BULK_TABLES = ("users", "user_scopes", "youth", "consents", "screenings", "enrollments", "status_changes",
               "service_contacts", "follow_ups", "great_cohorts", "policing_sessions", "session_officers",
               "session_attendance")


class Timer:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, int | None]] = []

    def run(self, label: str, fn, *args, unit: str = "rows"):
        start = time.perf_counter()
        result = fn(*args)
        elapsed = time.perf_counter() - start
        count = len(result) if isinstance(result, list) else result if isinstance(result, int) else None
        self.rows.append((label, elapsed, count))
        print(f"  {label:<52} {elapsed:7.1f} s" + (f"  {count:>10,} {unit}" if count is not None else ""), flush=True)
        return result


# --------------------------------------------------------------------------- the plan (pure Python)


class Plan:
    """Everything to insert, as tuples in COPY column order, with ids assigned here."""

    def __init__(self, rng: random.Random, today: date, keys, instrument_id: int, instrument, municipalities, depts):
        self.rng, self.today, self.keys = rng, today, keys
        self.sealer = Sealer(keys)
        self.instrument_id, self.instrument = instrument_id, instrument
        self.municipalities = municipalities  # id -> (code, name, department_id, country)
        self.depts = depts  # department id -> country
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.sample: dict[int, dict] = {}  # youth id -> plaintext, checked through the ORM at the end
        self.case_codes: set[str] = set()

    def uid(self) -> str:
        return random_uid(self.rng)

    def seal(self, table: str, column: str, row_uid: str, value: str | None) -> bytes | None:
        return self.sealer.seal(table, column, row_uid, value)

    # ----------------------------------------------------------------- organizations, users, programs

    def organizations(self) -> None:
        rng = self.rng
        by_country: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for mid, (_code, _name, dept, country) in self.municipalities.items():
            by_country[country][dept].append(mid)
        # 240 NGOs, 30 municipal offices, 24 police units, 6 ministries = 300.
        kinds = ["ngo"] * 240 + ["municipal_office"] * 30 + ["police_unit"] * 24
        country_share = {"GT": 0.25, "HN": 0.25, "SV": 0.22, "NI": 0.12, "CR": 0.08, "PA": 0.08}
        countries = [c for c in country_share if c in by_country]
        weights = [country_share[c] for c in countries]
        self.orgs: list[dict] = []
        names: set[str] = set()
        for index, kind in enumerate(kinds, start=1):
            country = rng.choices(countries, weights)[0]
            depts = by_country[country]
            dept = rng.choice(sorted(depts))
            wanted = rng.randint(3, 8) if kind != "municipal_office" else 1
            munis = list(dict.fromkeys(rng.sample(depts[dept], min(wanted, len(depts[dept])))))
            while len(munis) < wanted:  # spill over into a neighbouring department
                other = rng.choice(sorted(depts))
                munis = list(dict.fromkeys(munis + [rng.choice(depts[other])]))
            if kind == "ngo":
                name = f"{rng.choice(ORG_PREFIXES)} {rng.choice(ORG_WORDS)} {country}-{index:03d}"
            elif kind == "municipal_office":
                name = f"Oficina Municipal de Prevención {self.municipalities[munis[0]][1]} {country}-{index:03d}"
            else:
                name = f"Unidad de Policía Comunitaria {country}-{index:03d}"
            assert name not in names
            names.add(name)
            self.orgs.append({"id": index, "name": name, "kind": kind, "country": country, "munis": munis})
        for country in countries:
            index = len(self.orgs) + 1
            self.orgs.append({"id": index, "name": f"Ministerio de Seguridad {country}-{index:03d}", "kind": "ministry",
                              "country": country, "munis": []})
        for org in self.orgs:
            self.rows["organizations"].append((org["id"], org["name"], org["kind"], org["country"], True, 1))
            for mid in org["munis"]:
                self.rows["organization_municipalities"].append((org["id"], mid))
        # Case-working organizations carry very different loads (a few large NGOs, many small ones).
        case_orgs = [o for o in self.orgs if o["kind"] in ("ngo", "municipal_office")]
        rng.shuffle(case_orgs)
        for org, weight in zip(case_orgs, zipf_weights(len(case_orgs), 0.7), strict=True):
            org["weight"] = weight
        self.case_orgs = case_orgs

    def users(self, password_hash: str) -> None:
        rng, now = self.rng, datetime.now(UTC)
        self.user_id = 0
        self.scope_id = 0
        counters: dict[str, int] = defaultdict(int)

        def add(org: dict, role: str, scope: list[tuple]) -> int:
            self.user_id += 1
            counters[role] += 1
            prefix = {"social_worker": "sw", "coordinator": "coord", "police": "pol", "ngo_manager": "mgr",
                      "admin": "admin", "auditor": "audit"}[role]
            username = f"{prefix}{counters[role]:04d}.{org['country'].lower()}"
            row_uid = self.uid()
            sex = rng.choice("FM")
            full_name = f"{rng.choice(GIVEN_F if sex == 'F' else GIVEN_M)} {rng.choice(FAMILY)} {rng.choice(FAMILY)}"
            email = f"{username}@org{org['id']:03d}.example.org"
            self.rows["users"].append((
                self.user_id, row_uid, username, self.seal("users", "full_name", row_uid, full_name),
                self.seal("users", "email", row_uid, email), blind_index(email, self.keys), role, org["id"],
                rng.choice(["es", "es", "es", "en", None]), True, password_hash, False, now, 0, None, 1, None, now, 1))
            for unit in scope:
                self.scope_id += 1
                self.rows["user_scopes"].append((self.scope_id, self.user_id, *unit))
            return self.user_id

        total_weight = sum(o["weight"] for o in self.case_orgs)
        workers_left = 2380
        extra_coordinators = 30
        for rank, org in enumerate(sorted(self.case_orgs, key=lambda o: -o["weight"])):
            munis = org["munis"]
            org["coordinators"] = [add(org, "coordinator", [(None, None, m) for m in munis])]
            if rank < extra_coordinators and len(munis) > 1:  # large organizations split their area
                half = munis[: len(munis) // 2] or munis
                org["coordinators"].append(add(org, "coordinator", [(None, None, m) for m in half]))
            count = max(2, round(2380 * org["weight"] / total_weight))
            count = min(count, workers_left - 2 * (len(self.case_orgs) - rank - 1)) if rank < len(self.case_orgs) - 1 \
                else workers_left
            workers_left -= count
            org["workers"] = [add(org, "social_worker", [(None, None, m) for m in rng.sample(munis, min(len(munis),
                                                                                                          rng.randint(1, 3)))])
                              for _ in range(count)]
        for org in (o for o in self.orgs if o["kind"] == "police_unit"):
            for _ in range(200 // 24 + (1 if org["id"] % 3 == 0 else 0)):
                if counters["police"] < 200:
                    add(org, "police", [(None, None, m) for m in org["munis"]])
        ngos = [o for o in self.case_orgs if o["kind"] == "ngo"]
        for i in range(100):
            org = ngos[i % len(ngos)]
            add(org, "ngo_manager", [(org["country"], None, None)])
        ministries = [o for o in self.orgs if o["kind"] == "ministry"]
        while self.user_id < 3000:
            org = ministries[self.user_id % len(ministries)]
            add(org, "admin" if self.user_id % 2 else "auditor", [(org["country"], None, None)])

    def programs(self) -> None:
        rng = self.rng
        program_id = 0
        self.programs_at: dict[tuple[int, int], list[tuple[int, str]]] = {}
        for org in self.case_orgs:
            munis = org["munis"]
            count = rng.randint(2, 4) if org["kind"] == "ngo" else rng.randint(1, 2)
            kinds = rng.sample(list(KIND_NAMES), count)
            for n, kind in enumerate(kinds):
                program_id += 1
                covered = munis if n == 0 else rng.sample(munis, max(1, rng.randint(len(munis) // 2, len(munis))))
                level = KIND_LEVELS[kind]
                place = self.municipalities[covered[0]][1]
                self.rows["programs"].append((program_id, org["id"], f"{KIND_NAMES[kind]} {place}", level, kind, True, 1))
                for mid in covered:
                    self.rows["program_municipalities"].append((program_id, mid))
                    self.programs_at.setdefault((org["id"], mid), []).append((program_id, level))

    # ----------------------------------------------------------------- screenings

    def screening_pool(self, size: int = 3000) -> None:
        """Scored answer sets (scored by the app's own ``score``), by risk: JSON text shared between rows."""
        self.pool = {risk: [(json.dumps(answers), json.dumps(scales), *rest) for answers, scales, *rest in scored]
                     for risk, scored in screening_pool(self.rng, self.instrument, size).items()}

    def screening(self, youth_id: int, on: date, kind: str, risk: str, worker: int) -> tuple[int, str]:
        pooled = self.rng.choice(self.pool[risk])
        self.screening_id += 1
        self.rows["screenings"].append((self.screening_id, youth_id, self.instrument_id, on, kind, pooled[0], pooled[1],
                                        pooled[2], pooled[3], pooled[4], pooled[5], pooled[6], worker, at(on, self.rng)))
        return self.screening_id, pooled[5]

    # ----------------------------------------------------------------- youth

    def youth(self, count: int) -> None:
        rng = self.rng
        self.screening_id = self.enrollment_id = self.change_id = self.contact_id = 0
        self.followup_id = self.consent_id = 0
        self.in_program: dict[int, list[tuple]] = defaultdict(list)  # municipality -> (id, worker, enrollments)
        self.youth_at: dict[int, int] = defaultdict(int)  # municipality -> youth
        orgs = rng.choices(self.case_orgs, [o["weight"] for o in self.case_orgs], k=count)
        statuses = rng.choices(list(STATUS_MIX), list(STATUS_MIX.values()), k=count)
        given_w = {"F": list(accumulate(zipf_weights(len(GIVEN_F), 0.6))),
                   "M": list(accumulate(zipf_weights(len(GIVEN_M), 0.6)))}
        family_w = list(accumulate(zipf_weights(len(FAMILY), 0.6)))
        sample_every = max(1, count // 300)
        for index in range(count):
            youth_id = index + 1
            org, status = orgs[index], statuses[index]
            self.one_youth(youth_id, org, status, given_w, family_w, youth_id % sample_every == 0)
            if youth_id % 50_000 == 0:
                print(f"    {youth_id:,} youth planned", flush=True)

    def case_code(self, country: str) -> str:
        while True:
            body = "".join(self.rng.choices(CODE_ALPHABET, k=8))
            code = f"{country}-{body[:4]}-{body[4:]}"
            if code not in self.case_codes:
                self.case_codes.add(code)
                return code

    def one_youth(self, youth_id: int, org: dict, status: str, given_w, family_w, sampled: bool) -> None:
        rng, today = self.rng, self.today
        mid = rng.choice(org["munis"])
        worker = rng.choice(org["workers"]) if rng.random() < 0.95 else org["coordinators"][0]
        changes: list[tuple] = []  # (from, to, reason, on, reopened)
        segments: list[dict] = []  # enrollments, oldest first
        screened_on = None
        if status == "referred":
            referred = today - timedelta(days=rng.randint(0, 120))
        elif status == "screened":
            screened_on = today - timedelta(days=rng.randint(0, 150))
            referred = screened_on - timedelta(days=rng.randint(3, 15))
        elif status == "closed" and rng.random() < 0.5:  # closed before any enrollment
            closed_on = today - timedelta(days=rng.randint(1, 1100))
            if rng.random() < 0.7:
                screened_on = closed_on - timedelta(days=rng.randint(1, 30))
                referred = screened_on - timedelta(days=rng.randint(3, 15))
                exit_reason = "not_eligible"
            else:
                referred = closed_on - timedelta(days=rng.randint(5, 60))
                exit_reason = rng.choice(["declined", "moved_away"])
            changes_tail = [("screened" if screened_on else "referred", "closed", exit_reason, closed_on, False)]
        else:
            if status == "enrolled":
                start, end = today - timedelta(days=rng.randint(0, 40)), None
            elif status == "active":
                start, end = today - timedelta(days=7 + min(1000, int(rng.expovariate(1 / 300)))), None
            else:
                end = today - timedelta(days=rng.randint(1, 1100))
                start = end - timedelta(days=rng.randint(60, 540))
            segments.append({"start": start, "end": end, "status": status if end else None,
                             "reason": rng.choice(EXIT_REASONS[status]) if end else None})
            cursor = start
            for _ in range(rng.choice(EARLIER_ENROLLMENTS)):
                e_end = cursor - timedelta(days=rng.randint(10, 60))
                e_start = e_end - timedelta(days=rng.randint(90, 300))
                e_status = rng.choice(["completed", "transferred", "dropped"])
                segments.insert(0, {"start": e_start, "end": e_end, "status": e_status,
                                    "reason": rng.choice(EXIT_REASONS[e_status]), "reopen": e_end + (cursor - e_end) // 2})
                cursor = e_start
            screened_on = cursor - timedelta(days=rng.randint(2, 20))
            referred = screened_on - timedelta(days=rng.randint(3, 15))

        # Identity, sealed as the Encrypted descriptor seals it, indexed as set_identity indexes it.
        sex = "X" if rng.random() < 0.005 else rng.choice("FFFFMMMMMM")
        pool = GIVEN_F if sex == "F" or (sex == "X" and rng.random() < 0.5) else GIVEN_M
        given = rng.choices(pool, cum_weights=given_w["F" if pool is GIVEN_F else "M"])[0]
        family_1 = rng.choices(FAMILY, cum_weights=family_w)[0]
        family_2 = rng.choices(FAMILY, cum_weights=family_w)[0] if rng.random() < 0.85 else None
        born = referred - timedelta(days=rng.randint(10 * 365, 19 * 365))
        minor = (referred.year - born.year - ((referred.month, referred.day) < (born.month, born.day))) < 18
        community = f"{rng.choice(COMMUNITY_KINDS)} {rng.choice(COMMUNITY_NAMES)}"
        guardian = f"{rng.choice(GIVEN_F + GIVEN_M[:10])} {family_1}" if minor or rng.random() < 0.3 else None
        contact = f"{rng.choice('2367')}{rng.randint(100, 999)}-{rng.randint(1000, 9999)}" if guardian else None
        keys = self.sealer.name_keys(given, family_1, family_2)
        row_uid = self.uid()
        country = self.municipalities[mid][3]
        code = self.case_code(country)

        # Consent (refresh_consent semantics: the latest expiry in force per purpose).
        consents: dict[str, list[tuple]] = defaultdict(list)
        if status != "referred" or rng.random() < 0.6:
            for purpose, share in (("services", 1.0), ("statistics", 0.85), ("sharing", 0.3)):
                if rng.random() >= share:
                    continue
                expires = referred + timedelta(days=730) if rng.random() < 0.25 else None
                withdrawn = None
                if purpose != "services" and rng.random() < 0.03:
                    withdrawn = referred + timedelta(days=rng.randint(1, 400))
                    withdrawn = withdrawn if withdrawn <= today else None
                consents[purpose].append((referred, expires, withdrawn))
                if expires and expires < today and status in ("enrolled", "active") and rng.random() < 0.8:
                    consents[purpose].append((expires, None, None))
        until = {}
        for purpose in ("services", "sharing", "statistics"):
            valid = [expires or FOREVER for given_on, expires, withdrawn in consents[purpose]
                     if given_on <= today and (withdrawn is None or withdrawn > today) and (expires is None or expires >= today)]
            until[purpose] = max(valid, default=None)
            for given_on, expires, withdrawn in consents[purpose]:
                self.consent_id += 1
                self.rows["consents"].append((self.consent_id, youth_id, purpose, "both" if minor else "youth", given_on,
                                              expires, withdrawn, worker, worker if withdrawn else None,
                                              at(given_on, rng), 2 if withdrawn else 1))

        # Screening, enrollments, reassessments, contacts, follow-ups, status history.
        risk = rng.choices(("low", "medium", "high"), (0.45, 0.4, 0.15))[0]
        level = None
        if screened_on:
            _sid, level = self.screening(youth_id, screened_on, "baseline", risk, worker)
            changes.append(("referred", "screened", None, screened_on, False))
        current_program = reassessment_due = last_contact = None
        for n, seg in enumerate(segments):
            options = self.programs_at[(org["id"], mid)]
            matching = [p for p, lvl in options if lvl == level] or [p for p, _ in options]
            program = rng.choice(matching)
            seg_end = seg["end"] or today
            self.enrollment_id += 1
            self.rows["enrollments"].append((self.enrollment_id, youth_id, program, seg["start"], seg["end"],
                                             seg["status"] or "active", seg["reason"], worker))
            changes.append(("screened", "enrolled", None, seg["start"], False))
            first_contact = None
            if seg["status"] is not None or status == "active":
                first_contact = min(seg["start"] + timedelta(days=rng.randint(1, 10)), seg_end)
                changes.append(("enrolled", "active", None, first_contact, False))
            # Reassessments every 6 months while in the program (some late, some missed).
            anchors = [seg["start"]]
            due = add_months(seg["start"], REASSESSMENT_MONTHS)
            while due < seg_end:
                roll = rng.random()
                if roll < 0.85:
                    on = due + timedelta(days=rng.randint(-14, 21))
                elif roll < 0.95:
                    on = due + timedelta(days=rng.randint(30, 150))
                else:
                    break
                if on >= seg_end or on > today:
                    break
                risk = {"high": rng.choice(("high", "medium")), "medium": rng.choice(("medium", "low")),
                        "low": "low"}[risk]
                sid, level = self.screening(youth_id, on, "reassessment", risk, worker)
                anchors.append(on)
                self.followup(youth_id, on, sid, worker)
                due = add_months(on, REASSESSMENT_MONTHS)
            anchors.append(seg_end)
            for left, right in zip(anchors, anchors[1:], strict=False):
                on = left + timedelta(days=rng.randint(80, 110))
                while on < right - timedelta(days=30):
                    self.followup(youth_id, on, None, worker)
                    on += timedelta(days=rng.randint(80, 110))
            # Service contacts: the first one, and the last two.
            if first_contact is not None:
                if seg["end"] is None:
                    last = today - timedelta(days=min(int(rng.expovariate(1 / 14)), (today - first_contact).days))
                else:
                    last = max(first_contact, seg["end"] - timedelta(days=rng.randint(0, 20)))
                days = sorted({first_contact, last, first_contact + (last - first_contact) // 2})
                for day in days:
                    self.contact_id += 1
                    self.rows["service_contacts"].append((self.contact_id, self.uid(), youth_id,
                                                          rng.choice(("individual", "individual", "family", "group")),
                                                          day, rng.choice((30, 45, 60, 90)), worker, None, 1))
                last_contact = days[-1]
            if seg["end"] is None:
                current_program, reassessment_due = program, due
            else:
                changes.append(("active", seg["status"], seg["reason"], seg["end"], False))
                if n < len(segments) - 1:
                    changes.append((seg["status"], "screened", None, seg["reopen"], True))
        if status == "closed" and not segments:
            changes.extend(changes_tail)

        changed_at = at(changes[-1][3], rng) if changes else at(referred, rng)
        for from_status, to_status, reason, on, reopened in changes:
            self.change_id += 1
            self.rows["status_changes"].append((self.change_id, youth_id, from_status, to_status, reason, on, at(on, rng),
                                                worker, reopened))
        seal_ = self.seal
        self.rows["youth"].append((
            youth_id, row_uid, code,
            seal_("youth", "given_names", row_uid, given), seal_("youth", "family_name_1", row_uid, family_1),
            seal_("youth", "family_name_2", row_uid, family_2), seal_("youth", "birth_date", row_uid, born.isoformat()),
            seal_("youth", "community", row_uid, community), seal_("youth", "guardian_name", row_uid, guardian),
            seal_("youth", "guardian_contact", row_uid, contact),
            keys.given, keys.family_1, keys.family_2, keys.short, keys.full, self.sealer.birth_key(born.isoformat()), born.year,
            sex, mid, org["id"],
            rng.choices(("enrolled", "dropped_out", "never_enrolled", "finished"), (0.55, 0.35, 0.05, 0.05))[0],
            rng.choices(("not_working", "working", "seeking"), (0.65, 0.15, 0.2))[0],
            rng.choices(("school", "family", "police", "self", "court", "other"), (0.35, 0.2, 0.15, 0.1, 0.1, 0.1))[0],
            worker, status, changed_at, referred, current_program, reassessment_due, last_contact,
            until["services"], until["sharing"], until["statistics"], at(referred, rng), worker, None, 1 + len(changes)))
        self.youth_at[mid] += 1
        if status in ("enrolled", "active"):
            self.in_program[mid].append((youth_id, worker, [(seg["start"], seg["end"]) for seg in segments]))
        if sampled:
            self.sample[youth_id] = {"case_code": code, "given_names": given, "family_name_1": family_1,
                                     "family_name_2": family_2, "birth_date": born, "community": community,
                                     "guardian_name": guardian, "guardian_contact": contact, "status": status,
                                     "organization_id": org["id"], "municipality_id": mid}

    def followup(self, youth_id: int, on: date, screening_id: int | None, worker: int) -> None:
        rng = self.rng
        self.followup_id += 1
        self.rows["follow_ups"].append((self.followup_id, youth_id, on, rng.random() < 0.65, rng.random() < 0.25,
                                        rng.random() < 0.05, rng.choices(("none", "at_risk", "involved", "leaving"),
                                                                         (0.75, 0.17, 0.03, 0.05))[0],
                                        screening_id, worker, at(on, rng), 1))

    # ----------------------------------------------------------------- community policing

    def policing(self, count: int, cohorts: int) -> None:
        """Sessions (G.R.E.A.T. classes first, then the other kinds), ids given in the order they were recorded."""
        rng = self.rng
        countries = {o["country"] for o in self.orgs}
        self.units_at: dict[int, list[int]] = defaultdict(list)
        self.units_in: dict[str, list[int]] = defaultdict(list)
        self.partners_at: dict[int, list[int]] = defaultdict(list)
        for org in self.orgs:
            if org["kind"] == "police_unit":
                self.units_in[org["country"]].append(org["id"])
            for mid in org["munis"]:
                (self.units_at if org["kind"] == "police_unit" else self.partners_at)[mid].append(org["id"])
        self.all_units = [unit for units in self.units_in.values() for unit in units]
        self.officers: dict[int, list[int]] = defaultdict(list)
        for row in self.rows["users"]:
            if row[6] == "police":
                self.officers[row[7]].append(row[0])
        munis = sorted(m for m, (_c, _n, _d, country) in self.municipalities.items() if country in countries)
        scale = sum(self.youth_at.values()) / len(munis)
        # Prevention work concentrates where the cases are (more than in proportion: the towns with the most cases are
        # the most violent ones) and where a police unit works; every municipality has some.
        weights = [(self.youth_at.get(m, 0) + 0.2 * scale * bool(self.units_at.get(m)) + 0.1 * scale) ** 1.2 for m in munis]
        self.session_munis = rng.choices(munis, cum_weights=list(accumulate(weights)), k=count + cohorts)
        self.schools: dict[int, list[str]] = {}
        self.pending: list[tuple] = []  # (created_at, row without id, officers, notes, linkable head-count)
        self.now = datetime.now(UTC)
        self.great_cohorts(cohorts)
        kinds = rng.choices(list(SESSION_KINDS), list(SESSION_KINDS.values()), k=max(0, count - len(self.pending)))
        for kind in kinds:
            on = self.today - timedelta(days=rng.randint(1, SESSION_DAYS))
            mid = self.session_munis.pop()
            curriculum = lesson = school = None
            if kind == "great_lesson":
                curriculum = rng.choice(("elementary", "middle", "middle"))
                lesson = rng.randint(1, policing_codes.LESSONS[curriculum])
            if kind in ("great_lesson", "school_visit"):
                on = on - timedelta(days=on.weekday() - 4) if on.weekday() > 4 else on
                school = self.school_at(mid)
            (low, high), ages, hours = HEADCOUNTS[curriculum or kind]
            self.session(datetime(on.year, on.month, on.day, rng.choice(hours), rng.choice((0, 0, 15, 30))), mid, kind,
                         self.unit_for(mid), rng.randint(low, high), ages, rng.random() < 0.03, curriculum=curriculum,
                         lesson=lesson, school=school)
        self.pending.sort(key=lambda p: p[0])
        self.held: list[tuple[int, int, int, int]] = []  # (session id, municipality, held on (ordinal), linkable)
        self.session_notes: dict[int, str] = {}
        for session_id, (_created, row, officers, notes, linkable) in enumerate(self.pending, start=1):
            self.rows["policing_sessions"].append((session_id, *row))
            self.rows["session_officers"].extend((session_id, officer) for officer in officers)
            if row[23] == "held":
                self.held.append((session_id, row[3], row[2].toordinal(), linkable))
            if notes is not None and len(self.session_notes) < 100:
                self.session_notes[session_id] = notes
        del self.pending

    def great_cohorts(self, count: int) -> None:
        """Classes that follow a curriculum, one lesson a week (not in the school holidays); a cancelled lesson is
        given the next week. Most are complete and graduated; some are in progress, a few were abandoned."""
        rng, today = self.rng, self.today
        first = today - timedelta(days=SESSION_DAYS)
        specs = []
        for _ in range(count):
            curriculum = "elementary" if rng.random() < 0.4 else "middle"
            lessons = policing_codes.LESSONS[curriculum]
            roll = rng.random()
            if roll < 0.82:
                start, planned = first + timedelta(days=rng.randint(0, SESSION_DAYS - 7 * (lessons + 3) - 14)), lessons
            elif roll < 0.95:
                start, planned = today - timedelta(days=rng.randint(1, 7 * (lessons - 1))), lessons
            else:
                start = first + timedelta(days=rng.randint(0, SESSION_DAYS - 7 * (lessons + 3)))
                planned = rng.randint(1, lessons - 1)
            start = start - timedelta(days=start.weekday() - 4) if start.weekday() > 4 else start
            specs.append((start, curriculum, planned))
        specs.sort()
        for cohort_id, (start, curriculum, planned) in enumerate(specs, start=1):
            mid = self.session_munis.pop()
            unit = self.unit_for(mid)
            school = self.school_at(mid)
            grades = ("5.º", "6.º") if curriculum == "elementary" else ("7.º", "8.º", "9.º")
            (low, high), ages, hours = HEADCOUNTS[curriculum]
            size, hour = rng.randint(low, high), rng.choice(hours)
            on, held, last = start, 0, None
            while held < planned and on < today:
                if (on.month, on.day) >= (12, 15) or (on.month, on.day) <= (1, 15):  # school holidays
                    on += timedelta(days=7)
                    continue
                cancelled = rng.random() < 0.03
                self.session(datetime(on.year, on.month, on.day, hour, 0), mid, "great_lesson", unit,
                             size - int(size * rng.random() * 0.2), ages, cancelled, curriculum=curriculum,
                             lesson=held + 1, school=school, cohort=cohort_id)
                if not cancelled:
                    held, last = held + 1, on
                on += timedelta(days=7)
            graduated = min(today, last + timedelta(days=rng.randint(0, 10))) \
                if held == policing_codes.LESSONS[curriculum] else None
            officers = self.officers.get(unit) or [self.rows["users"][0][0]]
            self.rows["great_cohorts"].append((cohort_id, mid, school, f"{rng.choice(grades)} grado sección {rng.choice('ABCD')}",
                                               curriculum, unit, start, graduated, officers[0], 2 if graduated else 1))

    def unit_for(self, mid: int) -> int:
        """A police unit working in the municipality, else one of its country."""
        return self.rng.choice(self.units_at.get(mid) or self.units_in.get(self.municipalities[mid][3]) or self.all_units)

    def school_at(self, mid: int) -> str:
        schools = self.schools.get(mid)
        if schools is None:
            rng = self.rng
            schools = self.schools[mid] = list(dict.fromkeys(
                [f"{rng.choice(SCHOOL_KINDS)} {rng.choice(SCHOOL_NAMES)}" for _ in range(rng.randint(2, 5))]
                + [f"Instituto Nacional de {self.municipalities[mid][1]}"]))
        return self.rng.choice(schools)

    def session(self, held_at: datetime, mid: int, kind: str, unit: int, total: int, ages, cancelled: bool, *,
                curriculum: str | None = None, lesson: int | None = None, school: str | None = None,
                cohort: int | None = None) -> None:
        """One session, pending its id. A cancelled one was recorded ahead with no head-count."""
        rng = self.rng
        row_uid = self.uid()
        counts = (0,) * 8 if cancelled else headcounts(rng, total, ages)
        venue = "school" if school else rng.choice(VENUE_OF[kind])
        community = f"{rng.choice(COMMUNITY_KINDS)} {rng.choice(COMMUNITY_NAMES)}" \
            if rng.random() < (0.25 if school else 0.7) else None
        topic = f"Lección {lesson}" if lesson else rng.choice(TOPICS.get(kind) or TOPICS["other"])
        partners = self.partners_at.get(mid)
        partner = rng.choice(partners) if partners and rng.random() < 0.35 else None
        officers = self.officers.get(unit, [])
        officers = rng.sample(officers, min(len(officers), rng.choice((1, 1, 2, 2, 3))))
        notes = rng.choice(SESSION_NOTES) if not cancelled and rng.random() < 0.04 else None
        created = min(self.now, held_at.replace(tzinfo=UTC) + timedelta(hours=6 + rng.randint(1, 72),
                                                                         minutes=rng.randint(0, 59)))
        self.pending.append((created, (
            row_uid, held_at, held_at.date(), mid, community, venue, school, kind, curriculum, lesson, cohort, topic, unit,
            partner, *counts, self.seal("policing_sessions", "notes", row_uid, notes),
            "cancelled" if cancelled else "held", rng.choice(CANCEL_REASONS) if cancelled else None, None,
            officers[0] if officers else None, created, 2 if cancelled else 1), officers, notes,
            total - counts[-1]))

    def attendance(self, target: int) -> None:
        """Links of youth enrolled or active today to held sessions of their municipality in a week when they were
        in a program (this enrollment or an earlier one, from its Monday to three days after its Sunday), linked by
        their worker within two days; at most the session's head-count under 25 (the links these limits allow are
        ``link_capacity``)."""
        rng = self.rng
        monday = self.today - timedelta(days=SESSION_DAYS + 7)
        monday = monday - timedelta(days=monday.weekday())
        base, weeks = monday.toordinal(), (self.today - monday).days // 7 + 1
        in_week: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (municipality, week) -> youth
        for mid, people in self.in_program.items():
            for youth_id, worker, enrollments in people:
                who = (youth_id, worker)
                for start, end in enrollments:
                    first = max(0, -((base - start.toordinal()) // 7))  # the first week that starts in the enrollment
                    last = weeks - 1 if end is None else min(weeks - 1, (end.toordinal() - 3 - base - 6) // 7)
                    for week in range(first, last + 1):
                        in_week[(mid, week)].append(who)
        pools = [in_week.get((mid, (day - base) // 7), ()) for _sid, mid, day, _linkable in self.held]
        caps = [min(linkable, len(pool)) for (_sid, _mid, _day, linkable), pool in zip(self.held, pools, strict=True)]
        capacity = self.link_capacity = sum(caps)
        share = min(1.0, target / capacity) if capacity else 0.0
        wanted = [int(cap * share + rng.random()) if cap else 0 for cap in caps]  # randomized rounding
        missing, tries = (target - sum(wanted) if share < 1 else 0), 0
        while missing and tries < 1_000_000:  # exactly the target
            i, tries = rng.randrange(len(wanted)), tries + 1
            step = 1 if missing > 0 else -1
            if 0 <= wanted[i] + step <= caps[i]:
                wanted[i] += step
                missing -= step
        rows = self.rows["session_attendance"]
        now, window = self.now, 2 * 86400
        for (session_id, _mid, day, _linkable), pool, k in zip(self.held, pools, wanted, strict=True):
            if not k:
                continue
            start = datetime.fromordinal(day).replace(hour=20, tzinfo=UTC)  # 14:00 local, the day of the session
            for youth_id, worker in rng.sample(pool, k):
                linked = start + timedelta(seconds=int(rng.random() * window))
                rows.append((session_id, youth_id, worker, linked if linked < now else now))

# --------------------------------------------------------------------------- loading


def psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def schema_definitions(cur) -> set[tuple]:
    cur.execute("SELECT 'i', tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
    rows = set(cur.fetchall())
    cur.execute("SELECT 'c', conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace")
    return rows | set(cur.fetchall())


def detach(cur, tables: tuple[str, ...]) -> list[str]:
    """Drop the foreign keys and secondary indexes of the bulk tables; returns
    the statements that recreate them exactly (from pg_get_constraintdef and
    pg_indexes), to run after the load."""
    cur.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)", (list(tables),))
    fks = cur.fetchall()
    cur.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE contype IN ('p', 'u') AND connamespace = 'public'::regnamespace)", (list(tables),))
    indexes = cur.fetchall()
    for table, name, _definition in fks:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for _table, name, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _t, _n, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in fks]


def copy_table(cur, table: str, rows: list[tuple]) -> list[tuple]:
    """COPY the rows; a counted table's rows get a record key 1-255 each, as the app gives
    them (app/record_keys.py), from ``seeded_record_keys``."""
    columns = COLUMNS[table]
    keyed = table in KEYED_TABLES
    if keyed:
        columns = (*columns, "record_key")
        keys = seeded_record_keys(table, len(rows))
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, next(keys)) if keyed else row)
    return rows


def reattach(cur, statements: list[str]) -> int:
    for statement in statements:
        cur.execute(statement)
    return len(statements)


def reset_sequences(cur) -> int:
    tables = [t for t, cols in COLUMNS.items() if cols[0] == "id"]
    for table in tables:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))")
    return len(tables)


# --------------------------------------------------------------------------- checks and samples


def check_through_orm(plan: Plan) -> int:
    """Read sampled rows back through the ORM: the app must decrypt them and
    find them by its own blind index."""
    for youth_id, expected in plan.sample.items():
        youth = db.session.get(Youth, youth_id)
        for field in ("case_code", "given_names", "family_name_1", "family_name_2", "birth_date", "community",
                      "guardian_name", "guardian_contact", "status"):
            assert getattr(youth, field) == expected[field], (youth_id, field)
        keys = NameKeys.of(youth.given_names, youth.family_name_1, youth.family_name_2)
        assert (youth.given_bidx, youth.family_1_bidx, youth.family_2_bidx, youth.short_name_bidx, youth.full_name_bidx) \
            == (keys.given, keys.family_1, keys.family_2, keys.short, keys.full), youth_id
        assert youth.birth_bidx == blind_index(youth.birth_date.isoformat()) and youth.birth_year == youth.birth_date.year
        found = db.session.scalars(select(Youth.id).where(
            Youth.short_name_bidx == blind_index(f"  {youth.given_names.upper()}   {youth.family_name_1} "))).all()
        assert youth_id in found, youth_id
    for user in db.session.scalars(select(User).order_by(User.id).limit(50)):
        assert user.full_name and user.email.startswith(user.username + "@"), user.id
        assert user.email_bidx == blind_index(user.email)
    db.session.rollback()
    return len(plan.sample)


def check_policing(plan: Plan) -> int:
    """Sessions read back through the ORM (sealed notes open, head-counts by sex and by age agree), G.R.E.A.T.
    completion as the app computes it, and attendance links the app's rules allow."""
    for session_id, notes in plan.session_notes.items():
        assert db.session.get(PolicingSession, session_id).notes == notes, session_id
    assert not db.session.scalar(text(
        "SELECT count(*) FROM policing_sessions WHERE female + male + sex_not_recorded "
        "<> under_12 + age_12_14 + age_15_17 + age_18_24 + age_25_plus"))
    for cohort in db.session.scalars(select(GreatCohort).order_by(GreatCohort.id).limit(60)):
        assert cohort_progress(cohort).complete == (cohort.graduated_on is not None), cohort.id
    assert not db.session.scalar(text(
        "SELECT count(*) FROM session_attendance a JOIN policing_sessions s ON s.id = a.session_id "
        "JOIN youth y ON y.id = a.youth_id WHERE y.status NOT IN ('enrolled', 'active') "
        "OR y.municipality_id <> s.municipality_id OR s.status <> 'held' OR a.linked_by_id <> y.assigned_worker_id "
        "OR a.linked_at < s.held_on OR NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.youth_id = y.id "
        "AND e.start_on <= s.held_on AND (e.end_on IS NULL OR e.end_on >= a.linked_at::date))"))
    db.session.rollback()
    return len(plan.session_notes) + 60


def write_samples(plan: Plan, database: str) -> dict:
    """One coordinator of the largest organization, and five of their cases."""
    org = max(plan.case_orgs, key=lambda o: o["weight"])
    coordinator_id = org["coordinators"][0]
    username = next(r[2] for r in plan.rows["users"] if r[0] == coordinator_id)
    cases = [(y[0], y[2], y[18], y[24]) for y in plan.rows["youth"] if y[19] == org["id"]]
    by_muni: dict[int, int] = defaultdict(int)
    for _yid, _code, mid, status in cases:
        by_muni[mid] += status == "active"
    chosen = plan.rng.sample([c for c in cases if c[3] in ("active", "enrolled")], 5)
    names = []
    for youth_id, code, mid, status in chosen:
        youth = db.session.get(Youth, youth_id)
        names.append({"case_code": code, "given_names": youth.given_names, "family_name_1": youth.family_name_1,
                      "family_name_2": youth.family_name_2, "municipality_id": mid, "status": status})
    db.session.rollback()
    samples = {"database": make_url(database).render_as_string(hide_password=True), "password": PASSWORD,
               "coordinator": username, "organization_id": org["id"], "organization": org["name"],
               "organization_cases": len(cases), "busiest_municipality_id": max(by_muni, key=by_muni.get),
               "cases": names}
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "scale-samples.json").write_text(json.dumps(samples, ensure_ascii=False, indent=2), encoding="utf-8")
    return samples


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="postgresql+psycopg://user:password@host:port/name")
    parser.add_argument("--youth", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if make_url(args.database).get_backend_name() != "postgresql":
        parser.error("the data set is generated into PostgreSQL")

    started = time.perf_counter()
    timer = Timer()
    rng = random.Random(args.seed)
    print(f"Senda scale data set: {args.youth:,} youth, seed {args.seed}")

    def empty() -> None:
        engine = create_engine(args.database)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()

    timer.run("empty the database", empty)
    config = type("ScaleConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": args.database})
    app = create_app(config)
    with app.app_context():
        keys = app.extensions["senda_keys"]
        today = datetime.now(ZoneInfo(config.BABEL_DEFAULT_TIMEZONE)).date()
        timer.run("schema (flask_migrate.upgrade)", upgrade)

        def reference_data():
            load_geography(DEFAULT_FILE.read_text(encoding="utf-8"))
            stored = None
            for path in sorted(INSTRUMENT_DIR.glob("*.yaml")):
                stored, _new = load_definition(yaml.safe_load(path.read_text(encoding="utf-8")))
            db.session.commit()
            return stored

        stored = timer.run("geography + instrument (app services)", reference_data)
        instrument_id, instrument = stored.id, definition_of(stored)
        municipalities = {m.id: (m.code, m.name, d.id, d.country_code) for m, d in db.session.execute(
            select(Municipality, Department).join(Department, Department.id == Municipality.department_id))}
        depts = {d.id: d.country_code for d in db.session.scalars(select(Department))}
        db.session.rollback()
        password_hash = hash_password(PASSWORD)

        plan = Plan(rng, today, keys, instrument_id, instrument, municipalities, depts)
        timer.run("plan organizations", lambda: plan.organizations() or len(plan.orgs))
        timer.run("plan + seal users", lambda: plan.users(password_hash) or len(plan.rows["users"]))
        timer.run("plan programs", lambda: plan.programs() or len(plan.rows["programs"]))
        timer.run("score the screening answer pool", lambda: plan.screening_pool() or sum(map(len, plan.pool.values())))
        timer.run("plan + seal + blind-index youth and casework", lambda: plan.youth(args.youth) or len(plan.rows["youth"]))
        sessions = round(args.youth * SESSIONS_PER_YOUTH)
        timer.run("plan + seal policing sessions, G.R.E.A.T. classes",
                  lambda: plan.policing(sessions, sessions // COHORT_EVERY) or len(plan.rows["policing_sessions"]))
        timer.run("plan attendance links",
                  lambda: plan.attendance(round(args.youth * LINKS_PER_YOUTH)) or len(plan.rows["session_attendance"]))

        with psycopg.connect(psycopg_url(args.database)) as conn, conn.cursor() as cur:
            cur.execute("SET synchronous_commit = off")
            cur.execute("SET maintenance_work_mem = '512MB'")
            before = schema_definitions(cur)
            statements = timer.run("drop foreign keys + secondary indexes", detach, cur, BULK_TABLES, unit="to recreate")
            for table in COLUMNS:
                timer.run(f"COPY {table}", copy_table, cur, table, plan.rows[table])
            timer.run("recreate indexes + foreign keys (validated)", reattach, cur, statements, unit="statements")
            timer.run("reset id sequences", reset_sequences, cur, unit="sequences")
            assert schema_definitions(cur) == before, "the schema changed during the load"
            timer.run("commit", conn.commit)
        with psycopg.connect(psycopg_url(args.database), autocommit=True) as conn:
            # VACUUM too, so that plans and timings do not depend on whether autovacuum has visited the new rows yet.
            timer.run("VACUUM (ANALYZE)", lambda: conn.execute("VACUUM (ANALYZE)") and None)

        timer.run("check a sample through the ORM (decrypt + search)", check_through_orm, plan, unit="youth checked")
        timer.run("check sessions, classes and attendance", check_policing, plan, unit="rows checked")
        samples = write_samples(plan, args.database)

    total = time.perf_counter() - started
    print(f"\nTotal: {total:.1f} s ({total / 60:.1f} min)\n")
    counts = {t: len(plan.rows[t]) for t in COLUMNS}
    for table, count in counts.items():
        print(f"  {table:<30} {count:>10,}")
    graduated = sum(1 for c in plan.rows["great_cohorts"] if c[7] is not None)
    cancelled = sum(1 for s in plan.rows["policing_sessions"] if s[24] == "cancelled")
    print(f"  ({graduated:,} of {counts['great_cohorts']:,} G.R.E.A.T. classes graduated; {cancelled:,} sessions cancelled; "
          f"{counts['session_attendance']:,} attendance links of {plan.link_capacity:,} that the rules allow)")
    print(f"\nCoordinator {samples['coordinator']} (password {PASSWORD}) of {samples['organization']} "
          f"({samples['organization_cases']:,} cases); busiest municipality id {samples['busiest_municipality_id']}")
    for case in samples["cases"]:
        print(f"  {case['case_code']}  {case['given_names']} {case['family_name_1']}  ({case['status']})")
    print(f"Written to {OUT_DIR / 'scale-samples.json'}")


if __name__ == "__main__":
    main()
