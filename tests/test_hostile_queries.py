"""Hostile query strings: every GET page, as every role that may open it,
answers each absurd, out-of-range or malformed query parameter without a
500, without Werkzeug's English error page and without a traceback.

The parameters each view reads are declared in PARAMETERS; a request
wrapper records the query-string keys the views actually read, so a view
that starts reading a new parameter fails here until it is declared (and
so probed)."""

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from app import filters
from app.accounts.models import Organization
from app.accounts.roles import ROLES
from app.audit.models import AuditEvent
from app.auth.sessions import PUBLIC_ENDPOINTS
from app.extensions import db
from app.programs.models import Program
from app.security.policy import PERMISSIONS
from tests.conftest import login
from tests.test_access import DEMO_USER, required_action, routes
from tests.test_policing import count_sessions, record_as

ROOT = Path(__file__).resolve().parent.parent
HUGE = str(10**30)

# endpoint -> the query parameters its view reads.
LIST_FILTERS = ("q", "status", "program", "municipality", "worker", "overdue", "no_contact", "sort", "page")
SESSION_FILTERS = ("start", "end", "municipality", "kind", "unit", "partner")
AUDIT_FILTERS = ("start", "end", "username", "action", "object_type", "object_id", "outcome")
REPORT_FILTERS = ("period", "value", "level", "parent", "indicator")  # no dates: summaries are fixed releases
PARAMETERS: dict[str, tuple[str, ...]] = {
    "youth.caseload": LIST_FILTERS,
    "policing.sessions": (*SESSION_FILTERS, "page"),
    "policing.export": SESSION_FILTERS,
    "policing.calendar": ("month",),
    "audit.events": (*AUDIT_FILTERS, "page"),
    "audit.export": AUDIT_FILTERS,
    "audit.case_history": ("code",),
    "reports.summary": REPORT_FILTERS,
    "reports.export": REPORT_FILTERS,
    "admin.users": ("q", "role", "page"),
    "admin.geography": ("department",),
}

HOSTILE = [
    HUGE, "-" + HUGE, str(2**31), str(2**63), "-1", "0", "1.5", "1e9", "abc", "unknown_choice",
    "0001-01-01", "9999-12-31", "1999-12-31", "2026-02-30", "9999-12", "0001-01", "2026-13", "2026-00", "0000-00",
    "9999", "9999-T4", "0001-T1", "2026-T9", f"{HUGE}-T1",
    "\x00", "1\x00", "a\x00b", "\x01\x1f\x7f", "\u202e", "\ud7ff", "x" * 3000,
]
# Values that only bite together with another parameter.
COMBINATIONS: dict[str, list[dict[str, str]]] = {
    "reports.summary": [
        *({"period": "year", "value": v} for v in ("9999", "0001", "0", HUGE, "-1", "abc", "\x00")),
        *({"period": "quarter", "value": v} for v in ("9999-T4", "0001-T1", "2026-T0", "2026-T9", f"{HUGE}-T1", "-T")),
        *({"period": "fiscal_year", "value": v} for v in ("FY9999", "FY0001", "FY", f"FY{HUGE}", "FY2026\x00")),
        # Custom dates are gone: these are left out (the dates are not even read).
        {"period": "custom", "start": "0001-01-01", "end": "9999-12-31"},
        {"period": "custom", "start": "2000-01-01", "end": "9999-12-31"},
        {"period": "custom", "start": "9999-12-31", "end": "9999-12-31"},
        {"period": "custom", "start": "0001-01-01", "end": "0001-01-31"},
        {"period": "custom", "start": "2026-13-01", "end": "2026-02-30"},
        {"level": "municipality", "parent": "\x00"},
        {"level": "department", "parent": "SV" + "9" * 14},
    ],
    "audit.events": [{"start": "0001-01-01", "end": "9999-12-31"}, {"end": "9999-12-31"}],
    "policing.sessions": [{"start": "0001-01-01", "end": "9999-12-31"}, {"page": HUGE, "unit": HUGE}],
}
COMBINATIONS["reports.export"] = COMBINATIONS["reports.summary"]
COMBINATIONS["audit.export"] = COMBINATIONS["audit.events"]
COMBINATIONS["policing.export"] = COMBINATIONS["policing.sessions"][:1]
# Sent to every page: unknown keys are ignored, and names url_for takes for its own
# (endpoint, _external, _anchor...) or a link's route has (kind) never reach url_for.
UNDECLARED = [{"page": HUGE, "junk": "\x00"}, {"endpoint": "x", "kind": "x", "code": "x"},
              {"_external": "1", "_scheme": "javascript", "_anchor": "\nalert(1)", "_method": "POST"}]

WERKZEUG_PAGE = re.compile(r"<title>\d{3} [A-Z][a-z]+|Internal Server Error|The server encountered|Traceback")
READ: set[str] = set()


class RecordedArgs(ImmutableMultiDict):
    """request.args that notes every key a view asks for."""

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's signature
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        READ.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)


@pytest.fixture
def recording(app):
    base = app.request_class

    class RecordingRequest(base):
        @cached_property
        def args(self):
            return RecordedArgs(base.args.fget(self))

    app.request_class = RecordingRequest
    READ.clear()
    return READ


def problem(client, url: str, query: dict) -> str | None:
    """What went wrong with GET url?query, or None when it answered cleanly."""
    try:
        response = client.get(url, query_string=query)
        body = response.get_data()
        response.close()
    except Exception as exc:  # noqa: BLE001 - a streamed export failing half-way
        return f"raised {type(exc).__name__}: {exc}"[:200]
    if response.status_code >= 500:
        return f"status {response.status_code}"
    if response.mimetype == "text/html" and WERKZEUG_PAGE.search(body.decode("utf-8", "replace")):
        return "Werkzeug error page or traceback"
    return None


def reachable(app, role: str):
    for endpoint, url, methods in routes(app):
        if "GET" not in methods or endpoint in PUBLIC_ENDPOINTS or endpoint == "auth.logout":
            continue
        action = required_action(app, endpoint)
        if action is None or role in PERMISSIONS[action]:
            yield endpoint, url


def probes(endpoint: str):
    for name in PARAMETERS.get(endpoint, ()):
        for value in HOSTILE:
            yield {name: value}
    yield from COMBINATIONS.get(endpoint, ())
    yield from UNDECLARED


@pytest.mark.parametrize("role", ROLES)
def test_no_query_string_makes_a_page_fail(app, client, recording, role):
    login(client, DEMO_USER[role])
    failures, undeclared = [], []
    for endpoint, url in reachable(app, role):
        for kind in (("csv", "xlsx") if endpoint == "reports.export" else (None,)):
            target = url.replace("export.csv", f"export.{kind}") if kind else url
            recording.clear()
            failure = problem(client, target, {})
            if failure:
                failures.append((endpoint, {}, failure))
            read = set(recording) - set(PARAMETERS.get(endpoint, ()))
            if read:
                undeclared.append((endpoint, sorted(read)))
            for query in probes(endpoint):
                failure = problem(client, target, query)
                if failure:
                    failures.append((endpoint, {k: v[:40] for k, v in query.items()}, failure))
    print(f"{role}: {len(failures)} failing probes")
    assert undeclared == [], "views read query parameters PARAMETERS does not declare (so nothing probes them)"
    assert failures == [], f"{len(failures)} failing probes:\n" + "\n".join(map(repr, failures))


def test_views_read_the_query_string_only_through_app_filters():
    """Every list filter is parsed in app/filters.py; other modules do not read request.args."""
    readers = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative == "app/filters.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "request.args" in line and 'request.args.get("next")' not in line:
                readers.append(f"{relative}:{number}: {line.strip()}")
    assert readers == []


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_a_session_export_with_an_impossible_unit_does_not_run_nor_audit(app, client):
    login(client, "police.sv")
    before = audit_count(app, "sessions.export")
    response = client.get("/sessions/export.csv", query_string={"unit": HUGE, "kind": "community_meeting"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sessions/?") and "kind=community_meeting" in response.headers["Location"]
    assert audit_count(app, "sessions.export") == before
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no eran válidos" in page and "Unidad policial" in page  # the list says which filter was left out
    ok = client.get("/sessions/export.csv", query_string={"kind": "community_meeting"})
    assert ok.status_code == 200 and ok.mimetype == "text/csv"
    ok.get_data()
    ok.close()
    assert audit_count(app, "sessions.export") == before + 1


@pytest.mark.parametrize("url, query", [
    ("/audit/export.csv", {"end": "9999-12-31"}),
    ("/reports/export.csv", {"period": "year", "value": "9999"}),
    ("/reports/export.xlsx", {"parent": "\x00"}),
])
def test_other_exports_with_invalid_filters_do_not_run_nor_audit(app, client, url, query):
    login(client, "auditor" if url.startswith("/audit") else "manager.sv")
    action = "audit.export" if url.startswith("/audit") else "reports.export"
    before = audit_count(app, action)
    response = client.get(url, query_string=query)
    assert response.status_code == 302 and audit_count(app, action) == before


def test_an_invalid_filter_is_left_out_with_a_translated_message(app, client):
    login(client, "coord.sv")
    everything = client.get("/cases/", query_string={"status": "all"}).get_data(as_text=True)
    page = client.get("/cases/", query_string={"status": "all", "program": HUGE}).get_data(as_text=True)
    assert "Estos filtros no eran válidos y se omitieron: Programa." in page
    count = re.compile(r"(\d+) casos?")
    assert count.search(page).group(1) == count.search(everything).group(1)  # the list, unfiltered
    calendar = client.get("/sessions/calendar", query_string={"month": "9999-12"})
    assert calendar.status_code == 200 and "Mes" in calendar.get_data(as_text=True)


def test_calendar_links_stop_at_the_bounds(app, client):
    login(client, "police.sv")
    page = client.get("/sessions/calendar", query_string={"month": "2000-01"}).get_data(as_text=True)
    assert "month=2000-02" in page and "month=1999-12" not in page


def test_parsers_bound_their_values(app):
    assert filters.parse_id("2147483647") == 2**31 - 1
    assert [filters.parse_id(v) for v in ("2147483648", HUGE, "0", "-1", "1.0", " 1", "\u0661", "")] == [None] * 8
    assert filters.parse_page("10000") == 10000 and filters.parse_page("10001") is None
    with app.test_request_context():
        assert filters.parse_date("2000-01-01") == date(2000, 1, 1)
        assert [filters.parse_date(v) for v in ("1999-12-31", "9999-12-31", "2026-02-30", "2026-1-1")] == [None] * 4
        assert filters.parse_month("2026-03") == date(2026, 3, 1)
        assert [filters.parse_month(v) for v in ("9999-12", "0001-01", "2026-13", "2026-00")] == [None] * 4
        assert filters.parse_quarter("2026-T4") == (2026, 4)
        assert [filters.parse_quarter(v) for v in ("9999-T1", "2026-T5", f"{HUGE}-T1")] == [None] * 3
        assert filters.parse_year("9999") is None and filters.parse_year("2026") == 2026
    assert filters.parse_code("SV-SS") == "SV-SS" and filters.parse_code("SV\x00") is None
    assert filters.parse_choice("x", ["x"]) == "x" and filters.parse_choice("y", ["x"]) is None


def test_a_program_of_another_organization_is_a_404_and_audited(app, client):
    with app.app_context():
        other = db.session.scalar(select(Program.id).join(Organization, Organization.id == Program.organization_id)
                                  .where(Organization.name == "Asociación Caminos Honduras").limit(1))
    assert other is not None
    login(client, "coord.sv")
    for program_id in (other, 2**31 - 1):  # another organization's, and one that does not exist: the same answer
        response = client.get(f"/programs/{program_id}")
        assert response.status_code == 404
        assert "no existe" in response.get_data(as_text=True)
        with app.app_context():
            event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
            assert (event.action, event.outcome, event.object_type, event.object_id, event.detail) == (
                "access.denied", "denied", "program", str(program_id), "not_in_scope")
    with app.app_context():
        own = db.session.scalar(select(Program.id).join(Organization, Organization.id == Program.organization_id)
                                .where(Organization.name == "Fundación Senderos").limit(1))
    assert client.get(f"/programs/{own}").status_code == 200


@pytest.mark.parametrize("kind", ["great_lesson", "community_meeting"])
def test_an_unknown_curriculum_is_a_form_error(app, kind):
    before = count_sessions(app)
    _, response = record_as(app, "police.sv", kind=kind, curriculum="no_such_curriculum")
    assert response.status_code == 200
    assert "Opción inválida." in response.get_data(as_text=True)
    assert count_sessions(app) == before


def test_ids_in_paths_beyond_the_database_integer_are_a_404(app, client):
    login(client, "coord.sv")
    int_rules = [r for r in app.url_map.iter_rules()
                 if "GET" in r.methods and any(type(c) is filters.IdConverter for c in r._converters.values())]
    assert len(int_rules) >= 5
    for too_big in (HUGE, str(2**31), "0"):
        for rule in int_rules:
            url = re.sub(r"<int:\w+>", too_big, rule.rule).replace("<code>", "SV-0000-0000")
            assert client.get(url).status_code == 404, url
