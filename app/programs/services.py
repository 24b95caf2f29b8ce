"""Enrollment in programs and the reassessment schedule."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.dates import add_months
from app.extensions import db
from app.programs.models import Enrollment, Program
from app.youth import codes
from app.youth.models import Youth


def reassessment_months() -> int:
    return int(current_app.config.get("REASSESSMENT_MONTHS", 6))


def current_enrollment(youth: Youth) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.youth_id == youth.id, Enrollment.status == "active")
        .order_by(Enrollment.id.desc()).limit(1))


def enroll(youth: Youth, program: Program, start_on: date, user: User) -> Enrollment:
    """Enroll a screened youth; reassessment falls due 6 months later."""
    from app.youth.services import audit_case, change_status

    change_status(youth, codes.ENROLLED, user, start_on, manual=False)
    enrollment = Enrollment(youth_id=youth.id, program_id=program.id, start_on=start_on,
                            status="active", enrolled_by_id=user.id)
    db.session.add(enrollment)
    youth.current_program_id = program.id
    youth.reassessment_due = add_months(start_on, reassessment_months())
    db.session.flush()
    audit_case("enrollment.create", youth, detail=f"program={program.id};enrollment={enrollment.id}")
    return enrollment


def end_enrollment(youth: Youth, status: str, exit_reason: str | None, on: date) -> None:
    enrollment = current_enrollment(youth)
    if enrollment is not None:
        enrollment.status, enrollment.exit_reason, enrollment.end_on = status, exit_reason, on
    youth.current_program_id = None


def after_screening(youth: Youth, screened_on: date) -> None:
    """A reassessment done while in a program sets the next one 6 months on."""
    if youth.status in codes.IN_PROGRAM:
        youth.reassessment_due = add_months(screened_on, reassessment_months())
