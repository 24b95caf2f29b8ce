"""What a case page shows: a fixed number of queries whatever the case holds."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import literal, select, union_all

from app.accounts.models import User
from app.casework.models import CaseNote, FollowUp, Goal, ServiceContact
from app.extensions import db
from app.policing.models import Attendance, PolicingSession
from app.programs.models import Enrollment, Program
from app.screening.models import Screening
from app.security.crypto import associated_data, open_sealed
from app.security.policy import visible_notes
from app.youth.models import Consent, StatusChange, Youth
from app.youth.services import has_consent, today


def case_context(youth: Youth, user: User) -> dict:
    """The case page: profile, consent, screenings, programs and status."""
    day = today()
    return {
        "today": day,
        "consents": db.session.scalars(
            select(Consent).where(Consent.youth_id == youth.id).order_by(Consent.given_on.desc(), Consent.id.desc())
        ).all(),
        "services_consent": has_consent(youth, "services", day),
        "screenings": db.session.scalars(
            select(Screening).where(Screening.youth_id == youth.id).order_by(Screening.screened_on.desc())
        ).all(),
        "enrollments": db.session.execute(
            select(Enrollment, Program.name).join(Program, Program.id == Enrollment.program_id)
            .where(Enrollment.youth_id == youth.id).order_by(Enrollment.start_on.desc())
        ).all(),
        "history": db.session.scalars(
            select(StatusChange).where(StatusChange.youth_id == youth.id).order_by(StatusChange.id.desc())
        ).all(),
        "worker": youth.assigned_worker,
    }


@dataclass(frozen=True)
class Activity:
    """A service contact or a community session attended, for the timeline."""

    kind: str  # "contact" | "session"
    id: int
    on: date
    detail: str  # contact kind or session kind
    number: int | None  # minutes of a contact, lesson of a session
    worker: str | None
    summary: str | None


def activity(youth: Youth, limit: int = 100) -> list[Activity]:
    """Service contacts and sessions attended, newest first, in one query."""
    contacts = (
        select(literal("contact").label("kind"), ServiceContact.id, ServiceContact.contact_on.label("on"),
               ServiceContact.kind.label("detail"), ServiceContact.minutes.label("number"),
               User.username.label("worker"), ServiceContact.summary_ct.label("summary"), ServiceContact.row_uid)
        .join(User, User.id == ServiceContact.worker_id).where(ServiceContact.youth_id == youth.id)
    )
    sessions = (
        select(literal("session"), PolicingSession.id, PolicingSession.held_on, PolicingSession.kind,
               PolicingSession.lesson_number, literal(None), literal(None), literal(None))
        .join(Attendance, Attendance.session_id == PolicingSession.id).where(Attendance.youth_id == youth.id)
    )
    both = union_all(contacts, sessions).subquery()
    rows = db.session.execute(select(both).order_by(both.c.on.desc(), both.c.id.desc()).limit(limit)).all()
    return [
        Activity(r.kind, r.id, r.on, r.detail, r.number, r.worker,
                 open_sealed(bytes(r.summary), associated_data("service_contacts", "summary", r.row_uid))
                 if r.summary is not None else None)
        for r in rows
    ]


def casework_context(youth: Youth, user: User) -> dict:
    """The casework page: plan, timeline of contacts and sessions, follow-ups, notes."""
    return {
        "today": today(),
        "goals": db.session.scalars(select(Goal).where(Goal.youth_id == youth.id).order_by(Goal.id)).all(),
        "activity": activity(youth),
        "notes": db.session.execute(
            visible_notes(user, youth.id).add_columns(User.username).join(User, User.id == CaseNote.author_id)
        ).all(),
        "followups": db.session.scalars(
            select(FollowUp).where(FollowUp.youth_id == youth.id).order_by(FollowUp.followup_on.desc())
        ).all(),
    }


def full_record(youth: Youth, user: User) -> dict:
    """Everything Senda holds about one youth, for a subject-access request."""
    context = case_context(youth, user) | casework_context(youth, user)
    return {
        "case_code": youth.case_code,
        "given_names": youth.given_names, "family_name_1": youth.family_name_1,
        "family_name_2": youth.family_name_2, "birth_date": youth.birth_date,
        "sex": youth.sex, "municipality": youth.municipality.code, "community": youth.community,
        "school_status_at_intake": youth.school_status, "work_status_at_intake": youth.work_status,
        "guardian_name": youth.guardian_name, "guardian_contact": youth.guardian_contact,
        "referral_source": youth.referral_source, "status": youth.status, "referred_on": youth.referred_on,
        "consents": [{"purpose": c.purpose, "given_by": c.given_by, "given_on": c.given_on,
                      "expires_on": c.expires_on, "withdrawn_on": c.withdrawn_on} for c in context["consents"]],
        "screenings": [{"date": s.screened_on, "kind": s.kind, "level": s.level, "reason": s.reason,
                        "scale_scores": s.scale_scores, "answers": s.answers} for s in context["screenings"]],
        "enrollments": [{"program": name, "start": e.start_on, "end": e.end_on, "status": e.status,
                         "exit_reason": e.exit_reason} for e, name in context["enrollments"]],
        "goals": [{"description": g.description, "status": g.status, "target": g.target_on} for g in context["goals"]],
        "service_contacts": [{"date": a.on, "kind": a.detail, "minutes": a.number, "summary": a.summary}
                             for a in context["activity"] if a.kind == "contact"],
        "notes": [{"date": n.created_at, "body": n.body, "sensitive": n.sensitive} for n, _ in context["notes"]],
        "follow_ups": [{"date": f.followup_on, "in_school": f.in_school, "working": f.working,
                        "new_justice_contact": f.new_justice_contact, "gang_involvement": f.gang_involvement}
                       for f in context["followups"]],
        "sessions_attended": [{"date": a.on, "kind": a.detail, "lesson": a.number}
                              for a in context["activity"] if a.kind == "session"],
        "status_history": [{"from": h.from_status, "to": h.to_status, "on": h.changed_on,
                            "exit_reason": h.exit_reason} for h in context["history"]],
    }
