"""What a case page shows: a fixed number of queries whatever the case holds."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from sqlalchemy import literal, select, union_all

from app.accounts.models import User
from app.casework import models as casework_codes
from app.casework.models import CaseNote, FollowUp, Goal, ServiceContact
from app.dates import local_today as today
from app.extensions import db
from app.i18n import current_language
from app.policing import codes as policing_codes
from app.policing.models import Attendance, PolicingSession
from app.programs import models as program_codes
from app.programs.models import Enrollment, Program
from app.screening.instrument import definition_of
from app.screening.labels import level_reason
from app.screening.models import Screening
from app.security.crypto import associated_data, open_sealed
from app.security.policy import visible_notes
from app.youth import codes
from app.youth.consents import has_consent
from app.youth.models import Consent, StatusChange, Youth


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


SCREENING_KINDS = {"baseline": _l("First screening"), "reassessment": _l("Reassessment")}


def _plain(value: object) -> object:
    """A value as a person reads it: yes/no for booleans, ISO dates
    (YYYY-MM-DD, unambiguous in every country), times in the program's time
    zone, an empty text for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return to_user_timezone(value).replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _entry(*pairs: tuple[str, object]) -> dict:
    return {label: _plain(value) for label, value in pairs}


def _labelled(labels: dict, code: str | None) -> str:
    return "" if code is None else str(labels.get(code, code))


def _screening(screening: Screening, language: str) -> dict:
    instrument = definition_of(screening.instrument)
    answers = {a.value: instrument.text(a, language) for a in instrument.answers}
    return _entry(
        (_("Date"), screening.screened_on), (_("Kind"), _labelled(SCREENING_KINDS, screening.kind)),
        (_("Prevention level"), _labelled(program_codes.LEVELS, screening.level)),
        (_("Screening result"), level_reason(screening)),
    ) | {
        _("Scale scores"): [
            _entry((_("Scale"), instrument.text(scale, language)), (_("Score"), screening.scale_scores.get(scale.code)),
                   (_("Threshold"), scale.threshold),
                   (_("Meets threshold"), (screening.scale_scores.get(scale.code) or 0) >= scale.threshold))
            for scale in instrument.scales],
        _("Answers"): [
            *(_entry((_("Question"), instrument.text(item, language)),
                     (_("Answer"), answers.get(screening.answers.get(item.code), screening.answers.get(item.code))))
              for item in instrument.items()),
            *(_entry((_("Question"), instrument.text(flag, language)), (_("Answer"), getattr(screening, flag.code)))
              for flag in instrument.flags if isinstance(getattr(screening, flag.code, None), bool)),
        ],
    }


def full_record(youth: Youth, user: User) -> dict:
    """Everything Senda holds about one youth, for a subject-access request,
    in the requester's language: field names and coded values are the labels
    the pages show ("Situación escolar al ingreso": "Abandonó los estudios"),
    so that the youth or the guardian can read it."""
    context = case_context(youth, user) | casework_context(youth, user)
    language = current_language()
    return _entry(
        (_("Case code"), youth.case_code), (_("Given names"), youth.given_names),
        (_("First family name"), youth.family_name_1), (_("Second family name"), youth.family_name_2),
        (_("Birth date"), youth.birth_date), (_("Sex"), _labelled(codes.SEXES, youth.sex)),
        (_("Municipality"), f"{youth.municipality.label} · {youth.municipality.code}"),
        (_("Community"), youth.community),
        (_("School at intake"), _labelled(codes.SCHOOL_STATUSES, youth.school_status)),
        (_("Work at intake"), _labelled(codes.WORK_STATUSES, youth.work_status)),
        (_("Guardian's name"), youth.guardian_name), (_("Guardian's phone or address"), youth.guardian_contact),
        (_("Referred by"), _labelled(codes.REFERRAL_SOURCES, youth.referral_source)),
        (_("Referral date"), youth.referred_on), (_("Status"), _labelled(codes.STATUSES, youth.status)),
    ) | {
        _("Consent"): [
            _entry((_("Purpose"), _labelled(codes.CONSENT_PURPOSES, c.purpose)),
                   (_("Given by"), _labelled(codes.CONSENT_GIVERS, c.given_by)), (_("Date given"), c.given_on),
                   (_("Expires on"), c.expires_on), (_("Withdrawn on"), c.withdrawn_on))
            for c in context["consents"]],
        _("Risk screenings"): [_screening(s, language) for s in context["screenings"]],
        _("Programs"): [
            _entry((_("Program"), name), (_("Start date"), e.start_on), (_("End date"), e.end_on),
                   (_("Status"), _labelled(codes.STATUSES, e.status)),
                   (_("Exit reason"), _labelled(codes.EXIT_REASONS, e.exit_reason)))
            for e, name in context["enrollments"]],
        _("Case plan"): [
            _entry((_("Goal"), g.description), (_("Status"), _labelled(casework_codes.GOAL_STATUSES, g.status)),
                   (_("Target date"), g.target_on))
            for g in context["goals"]],
        _("Service contacts"): [
            _entry((_("Date"), a.on), (_("Kind of contact"), _labelled(casework_codes.CONTACT_KINDS, a.detail)),
                   (_("Minutes"), a.number), (_("Summary"), a.summary))
            for a in context["activity"] if a.kind == "contact"],
        _("Case notes"): [
            _entry((_("Date"), n.created_at), (_("Note"), n.body), (_("Sensitive"), n.sensitive))
            for n, _author in context["notes"]],
        _("Follow-ups"): [
            _entry((_("Date"), f.followup_on), (_("In school"), f.in_school), (_("Working"), f.working),
                   (_("New justice contact"), f.new_justice_contact),
                   (_("Gang involvement"), _labelled(casework_codes.GANG_STATUSES, f.gang_involvement)))
            for f in context["followups"]],
        _("Community sessions attended"): [
            _entry((_("Date"), a.on), (_("Kind of session"), _labelled(policing_codes.KINDS, a.detail)),
                   (_("Lesson number"), a.number))
            for a in context["activity"] if a.kind == "session"],
        _("Status history"): [
            _entry((_("Date"), h.changed_on), (_("Previous status"), _labelled(codes.STATUSES, h.from_status)),
                   (_("New status"), _labelled(codes.STATUSES, h.to_status)),
                   (_("Exit reason"), _labelled(codes.EXIT_REASONS, h.exit_reason)))
            for h in context["history"]],
    }
