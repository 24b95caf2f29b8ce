"""The six roles and their translated labels."""

from flask_babel import lazy_gettext as _l

ADMIN = "admin"
COORDINATOR = "coordinator"
SOCIAL_WORKER = "social_worker"
POLICE = "police"
NGO_MANAGER = "ngo_manager"
AUDITOR = "auditor"

ROLES = (ADMIN, COORDINATOR, SOCIAL_WORKER, POLICE, NGO_MANAGER, AUDITOR)

ROLE_LABELS = {
    ADMIN: _l("Administrator"),
    COORDINATOR: _l("Coordinator"),
    SOCIAL_WORKER: _l("Social worker"),
    POLICE: _l("Police officer"),
    NGO_MANAGER: _l("NGO manager"),
    AUDITOR: _l("Auditor"),
}

ROLE_DESCRIPTIONS = {
    ADMIN: _l("You manage users, organizations and geography. Case contents are not visible to administrators."),
    COORDINATOR: _l("You supervise your team's cases in your municipalities and manage programs."),
    SOCIAL_WORKER: _l("You register and follow the youth in your caseload."),
    POLICE: _l("You record community policing sessions with anonymous head-counts."),
    NGO_MANAGER: _l("You see outcome summaries per municipality. No personal data is shown to managers."),
    AUDITOR: _l("You read the audit log and check its integrity."),
}

# Roles that see case data about minors: no remember-me, strictest sessions.
CASE_DATA_ROLES = frozenset({COORDINATOR, SOCIAL_WORKER})

ORG_KINDS = ("ngo", "police_unit", "municipal_office", "ministry")
ORG_KIND_LABELS = {
    "ngo": _l("NGO"),
    "police_unit": _l("Police unit"),
    "municipal_office": _l("Municipal office"),
    "ministry": _l("Ministry"),
}
