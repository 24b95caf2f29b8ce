"""Managing programs: an organization's coordinator creates and edits them.
Enrolling a youth is a case transition (app.cases.lifecycle); `enroll` stays
importable here for app/demo."""

from sqlalchemy import select

from app.accounts.models import User
from app.audit.service import record
from app.cases.lifecycle import enroll  # noqa: F401
from app.extensions import db
from app.geo.models import Municipality
from app.programs.models import Program
from app.security.policy import scope_municipality_ids


def save_program(user: User, program: Program | None, name: str, level: str, kind: str, active: bool,
                 municipality_ids: list[int]) -> Program:
    """A new program of the user's organization (program None) or an edit; it
    runs only in municipalities of the user's scope."""
    created = program is None
    program = program or Program(organization_id=user.organization_id)
    program.name, program.level, program.kind, program.active = name.strip(), level, kind, active
    program.municipalities = list(db.session.scalars(select(Municipality).where(
        Municipality.id.in_(municipality_ids), Municipality.id.in_(scope_municipality_ids(user)))))
    db.session.add(program)
    db.session.flush()
    record("program.create" if created else "program.update", object_type="program", object_id=program.id)
    return program
