"""Every change a case goes through, top to bottom: register, screen, enroll,
activate, change status (end enrollment, close), reopen, anonymize. Each
function checks its rule, makes its side effects, writes its audit event and
flushes; the caller (a page, the CLI, the demo loader, later the API and the
offline sync) commits once.

A case moves  referred -> screened -> enrolled -> active -> completed | dropped
| transferred | closed;  any open case may be closed;  a closed case may be
reopened to the status it left (screened again when it left a program)."""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User, utcnow
from app.audit.service import record
from app.cases.status import EXIT_STATUSES, IN_PROGRAM, CaseStatus, EnrollmentStatus
from app.casework.models import CaseNote, Goal, ServiceContact
from app.dates import add_months
from app.extensions import db
from app.programs.models import Enrollment, Program
from app.screening.instrument import definition_of, score
from app.screening.models import InstrumentVersion, Screening
from app.versions import raise_version
from app.youth import codes
from app.youth.consents import refresh_consent
from app.youth.identity import CASE_FIELDS, IDENTITY_FIELDS, new_case_code, update_case
from app.youth.models import DuplicateDecision, StatusChange, Youth

S = CaseStatus

# The moves a user may make by hand. Screening, enrollment and the first
# contact make the referred -> screened -> enrolled -> active moves
# themselves; reopening is separate.
MANUAL_MOVES: dict[str, tuple[CaseStatus, ...]] = {
    S.REFERRED: (S.CLOSED,),
    S.SCREENED: (S.CLOSED,),
    S.ENROLLED: (S.ACTIVE, S.DROPPED, S.TRANSFERRED, S.CLOSED),
    S.ACTIVE: (S.COMPLETED, S.DROPPED, S.TRANSFERRED, S.CLOSED),
}
ALL_MOVES: dict[str, tuple[CaseStatus, ...]] = {
    S.REFERRED: (S.SCREENED, S.CLOSED),
    S.SCREENED: (S.ENROLLED, S.CLOSED),
    S.ENROLLED: (S.ACTIVE, S.DROPPED, S.TRANSFERRED, S.CLOSED),
    S.ACTIVE: (S.COMPLETED, S.DROPPED, S.TRANSFERRED, S.CLOSED),
}
NO_CONTACT_DAYS = 30  # a case in a program with no contact for longer wants attention


class TransitionError(ValueError):
    """A status move that is not allowed."""


def audit_case(action: str, youth: Youth, detail: str | None = None, **kwargs) -> None:
    """Every case event names the case by its public code."""
    record(action, object_type="youth", object_id=youth.case_code, detail=detail, **kwargs)


# --- what the pages may offer (the templates ask these, not the statuses) -----

def may_screen(youth: Youth) -> bool:
    """A first screening (referred) or a reassessment (in a program)."""
    return youth.status == S.REFERRED or youth.status in IN_PROGRAM


def may_enroll(youth: Youth) -> bool:
    return youth.status == S.SCREENED


def may_reopen(youth: Youth) -> bool:
    return youth.status in EXIT_STATUSES


def manual_moves(youth: Youth) -> tuple[CaseStatus, ...]:
    return MANUAL_MOVES.get(youth.status, ())


def reassessment_shown(youth: Youth) -> bool:
    return youth.reassessment_due is not None and youth.status in IN_PROGRAM


def reassessment_overdue(youth: Youth, today: date) -> bool:
    return reassessment_shown(youth) and youth.reassessment_due < today


def contact_overdue(youth: Youth, today: date) -> bool:
    return youth.status in IN_PROGRAM and (
        youth.last_contact_on is None or youth.last_contact_on < today - timedelta(days=NO_CONTACT_DAYS))


def reassessment_months() -> int:
    return int(current_app.config.get("REASSESSMENT_MONTHS", 6))


# --- register ------------------------------------------------------------------

def register(user: User, values: dict, assigned_worker_id: int, country_code: str, today: date,
             not_duplicates: list[int] = ()) -> Youth:
    """A new case, referred today, assigned to `assigned_worker_id`;
    `not_duplicates` are the possible matches the user dismissed."""
    youth = Youth(case_code=new_case_code(country_code), organization_id=user.organization_id,
                  created_by_id=user.id, status=S.REFERRED, referred_on=today, version=1,
                  assigned_worker_id=assigned_worker_id)
    update_case(youth, {name: values.get(name) for name in (*IDENTITY_FIELDS, *CASE_FIELDS)})
    db.session.add(youth)
    db.session.flush()
    refresh_consent(youth, today)
    audit_case("youth.create", youth)
    for other in not_duplicates:
        db.session.add(DuplicateDecision(youth_id=youth.id, other_youth_id=other, decided_by_id=user.id))
    if not_duplicates:
        audit_case("youth.duplicate_dismissed", youth, detail=f"others={len(not_duplicates)}")
    return youth


# --- screen --------------------------------------------------------------------

def screen(youth: Youth, stored: InstrumentVersion, answers: dict[str, int], flags: dict[str, bool],
           screened_on: date, user: User) -> Screening:
    """Score and store a screening; a referred case moves to screened, and a
    reassessment done in a program sets the next one `reassessment_months` on."""
    result = score(definition_of(stored), answers, flags)
    earlier = db.session.scalar(select(Screening.id).where(Screening.youth_id == youth.id).limit(1))
    screening = Screening(
        youth_id=youth.id, instrument_id=stored.id, screened_on=screened_on,
        kind="reassessment" if earlier else "baseline", answers=answers,
        scale_scores=result.scale_scores, scales_at_threshold=len(result.scales_at_threshold),
        gang_involvement=flags.get("gang_involvement", False), justice_contact=flags.get("justice_contact", False),
        level=result.level, reason=result.reason, screened_by_id=user.id,
    )
    db.session.add(screening)
    db.session.flush()
    if youth.status == S.REFERRED:
        change_status(youth, S.SCREENED, user, screened_on, manual=False)
    if youth.status in IN_PROGRAM:
        youth.reassessment_due = add_months(screened_on, reassessment_months())
    audit_case("screening.create", youth, detail=f"screening={screening.id};level={result.level}")
    return screening


# --- enroll --------------------------------------------------------------------

def current_enrollment(youth: Youth) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.youth_id == youth.id, Enrollment.status == EnrollmentStatus.ACTIVE)
        .order_by(Enrollment.id.desc()).limit(1))


def enroll(youth: Youth, program: Program, start_on: date, user: User) -> Enrollment:
    """Enroll a screened youth; reassessment falls due `reassessment_months` later."""
    change_status(youth, S.ENROLLED, user, start_on, manual=False)
    enrollment = Enrollment(youth_id=youth.id, program_id=program.id, start_on=start_on,
                            status=EnrollmentStatus.ACTIVE, enrolled_by_id=user.id)
    db.session.add(enrollment)
    youth.current_program_id = program.id
    youth.reassessment_due = add_months(start_on, reassessment_months())
    db.session.flush()
    audit_case("enrollment.create", youth, detail=f"program={program.id};enrollment={enrollment.id}")
    return enrollment


# --- activate ------------------------------------------------------------------

def contact_made(youth: Youth, on: date, user: User) -> None:
    """A service contact was recorded: it is the last contact if it is the
    latest, and the first contact of an enrolled youth makes the case active."""
    if youth.last_contact_on is None or on > youth.last_contact_on:
        youth.last_contact_on = on
    if youth.status == S.ENROLLED:
        change_status(youth, S.ACTIVE, user, on, manual=False)


# --- change status, end enrollment, close ----------------------------------------

def end_enrollment(youth: Youth, status: str, exit_reason: str | None, on: date) -> None:
    """The case left its program: the enrollment ends with the case's exit status."""
    enrollment = current_enrollment(youth)
    if enrollment is not None:
        enrollment.status, enrollment.exit_reason, enrollment.end_on = status, exit_reason, on
    youth.current_program_id = None


def change_status(youth: Youth, to: str, user: User, on: date, exit_reason: str | None = None,
                  manual: bool = True) -> None:
    """Move a case to another status, if that move is allowed from where it
    is; an exit needs a reason, ends the enrollment and the reassessments."""
    moves = MANUAL_MOVES if manual else ALL_MOVES
    if to not in moves.get(youth.status, ()):
        raise TransitionError(f"{youth.status} -> {to}")
    to = CaseStatus(to)
    if to in EXIT_STATUSES and exit_reason not in codes.EXIT_REASONS:
        raise TransitionError("exit reason required")
    db.session.add(StatusChange(youth_id=youth.id, from_status=youth.status, to_status=to,
                                exit_reason=exit_reason if to in EXIT_STATUSES else None,
                                changed_on=on, changed_by_id=user.id))
    audit_case("youth.status", youth, detail=f"from={youth.status};to={to}")
    youth.status, youth.status_changed_at = to, utcnow()
    raise_version(youth)
    if to in EXIT_STATUSES:
        end_enrollment(youth, to, exit_reason, on)
        youth.reassessment_due = None


def close(youth: Youth, user: User, on: date, exit_reason: str) -> None:
    """Close an open case (any open status may be closed by hand)."""
    change_status(youth, S.CLOSED, user, on, exit_reason)


# --- reopen --------------------------------------------------------------------

def reopen(youth: Youth, user: User, on: date) -> None:
    """A coordinator reopens a closed case: it returns to the status it left
    (screened, when it left a program: the enrollment ended, enroll again)."""
    if youth.status not in EXIT_STATUSES:
        raise TransitionError(f"{youth.status} is open")
    last_exit = db.session.scalar(
        select(StatusChange).where(StatusChange.youth_id == youth.id, StatusChange.to_status == youth.status)
        .order_by(StatusChange.id.desc()).limit(1))
    back_to = CaseStatus(last_exit.from_status) if last_exit and last_exit.from_status else S.REFERRED
    if back_to in IN_PROGRAM:
        back_to = S.SCREENED
    db.session.add(StatusChange(youth_id=youth.id, from_status=youth.status, to_status=back_to,
                                changed_on=on, changed_by_id=user.id, reopened=True))
    audit_case("youth.reopen", youth, detail=f"from={youth.status};to={back_to}")
    youth.status, youth.status_changed_at = back_to, utcnow()
    raise_version(youth)


# --- anonymize -----------------------------------------------------------------

ERASED = "—"


def anonymize(youth: Youth, detail: str) -> None:
    """Erase every direct identifier and free text of the case (on request,
    or by retention: `detail` says which). Codes, dates, statuses,
    screenings' scores and follow-ups stay for the counts."""
    youth.given_names = youth.family_name_1 = ERASED
    youth.family_name_2 = youth.community = youth.guardian_name = youth.guardian_contact = None
    youth.birth_date = date(youth.birth_year, 7, 1)  # mid-year: the age band survives, the day does not
    for key in ("given_bidx", "family_1_bidx", "short_name_bidx", "full_name_bidx", "birth_bidx"):
        setattr(youth, key, "erased")
    youth.family_2_bidx = None
    youth.anonymized_at = utcnow()
    for note in db.session.scalars(select(CaseNote).where(CaseNote.youth_id == youth.id)):
        note.body = ERASED
    for goal in db.session.scalars(select(Goal).where(Goal.youth_id == youth.id)):
        goal.description = ERASED
    for contact in db.session.scalars(select(ServiceContact).where(ServiceContact.youth_id == youth.id)):
        contact.summary = None
    audit_case("youth.anonymize", youth, detail=detail)
