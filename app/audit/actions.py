"""Audit action codes and their translated labels."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "auth.login": _l("Sign-in"),
    "auth.logout": _l("Sign-out"),
    "auth.lockout": _l("Account locked"),
    "auth.password_change": _l("Password changed"),
    "user.create": _l("User created"),
    "user.update": _l("User edited"),
    "user.role_change": _l("Role changed"),
    "user.scope_change": _l("Scope changed"),
    "user.deactivate": _l("User deactivated"),
    "user.reactivate": _l("User reactivated"),
    "user.password_reset": _l("Temporary password issued"),
    "organization.create": _l("Organization created"),
    "organization.update": _l("Organization edited"),
    "access.denied": _l("Access denied"),
    "keys.rotate": _l("Keys rotated"),
    "backup.create": _l("Backup made"),
    "audit.view": _l("Audit log viewed"),
    "audit.case_history": _l("Case access history viewed"),
    "audit.verify": _l("Audit chain verified"),
    "audit.export": _l("Audit log exported"),
    "youth.create": _l("Case registered"),
    "youth.view": _l("Case opened"),
    "youth.list": _l("Caseload listed"),
    "youth.search": _l("Cases searched"),
    "youth.update": _l("Case edited"),
    "youth.status": _l("Case status changed"),
    "youth.reopen": _l("Case reopened"),
    "youth.reassign": _l("Case reassigned"),
    "youth.share": _l("Case shared"),
    "youth.export": _l("Case record exported"),
    "youth.anonymize": _l("Case anonymized"),
    "youth.duplicate_dismissed": _l("Possible duplicate dismissed"),
    "youth.attendance_view": _l("Session attendance viewed"),
    "consent.create": _l("Consent recorded"),
    "consent.withdraw": _l("Consent withdrawn"),
    "screening.create": _l("Screening recorded"),
    "screening.view": _l("Screening viewed"),
    "enrollment.create": _l("Enrolled in a program"),
    "goal.create": _l("Goal added"),
    "goal.update": _l("Goal edited"),
    "contact.create": _l("Contact recorded"),
    "note.create": _l("Note added"),
    "followup.create": _l("Follow-up recorded"),
    "attendance.create": _l("Attendance linked"),
    "attendance.delete": _l("Attendance removed"),
    "program.create": _l("Program created"),
    "program.update": _l("Program edited"),
    "session.create": _l("Session recorded"),
    "session.update": _l("Session edited"),
    "session.cancel": _l("Session cancelled"),
    "sessions.import": _l("Sessions imported"),
    "sessions.export": _l("Sessions exported"),
    "cohort.create": _l("G.R.E.A.T. class created"),
    "cohort.update": _l("G.R.E.A.T. class edited"),
    "reports.view": _l("Summary viewed"),
    "reports.export": _l("Summary exported"),
}

# What administrators may see of the log: security events only.
SECURITY_PREFIXES = ("auth.", "user.")


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
