"""The case lifecycle as a table, without HTTP: from a status, an action
gives a new status (or is refused, changing nothing) and writes its audit
events. Each starting status is reached through the lifecycle itself, so the
history a reopen reads is real."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.cases import lifecycle
from app.cases.status import CaseStatus
from app.extensions import db
from app.geo.models import Municipality
from app.programs.models import Enrollment, Program
from app.screening.instrument import definition_of
from app.screening.services import active_instrument
from app.youth.models import Youth

S = CaseStatus
REFUSED = "refused"

# How each starting status is reached, after registration.
PATHS = {
    S.REFERRED: (),
    S.SCREENED: ("screen",),
    S.ENROLLED: ("screen", "enroll"),
    S.ACTIVE: ("screen", "enroll", "contact"),
    S.COMPLETED: ("screen", "enroll", "contact", "complete"),
    S.DROPPED: ("screen", "enroll", "drop"),
    S.TRANSFERRED: ("screen", "enroll", "contact", "transfer"),
    S.CLOSED: ("screen", "close"),
    "closed_when_referred": ("close",),
}

# (from, action) -> (to or REFUSED, the case's audit events, in order)
TABLE = {
    (S.REFERRED, "screen"): (S.SCREENED, ["youth.status", "screening.create"]),
    (S.REFERRED, "enroll"): (REFUSED, []),
    (S.REFERRED, "contact"): (S.REFERRED, []),
    (S.REFERRED, "complete"): (REFUSED, []),
    (S.REFERRED, "drop"): (REFUSED, []),
    (S.REFERRED, "transfer"): (REFUSED, []),
    (S.REFERRED, "activate"): (REFUSED, []),
    (S.REFERRED, "close"): (S.CLOSED, ["youth.status"]),
    (S.REFERRED, "reopen"): (REFUSED, []),
    (S.REFERRED, "anonymize"): (S.REFERRED, ["youth.anonymize"]),
    (S.SCREENED, "screen"): (S.SCREENED, ["screening.create"]),
    (S.SCREENED, "enroll"): (S.ENROLLED, ["youth.status", "enrollment.create"]),
    (S.SCREENED, "contact"): (S.SCREENED, []),
    (S.SCREENED, "complete"): (REFUSED, []),
    (S.SCREENED, "drop"): (REFUSED, []),
    (S.SCREENED, "transfer"): (REFUSED, []),
    (S.SCREENED, "activate"): (REFUSED, []),
    (S.SCREENED, "close"): (S.CLOSED, ["youth.status"]),
    (S.SCREENED, "reopen"): (REFUSED, []),
    (S.ENROLLED, "screen"): (S.ENROLLED, ["screening.create"]),
    (S.ENROLLED, "enroll"): (REFUSED, []),
    (S.ENROLLED, "contact"): (S.ACTIVE, ["youth.status"]),
    (S.ENROLLED, "activate"): (S.ACTIVE, ["youth.status"]),
    (S.ENROLLED, "complete"): (REFUSED, []),
    (S.ENROLLED, "drop"): (S.DROPPED, ["youth.status"]),
    (S.ENROLLED, "transfer"): (S.TRANSFERRED, ["youth.status"]),
    (S.ENROLLED, "close"): (S.CLOSED, ["youth.status"]),
    (S.ENROLLED, "reopen"): (REFUSED, []),
    (S.ACTIVE, "screen"): (S.ACTIVE, ["screening.create"]),
    (S.ACTIVE, "enroll"): (REFUSED, []),
    (S.ACTIVE, "contact"): (S.ACTIVE, []),
    (S.ACTIVE, "activate"): (REFUSED, []),
    (S.ACTIVE, "complete"): (S.COMPLETED, ["youth.status"]),
    (S.ACTIVE, "drop"): (S.DROPPED, ["youth.status"]),
    (S.ACTIVE, "transfer"): (S.TRANSFERRED, ["youth.status"]),
    (S.ACTIVE, "close"): (S.CLOSED, ["youth.status"]),
    (S.ACTIVE, "reopen"): (REFUSED, []),
    (S.ACTIVE, "anonymize"): (S.ACTIVE, ["youth.anonymize"]),
    **{(exit, action): (REFUSED, []) for exit in (S.COMPLETED, S.DROPPED, S.TRANSFERRED, S.CLOSED)
       for action in ("enroll", "activate", "complete", "drop", "transfer", "close")},
    **{(exit, "contact"): (exit, []) for exit in (S.COMPLETED, S.DROPPED, S.TRANSFERRED, S.CLOSED)},
    (S.COMPLETED, "reopen"): (S.SCREENED, ["youth.reopen"]),  # it left a program: enroll again
    (S.DROPPED, "reopen"): (S.SCREENED, ["youth.reopen"]),
    (S.TRANSFERRED, "reopen"): (S.SCREENED, ["youth.reopen"]),
    (S.CLOSED, "reopen"): (S.SCREENED, ["youth.reopen"]),  # back to the status it left
    ("closed_when_referred", "reopen"): (S.REFERRED, ["youth.reopen"]),
    (S.CLOSED, "anonymize"): (S.CLOSED, ["youth.anonymize"]),
    (S.CLOSED, "screen"): (S.CLOSED, ["screening.create"]),  # stored; the case stays closed
}


def act(youth: Youth, action: str, user: User, day) -> None:
    if action == "screen":
        stored = active_instrument()
        instrument = definition_of(stored)
        answers = {item.code: 0 for item in instrument.items()}
        lifecycle.screen(youth, stored, answers, {flag.code: False for flag in instrument.flags}, day, user)
    elif action == "enroll":
        program = db.session.scalar(select(Program).where(Program.organization_id == user.organization_id)
                                    .order_by(Program.id).limit(1))
        lifecycle.enroll(youth, program, day, user)
    elif action == "contact":
        lifecycle.contact_made(youth, day, user)
    elif action == "activate":
        lifecycle.change_status(youth, S.ACTIVE, user, day)
    elif action == "close":
        lifecycle.close(youth, user, day, "other")
    elif action in ("complete", "drop", "transfer"):
        to = {"complete": S.COMPLETED, "drop": S.DROPPED, "transfer": S.TRANSFERRED}[action]
        lifecycle.change_status(youth, to, user, day, "other")
    elif action == "reopen":
        lifecycle.reopen(youth, user, day)
    elif action == "anonymize":
        lifecycle.anonymize(youth, detail="on_request")


def events_of(code: str, after: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == code, AuditEvent.seq > after).order_by(AuditEvent.seq)))


def a_new_case(today) -> tuple[Youth, User]:
    user = db.session.scalar(select(User).where(User.username == "worker.sv"))
    place = db.session.scalar(select(Municipality).where(Municipality.code == "SV-SS-001"))
    youth = lifecycle.register(user, {
        "given_names": "Ana", "family_name_1": "Tabla", "family_name_2": None,
        "birth_date": today - timedelta(days=15 * 365), "sex": "F", "municipality_id": place.id,
        "school_status": "enrolled", "work_status": "not_working", "referral_source": "school",
    }, user.id, "SV", today)
    return youth, user


def test_register_makes_a_referred_case_with_its_event(ctx, today):
    before = db.session.scalar(select(func.max(AuditEvent.seq)))
    youth, _user = a_new_case(today)
    db.session.commit()
    assert youth.status == S.REFERRED and youth.referred_on == today
    assert events_of(youth.case_code, before) == ["youth.create"]


@pytest.mark.parametrize(("start", "action"), list(TABLE), ids=[f"{s}-{a}" for s, a in TABLE])
def test_transition(ctx, today, start, action):
    youth, user = a_new_case(today)
    for step in PATHS[start]:
        act(youth, step, user, today)
    db.session.commit()
    reached = youth.status
    before = db.session.scalar(select(func.max(AuditEvent.seq)))
    expected, events = TABLE[(start, action)]
    if expected == REFUSED:
        with pytest.raises(lifecycle.TransitionError):
            act(youth, action, user, today)
        db.session.commit()
        db.session.refresh(youth)
        assert youth.status == reached  # nothing changed
    else:
        act(youth, action, user, today)
        db.session.commit()
        assert youth.status == expected
    assert events_of(youth.case_code, before) == events


@pytest.mark.parametrize("exit_action", ["complete", "drop", "transfer", "close"])
def test_leaving_a_program_ends_the_enrollment_and_the_reassessments(ctx, today, exit_action):
    youth, user = a_new_case(today)
    for step in ("screen", "enroll", "contact"):
        act(youth, step, user, today)
    assert youth.reassessment_due is not None and youth.current_program_id is not None
    act(youth, exit_action, user, today)
    db.session.commit()
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.youth_id == youth.id))
    assert (enrollment.status, enrollment.exit_reason, enrollment.end_on) == (youth.status, "other", today)
    assert youth.reassessment_due is None and youth.current_program_id is None


def test_an_exit_without_a_reason_is_refused(ctx, today):
    youth, user = a_new_case(today)
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.change_status(youth, S.CLOSED, user, today, None)
    assert youth.status == S.REFERRED


def test_a_status_change_claimed_by_its_form_moves_the_version_once(ctx, today):
    from app.formtools import claim_version

    youth, user = a_new_case(today)
    db.session.commit()
    loaded = youth.version
    assert claim_version(youth, str(loaded))  # the page's save claims the version it was built from
    lifecycle.close(youth, user, today, "other")  # the lifecycle's change is the same change
    db.session.commit()
    assert youth.version == loaded + 1
    lifecycle.reopen(youth, user, today)  # a change without a form: one more
    db.session.commit()
    assert youth.version == loaded + 2


def test_enrolling_moves_the_version_once(ctx, today):
    youth, user = a_new_case(today)
    act(youth, "screen", user, today)
    db.session.commit()
    loaded = youth.version
    act(youth, "enroll", user, today)
    act(youth, "contact", user, today)  # enrolled -> active in the same transaction
    db.session.commit()
    assert youth.version == loaded + 1
