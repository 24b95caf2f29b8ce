"""Navigation and home-page entries, shown only for what the role may use.
Hiding a link is a courtesy: the views check permissions themselves."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.security.policy import can


@dataclass(frozen=True)
class Entry:
    action: str
    endpoint: str
    label: object
    description: object


ENTRIES = (
    Entry("cases.work", "youth.caseload", _l("Cases"),
          _l("Your caseload: search, filter, and what is overdue.")),
    Entry("cases.work", "youth.register", _l("Register a youth"),
          _l("A new referral, with a check for possible duplicates.")),
    Entry("cases.work", "programs.programs", _l("Programs"),
          _l("Prevention programs of your organization.")),
    Entry("sessions.view", "policing.sessions", _l("Sessions"),
          _l("Community policing sessions: record, import, calendar, G.R.E.A.T. classes.")),
    Entry("reports.view", "reports.summary", _l("Summaries"),
          _l("Outcomes per municipality, department and country, with charts and exports.")),
    Entry("admin.users", "admin.users", _l("Users"),
          _l("Create accounts, set roles and scopes, deactivate users.")),
    Entry("admin.organizations", "admin.organizations", _l("Organizations"),
          _l("NGOs, police units, municipal offices and ministries, and where they work.")),
    Entry("admin.geography", "admin.geography", _l("Geography"),
          _l("Countries, departments and municipalities, with their codes.")),
    Entry("audit.security_events", "audit.events", _l("Audit log"),
          _l("Who did what, when and from where.")),
    Entry("audit.view", "audit.case_history", _l("Case access history"),
          _l("Who looked at a case file, by case code.")),
    Entry("audit.view", "audit.chain", _l("Audit chain"),
          _l("Check that no audit event was changed or removed.")),
)


def nav_entries(user) -> list[Entry]:
    return [e for e in ENTRIES if can(user, e.action)]


def home_cards(user) -> list[dict]:
    return [
        {"label": e.label, "description": e.description, "url": url_for(e.endpoint)}
        for e in nav_entries(user)
    ]
