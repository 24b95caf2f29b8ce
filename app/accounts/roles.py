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

# Roles that see case data about minors: no remember-me, strictest sessions.
CASE_DATA_ROLES = frozenset({COORDINATOR, SOCIAL_WORKER})

ORG_KINDS = ("ngo", "police_unit", "municipal_office", "ministry")
ORG_KIND_LABELS = {
    "ngo": _l("NGO"),
    "police_unit": _l("Police unit"),
    "municipal_office": _l("Municipal office"),
    "ministry": _l("Ministry"),
}
