"""Community-policing sessions of the demo population: about 300 over the
last two years in the municipalities the demo police unit works in, with
head-counts by sex and by age that agree, a few cancelled, and attendance
links of population youth who were in a program of that municipality on the
day (linked by their worker within two days)."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import Organization, User
from app.demo.bulk import advance_sequences, headcounts, insert_rows, next_ids, random_uid
from app.demo.names import (
    CANCEL_REASONS,
    COMMUNITY_KINDS,
    COMMUNITY_NAMES,
    HEADCOUNTS,
    SCHOOL_KINDS,
    SCHOOL_NAMES,
    SESSION_NOTES,
    TOPICS,
    VENUE_OF,
)
from app.extensions import db

SESSIONS = 300
# The kinds of session (G.R.E.A.T. classes are the hand-built demo's) and their shares.
KINDS = {"community_meeting": 0.32, "school_visit": 0.22, "sports_cultural": 0.2, "family_visit": 0.09,
         "security_council": 0.1, "other": 0.07}


def load_population_sessions(rng: random.Random, today: date, span_days: int, plan) -> int:
    """Plan and insert the sessions, their officers and attendance links; returns how many sessions."""
    unit = db.session.scalar(select(Organization).where(Organization.kind == "police_unit"))
    officer = db.session.scalar(select(User).where(User.username == "police.sv"))
    partner = db.session.scalar(select(Organization).where(Organization.name == "Fundación Senderos"))
    munis = sorted(m.id for m in unit.municipalities)
    schools = {m: [f"{rng.choice(SCHOOL_KINDS)} {rng.choice(SCHOOL_NAMES)}" for _ in range(3)] for m in munis}
    ids = next_ids("policing_sessions")
    first = ids["policing_sessions"]
    sessions, officers = [], []
    planned = sorted((today - timedelta(days=rng.randint(1, span_days)), kind)
                     for kind in rng.choices(list(KINDS), list(KINDS.values()), k=SESSIONS))
    for offset, (on, kind) in enumerate(planned):  # ids in the order they were held
        (low, high), ages, hours = HEADCOUNTS[kind]
        mid = rng.choice(munis)
        school = rng.choice(schools[mid]) if kind == "school_visit" else None
        cancelled = rng.random() < 0.03
        held_at = datetime(on.year, on.month, on.day, rng.choice(hours), rng.choice((0, 0, 15, 30)))
        row_uid = random_uid(rng)
        notes = rng.choice(SESSION_NOTES) if not cancelled and rng.random() < 0.05 else None
        counts = (0,) * 8 if cancelled else headcounts(rng, rng.randint(low, high), ages)
        sessions.append({
            "id": first + offset, "row_uid": row_uid, "held_at": held_at, "held_on": on, "municipality_id": mid,
            "community": f"{rng.choice(COMMUNITY_KINDS)} {rng.choice(COMMUNITY_NAMES)}" if rng.random() < 0.6 else None,
            "venue": "school" if school else rng.choice(VENUE_OF[kind]), "school_name": school, "kind": kind,
            "curriculum": None, "lesson_number": None, "cohort_id": None, "topic": rng.choice(TOPICS[kind]),
            "police_unit_id": unit.id, "partner_organization_id": partner.id if rng.random() < 0.35 else None,
            **dict(zip(("female", "male", "sex_not_recorded", "under_12", "age_12_14", "age_15_17", "age_18_24",
                        "age_25_plus"), counts, strict=True)),
            "notes": plan.sealer.seal("policing_sessions", "notes", row_uid, notes),
            "status": "cancelled" if cancelled else "held", "cancel_reason": rng.choice(CANCEL_REASONS) if cancelled else None,
            "import_key": None, "created_by_id": officer.id,
            "created_at": min(plan.now, held_at.replace(tzinfo=UTC) + timedelta(hours=6 + rng.randint(1, 72))),
            "version": 2 if cancelled else 1})
        officers.append({"session_id": first + offset, "user_id": officer.id})
    insert_rows("policing_sessions", sessions)
    insert_rows("session_officers", officers)
    advance_sequences("policing_sessions")
    insert_rows("session_attendance", links(rng, plan, sessions))
    return len(sessions)


def links(rng: random.Random, plan, sessions: list[dict]) -> list[dict]:
    """Up to four youth per held session, of its municipality and in a program that day, linked within two days."""
    youth = {row["id"]: row for row in plan.rows["youth"]}
    enrolled: dict[int, list[tuple]] = defaultdict(list)  # municipality -> (youth, worker, start, end)
    for row in plan.rows["enrollments"]:
        person = youth[row["youth_id"]]
        enrolled[person["municipality_id"]].append((person["id"], person["assigned_worker_id"], row["start_on"],
                                                    row["end_on"] or plan.today))
    rows = []
    for session in sessions:
        if session["status"] != "held":
            continue
        day = session["held_on"]
        pool = [(y, w, end) for y, w, start, end in enrolled[session["municipality_id"]] if start <= day <= end]
        for youth_id, worker, end in rng.sample(pool, min(len(pool), rng.randint(0, 4))):
            linked = session["held_at"].replace(tzinfo=UTC) + timedelta(hours=6, seconds=rng.randint(0, 2 * 86400))
            latest = datetime(end.year, end.month, end.day, 23, 0, tzinfo=UTC)
            rows.append({"session_id": session["id"], "youth_id": youth_id, "linked_by_id": worker,
                         "linked_at": min(linked, latest, plan.now)})
    return rows
