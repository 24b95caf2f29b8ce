"""What a case page shows: a fixed number of queries whatever the case holds."""

from sqlalchemy import select

from app.accounts.models import User
from app.casework.models import CaseNote, FollowUp, Goal, ServiceContact
from app.extensions import db
from app.programs.models import Enrollment, Program
from app.screening.models import Screening
from app.security.policy import visible_notes
from app.youth.models import Consent, StatusChange, Youth
from app.youth.services import has_consent, today


def case_context(youth: Youth, user: User) -> dict:
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
        "goals": db.session.scalars(select(Goal).where(Goal.youth_id == youth.id).order_by(Goal.id)).all(),
        "contacts": db.session.execute(
            select(ServiceContact, User.username).join(User, User.id == ServiceContact.worker_id)
            .where(ServiceContact.youth_id == youth.id).order_by(ServiceContact.contact_on.desc()).limit(50)
        ).all(),
        "notes": db.session.execute(
            visible_notes(user, youth.id).add_columns(User.username).join(User, User.id == CaseNote.author_id)
        ).all(),
        "followups": db.session.scalars(
            select(FollowUp).where(FollowUp.youth_id == youth.id).order_by(FollowUp.followup_on.desc())
        ).all(),
        "history": db.session.scalars(
            select(StatusChange).where(StatusChange.youth_id == youth.id).order_by(StatusChange.id.desc())
        ).all(),
        "worker": youth.assigned_worker,
    }


def full_record(youth: Youth, user: User) -> dict:
    """Everything Senda holds about one youth, for a subject-access request."""
    context = case_context(youth, user)
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
        "service_contacts": [{"date": c.contact_on, "kind": c.kind, "minutes": c.minutes, "summary": c.summary}
                             for c, _ in context["contacts"]],
        "notes": [{"date": n.created_at, "body": n.body, "sensitive": n.sensitive} for n, _ in context["notes"]],
        "follow_ups": [{"date": f.followup_on, "in_school": f.in_school, "working": f.working,
                        "new_justice_contact": f.new_justice_contact, "gang_involvement": f.gang_involvement}
                       for f in context["followups"]],
        "status_history": [{"from": h.from_status, "to": h.to_status, "on": h.changed_on,
                            "exit_reason": h.exit_reason} for h in context["history"]],
    }
