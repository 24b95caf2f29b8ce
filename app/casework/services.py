"""Writes of a case's plan, contacts, notes and follow-ups: plain values in,
the stored row out, flushed with its audit event; the view commits."""

from datetime import date

from app.accounts.models import User
from app.cases import lifecycle
from app.cases.lifecycle import audit_case
from app.casework.models import CaseNote, FollowUp, Goal, ServiceContact
from app.extensions import db
from app.youth.models import Youth


def save_goal(youth: Youth, user: User, goal: Goal | None, description: str, status: str,
              target_on: date | None) -> Goal:
    """A new goal (goal None) or an edit of one of the case's goals."""
    created = goal is None
    goal = goal or Goal(youth_id=youth.id, created_by_id=user.id)
    goal.description, goal.status, goal.target_on = description.strip(), status, target_on
    db.session.add(goal)
    db.session.flush()
    audit_case("goal.create" if created else "goal.update", youth, detail=f"goal={goal.id}")
    return goal


def record_contact(youth: Youth, user: User, kind: str, contact_on: date, minutes: int | None,
                   summary: str | None) -> ServiceContact:
    """A service contact; the first one of an enrolled youth makes the case active."""
    contact = ServiceContact(youth_id=youth.id, kind=kind, contact_on=contact_on, minutes=minutes, worker_id=user.id)
    contact.summary = (summary or "").strip() or None
    db.session.add(contact)
    db.session.flush()
    lifecycle.contact_made(youth, contact_on, user)
    audit_case("contact.create", youth, detail=f"contact={contact.id}")
    return contact


def add_note(youth: Youth, user: User, body: str, sensitive: bool) -> CaseNote:
    note = CaseNote(youth_id=youth.id, author_id=user.id, sensitive=sensitive)
    note.body = body.strip()
    db.session.add(note)
    db.session.flush()
    audit_case("note.create", youth, detail=f"note={note.id};sensitive={int(note.sensitive)}")
    return note


def record_followup(youth: Youth, user: User, followup_on: date, in_school: bool, working: bool,
                    new_justice_contact: bool, gang_involvement: str, screening_id: int | None) -> FollowUp:
    followup = FollowUp(youth_id=youth.id, followup_on=followup_on, in_school=in_school, working=working,
                        new_justice_contact=new_justice_contact, gang_involvement=gang_involvement,
                        screening_id=screening_id or None, recorded_by_id=user.id)
    db.session.add(followup)
    db.session.flush()
    audit_case("followup.create", youth, detail=f"followup={followup.id}")
    return followup
