"""Loading one program within the user's scope."""

from flask_login import current_user

from app.audit.service import deny_out_of_scope
from app.extensions import db
from app.programs.models import Program
from app.security.policy import visible_programs


def get_program_or_404(program_id: int) -> Program:
    """The program with this id if it is one of the user's organization;
    otherwise a denied audit event and 404 (the same answer whether or not it
    exists), as for cases and sessions."""
    program = db.session.scalar(visible_programs(current_user).where(Program.id == program_id))
    if program is None:
        deny_out_of_scope("program", program_id)
    return program
