"""Bad input in any form gets a clear, translated message and changes nothing.

Every POST endpoint of the URL map is either in TARGETS or in EXEMPT (a test
fails on a new one). For each target the form page is loaded and a valid
submission made from what the page shows plus the declared values; then each
visible field in turn gets hostile values (control characters, over-long
text, absurd dates, huge numbers, unknown choices). Each must answer without
a server error, show a Spanish error message, and store nothing: no row in any
table, no audited change. Finally the valid submission itself must be stored
(so that the refusals were the hostile values' doing)."""

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import wtforms
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_wtf import FlaskForm
from sqlalchemy import func, literal, select, union_all
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from app.accounts.models import Organization, User
from app.audit.models import AuditEvent
from app.casework.models import Goal
from app.dates import local_today
from app.extensions import db
from app.formtools import (
    FIRST_DATE,
    NoControlCharacters,
    SendaForm,
    future_target_date,
    past_event_date,
    planned_date,
)
from app.policing.models import GreatCohort, PolicingSession
from app.programs.models import Program
from app.security.policy import visible_youth
from app.youth.models import Youth
from tests import form_data as data
from tests.conftest import DEMO_PASSWORD, local_date, login

ROOT = Path(__file__).resolve().parent.parent

# --- the targets -----------------------------------------------------------------


@dataclass
class Target:
    username: str | None  # who signs in (None: nobody)
    url: Callable  # app -> the URL the form posts to
    page: Callable | None = None  # app -> the page showing the form (the URL itself by default)
    values: Callable = lambda app: {}  # app -> declared values, over those the page shows
    submit: str | None = None  # the button to press, on a page with several forms posting to one URL
    files: Callable | None = None  # () -> uploaded files (made anew for each POST)


def active_case(app) -> str:
    return data.case_of(app, "worker.sv", ("active",))


def screened_case(app) -> str:
    return data.case_of(app, "worker.sv", ("screened",))


def enrolled_case(app) -> str:
    return data.case_of(app, "worker.sv", ("enrolled", "active"))


def coordinator_case(app) -> str:
    return data.case_of(app, "coord.sv", ("active",))


def first_id(app, query) -> int:
    with app.app_context():
        found = db.session.scalar(query)
    assert found is not None, str(query)
    return found


def own_session(app) -> int:
    return first_id(app, select(PolicingSession.id).join(User, User.id == PolicingSession.created_by_id)
                    .where(User.username == "police.sv", PolicingSession.status == "held")
                    .order_by(PolicingSession.id.desc()))


def goal_of_active_case(app) -> tuple[str, int]:
    with app.app_context():
        worker = db.session.scalar(select(User).where(User.username == "worker.sv"))
        row = db.session.execute(select(Youth.case_code, Goal.id).join(Goal, Goal.youth_id == Youth.id)
                                 .where(Youth.id.in_(visible_youth(worker).with_only_columns(Youth.id)))
                                 .order_by(Goal.id)).first()
    assert row
    return row[0], row[1]


def cohort_id(app) -> int:
    return first_id(app, select(GreatCohort.id).order_by(GreatCohort.id))


def program_id(app) -> int:
    return first_id(app, select(Program.id).join(Organization).where(Organization.name == "Fundación Senderos")
                    .order_by(Program.id))


def org_id(app, name: str = "Fundación Senderos") -> int:
    return first_id(app, select(Organization.id).where(Organization.name == name))


def user_of(app, username: str) -> int:
    return data.user_id(app, username)


def import_file(app) -> dict:
    from app.policing.importer import template_csv

    today = local_date(app) - timedelta(days=2)
    row = f"{today.isoformat()},10:00,SV-SS-001,La Cima,cancha,,Actividad deportiva o cultural,,,Fútbol,5,5,0,2,8,0,0,0,\r\n"
    content = template_csv("es").split(b"\r\n", 1)[0] + b"\r\n" + row.encode()
    return {"file": (io.BytesIO(content), "sesiones.csv")}


TARGETS: dict[str, list[Target]] = {
    "/auth/login": [Target(None, lambda app: "/auth/login",
                           values=lambda app: {"username": "worker.sv", "password": DEMO_PASSWORD})],
    "/auth/password": [Target("worker.sv", lambda app: "/auth/password", values=lambda app: {
        "current_password": DEMO_PASSWORD, "new_password": "una frase larga de prueba 2026",
        "confirm": "una frase larga de prueba 2026"})],
    "/admin/users/new": [Target("admin", lambda app: "/admin/users/new", values=lambda app: {
        "username": "nueva.usuaria", "full_name": "Nueva Usuaria", "email": "nueva@demo.example.org",
        "role": "social_worker", "organization_id": str(org_id(app)), "scope": "SV-SS-001", "locale": "es"})],
    "/admin/users/<int:user_id>": [Target("admin", lambda app: f"/admin/users/{user_of(app, 'worker2.sv')}",
                                          values=lambda app: {"full_name": "Walter Gómez Rivas (editado)"})],
    "/admin/organizations/new": [Target("admin", lambda app: "/admin/organizations/new", values=lambda app: {
        "name": "Organización de prueba", "kind": "ngo", "country_code": "SV", "municipalities": "SV-SS-001"})],
    "/admin/organizations/<int:org_id>": [Target("admin", lambda app: f"/admin/organizations/{org_id(app)}",
                                                 values=lambda app: {"name": "Fundación Senderos (editada)"})],
    "/cases/new": [Target("worker.sv", lambda app: "/cases/new",
                          values=lambda app: {k: v for k, v in data.registration_data(app).items()
                                              if k != "not_duplicate"})],
    "/cases/<code>/edit": [Target("worker.sv", lambda app: f"/cases/{active_case(app)}/edit",
                                  values=lambda app: {"community": "Colonia Editada"})],
    "/cases/<code>/consents": [Target("worker.sv", lambda app: f"/cases/{active_case(app)}/consents",
                                      page=lambda app: f"/cases/{active_case(app)}", values=data.consent_data)],
    "/cases/<code>/status": [Target("worker.sv", lambda app: f"/cases/{active_case(app)}/status",
                                    page=lambda app: f"/cases/{active_case(app)}",
                                    values=lambda app: {"to_status": "completed", "exit_reason": "plan_completed"})],
    "/cases/<code>/assign": [
        Target("coord.sv", lambda app: f"/cases/{coordinator_case(app)}/assign", submit="assign-submit",
               values=lambda app: {"assign-worker_id": str(user_of(app, "coord.sv"))}),
        Target("coord.sv", lambda app: f"/cases/{coordinator_case(app)}/assign", submit="share-submit"),
    ],
    "/cases/<code>/export": [Target("coord.sv", lambda app: f"/cases/{coordinator_case(app)}/export",
                                    values=lambda app: {"reference": "SAR-2026-012"})],
    "/cases/<code>/contacts/new": [Target("worker.sv", lambda app: f"/cases/{active_case(app)}/contacts/new",
                                          values=data.contact_data)],
    "/cases/<code>/notes/new": [Target("worker.sv", lambda app: f"/cases/{active_case(app)}/notes/new",
                                       values=data.note_data)],
    "/cases/<code>/followups/new": [Target("worker.sv", lambda app: f"/cases/{active_case(app)}/followups/new",
                                           values=data.followup_data)],
    "/cases/<code>/goals/new": [Target("worker.sv", lambda app: f"/cases/{active_case(app)}/goals/new",
                                       values=data.goal_data)],
    "/cases/<code>/goals/<int:goal_id>": [Target(
        "worker.sv", lambda app: "/cases/{}/goals/{}".format(*goal_of_active_case(app)),
        values=lambda app: {"description": "Meta editada"})],
    "/cases/<code>/screenings/new": [Target("worker.sv", lambda app: f"/cases/{active_case(app)}/screenings/new",
                                            values=data.screening_data)],
    "/cases/<code>/enroll": [Target("worker.sv", lambda app: f"/cases/{screened_case(app)}/enroll",
                                    values=lambda app: data.enroll_data(app, screened_case(app)))],
    "/programs/new": [Target("coord.sv", lambda app: "/programs/new", values=data.program_data)],
    "/programs/<int:program_id>": [Target("coord.sv", lambda app: f"/programs/{program_id(app)}",
                                          values=lambda app: {"name": "Programa editado"})],
    "/sessions/new": [Target("police.sv", lambda app: "/sessions/new", values=data.session_data)],
    "/sessions/<int:session_id>/edit": [Target("police.sv", lambda app: f"/sessions/{own_session(app)}/edit",
                                               values=lambda app: {**data.session_data(app), "topic": "Tema editado"})],
    "/sessions/<int:session_id>/cancel": [Target("police.sv", lambda app: f"/sessions/{own_session(app)}/cancel",
                                                 page=lambda app: f"/sessions/{own_session(app)}",
                                                 values=lambda app: {"reason": "Lluvia"})],
    "/sessions/<int:session_id>/attendance": [Target(
        "worker.sv", lambda app: f"/sessions/{own_session(app)}/attendance",
        page=lambda app: f"/sessions/{own_session(app)}", values=lambda app: {"code": enrolled_case(app)})],
    "/sessions/cohorts/new": [Target("police.sv", lambda app: "/sessions/cohorts/new", values=data.cohort_data)],
    "/sessions/cohorts/<int:cohort_id>/edit": [Target("police.sv", lambda app: f"/sessions/cohorts/{cohort_id(app)}/edit",
                                                      values=lambda app: {"class_name": "7.º B"})],
    "/sessions/import": [Target("police.sv", lambda app: "/sessions/import", files=import_file)],
}

EXEMPT = {
    "/auth/logout": "a button: no input",
    "/admin/users/<int:user_id>/password": "a button: no input",
    "/cases/<code>/reopen": "a button (and the version it was loaded at)",
    "/cases/<code>/consents/<int:consent_id>/withdraw": "a button (and the version it was loaded at)",
    "/cases/<code>/anonymize": "one confirmation box, no other input",
    "/sessions/<int:session_id>/attendance/<code>/remove": "a button: no input",
    "/language": "the language switch: a value it does not know is ignored (test_i18n)",
    "/csp-report": "browsers' JSON reports of blocked content, not a form",
}


def test_every_post_endpoint_is_covered(app):
    posting = {rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posting - set(TARGETS) - set(EXEMPT) == set(), "a new POST endpoint: add it to TARGETS (or EXEMPT)"
    assert (set(TARGETS) | set(EXEMPT)) - posting == set(), "TARGETS or EXEMPT names an endpoint that is gone"


# --- hostile values ----------------------------------------------------------------

CONTROL = ["\x00", "Colonia\x00Centro", "\x07", "\x1b[2J", "\x7f", "\u0085"]
TOO_LONG = "x" * 10_001
HOSTILE = {
    "line": [*CONTROL, "a\rb", TOO_LONG],
    "text": [*CONTROL, TOO_LONG],
    "date": ["1800-01-01", "9999-12-31", "0001-01-01", "\x00"],
    "time": ["25:61", "\x00"],
    "number": [str(10**30), "\x00"],
    "choice": ["999999999", "\x00"],
}
KINDS = {"text": "line", "email": "line", "password": "line", "search": "line", "tel": "line", "url": "line",
         "textarea": "text", "date": "date", "time": "time", "number": "number", "select": "choice",
         "radio": "choice"}


@dataclass
class Input:
    name: str
    kind: str  # an input's type, or select / textarea
    value: str = ""
    on: bool = False  # a checked box or radio, a selected option
    options: list = field(default_factory=list)
    multiple: bool = False


@dataclass
class PageForm:
    action: str
    inputs: list[Input] = field(default_factory=list)


class FormParser(HTMLParser):
    """The POST forms of a page, with their inputs as the browser would send them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.form: PageForm | None = None
        self.select: Input | None = None
        self.textarea: Input | None = None
        self.option: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self.form = PageForm(attrs.get("action", ""))
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and "name" in attrs:
            kind = attrs.get("type", "text").lower()
            self.form.inputs.append(Input(attrs["name"], kind, attrs.get("value", ""), "checked" in attrs))
        elif tag == "button" and "name" in attrs:
            self.form.inputs.append(Input(attrs["name"], "submit", attrs.get("value", "")))
        elif tag == "select" and "name" in attrs:
            self.select = Input(attrs["name"], "select", multiple="multiple" in attrs)
            self.form.inputs.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
        elif tag == "textarea" and "name" in attrs:
            self.textarea = Input(attrs["name"], "textarea")
            self.form.inputs.append(self.textarea)

    def handle_data(self, text):
        if self.option is not None:
            self.option["text"] += text
        elif self.textarea is not None:
            self.textarea.value += text

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            value = self.option["value"] if self.option["value"] is not None else self.option["text"].strip()
            self.select.options.append((value, self.option["selected"]))
            self.option = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self.textarea = None
        elif tag == "form":
            self.form = None


def page_form(body: str, page_url: str, url: str, submit: str | None) -> PageForm:
    parser = FormParser()
    parser.feed(body)
    forms = [f for f in parser.forms if (urlsplit(f.action).path or urlsplit(page_url).path) == urlsplit(url).path]
    if submit:
        forms = [f for f in forms if any(i.name == submit for i in f.inputs)]
    assert forms, f"no form posting to {url} on {page_url}"
    return forms[0]


def submission(form: PageForm, submit: str | None) -> dict:
    """What a browser sends for the form as shown, pressing ``submit`` (or its first button)."""
    values: dict[str, object] = {}
    pressed = False
    for item in form.inputs:
        if item.kind == "submit":
            if not pressed and (submit is None or item.name == submit):
                values[item.name], pressed = item.value, True
        elif item.kind in ("checkbox", "radio"):
            if item.on:
                values[item.name] = item.value or "y"
        elif item.kind == "select":
            chosen = [v for v, on in item.options if on] or ([] if item.multiple else item.options[:1] and
                                                              [item.options[0][0]])
            values[item.name] = chosen if item.multiple else (chosen[0] if chosen else "")
        elif item.kind != "file":
            values[item.name] = item.value
    return values


def fuzzable(form: PageForm, declared: dict) -> list[tuple[str, str]]:
    """(name, kind of hostile values) of each visible field, once."""
    seen, fields = set(), []
    for item in form.inputs:
        kind = KINDS.get(item.kind)
        if kind and item.name not in seen:
            seen.add(item.name)
            fields.append((item.name, kind))
    missing = set(declared) - {i.name for i in form.inputs}
    assert not missing, f"declared values for fields the form does not have: {missing}"
    return fields


# --- what a response shows ------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sd]")
FIELD_ERROR = re.compile(r'<p class="error" id="([^"]*)-error">(.*?)</p>', re.S)
FLASH_ERROR = re.compile(r'<p class="flash flash-error">(.*?)</p>', re.S)


def spanish_patterns() -> list[re.Pattern]:
    """Every Spanish message of Senda's catalog and of WTForms', as a pattern."""
    def strings(catalog) -> list[str]:
        return [s for m in catalog if m.id for s in (m.string if isinstance(m.string, tuple | list) else [m.string])]

    with open(ROOT / "translations/es/LC_MESSAGES/messages.po", "rb") as fh:
        texts = strings(read_po(fh))
    with open(Path(wtforms.__file__).parent / "locale/es/LC_MESSAGES/wtforms.mo", "rb") as fh:
        texts += strings(read_mo(fh))
    patterns = []
    for text in texts:
        if len(re.findall(r"[a-záéíóúñ]", PLACEHOLDER.sub("", text), re.I)) < 4:
            continue
        parts = PLACEHOLDER.split(text)
        patterns.append(re.compile(".+?".join(re.escape(p) for p in parts) + r"\s*"))
    return patterns


SPANISH = spanish_patterns()


def is_spanish(text: str) -> bool:
    """True when ``text`` is a sequence of Spanish catalog messages."""
    reachable, todo = {0}, [0]
    while todo:
        position = todo.pop()
        if position == len(text):
            return True
        for pattern in SPANISH:
            if (found := pattern.match(text, position)) and found.end() not in reachable:
                reachable.add(found.end())
                todo.append(found.end())
    return False


def clean(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def shown_errors(body: str) -> tuple[dict[str, str], list[str]]:
    fields = {name: clean(text) for name, text in FIELD_ERROR.findall(body)}
    return fields, [clean(text) for text in FLASH_ERROR.findall(body)]


# --- what the database holds --------------------------------------------------------

DERIVED = {"audit_events", "audit_head", "summary_cells", "summary_changes", "summary_values", "summary_versions"}
READ_ACTION = re.compile(r"\.(view|list|search|attendance_view)$")


def snapshot(app) -> dict:
    """Rows of every table (but the audit log and the summary caches), and the
    audited changes (events that are not reads)."""
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if t.name not in DERIVED]
        counts = dict(db.session.execute(union_all(*(
            select(literal(t.name), func.count()).select_from(t) for t in tables))).all())
        events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "allowed")).all()
        counts["audited changes"] = sum(1 for action in events if not READ_ACTION.search(action))
        return counts


def changed(before: dict, after: dict) -> dict:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


# --- the test ---------------------------------------------------------------------------

CASES = [pytest.param(rule, index, id=f"{rule}#{index}" if len(targets) > 1 else rule)
         for rule, targets in TARGETS.items() for index in range(len(targets))]


@pytest.mark.parametrize(("rule", "index"), CASES)
def test_hostile_values_are_refused_with_a_translated_message(app, rule, index):
    target = TARGETS[rule][index]
    client = app.test_client()
    if target.username:
        assert login(client, target.username).status_code == 302
    url = target.url(app)
    page_url = target.page(app) if target.page else url
    page = client.get(page_url)
    assert page.status_code == 200, (page_url, page.status_code)
    form = page_form(page.get_data(as_text=True), page_url, url, target.submit)
    declared = target.values(app)
    valid = {**submission(form, target.submit), **declared}

    def post(values: dict):
        return client.post(url, data={**values, **(target.files(app) if target.files else {})})

    problems = []
    before = snapshot(app)
    for name, kind in fuzzable(form, declared):
        for hostile in HOSTILE[kind]:
            label = f"{name}={hostile[:20]!r}{'…' if len(hostile) > 20 else ''}"
            spoiled = {**valid, name: [hostile] if isinstance(valid.get(name), list) else hostile}
            try:
                response = post(spoiled)
                shown = response
                if response.status_code in (301, 302, 303):
                    shown = client.get(response.headers["Location"])
            except Exception as exc:  # noqa: BLE001 - an unhandled error is what this test looks for
                problems.append(f"{label}: raised {type(exc).__name__}: {str(exc)[:200]}")
                continue
            if response.status_code >= 500 or shown.status_code >= 500:
                problems.append(f"{label}: status {response.status_code}/{shown.status_code}")
                continue
            body = shown.get_data(as_text=True)
            field_errors, flashes = shown_errors(body)
            own = field_errors.get(name)
            if own is None and not flashes:
                problems.append(f"{label}: no error shown (status {response.status_code}, "
                                f"other fields' errors: {field_errors})")
            for text in ([own] if own else []) + flashes:
                if not is_spanish(text):
                    problems.append(f"{label}: error not in Spanish: {text!r}")
            after = snapshot(app)
            if after != before:
                problems.append(f"{label}: stored something: {changed(before, after)}")
                before = after
    assert problems == []

    # The valid submission itself is taken: the refusals above were the hostile values' doing.
    response = post(valid)
    assert response.status_code < 400, response.status_code
    if response.status_code == 200 and response.mimetype == "text/html":
        field_errors, flashes = shown_errors(response.get_data(as_text=True))
        assert not field_errors and not flashes, (field_errors, flashes)
    assert snapshot(app) != before, "the valid submission stored nothing"


# --- the shared checks, one by one ------------------------------------------------------


def app_form_classes() -> list[type]:
    found, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("app.") and sub.__module__ != "app.formtools":
                found.append(sub)
    return found


def test_every_form_of_the_app_gets_the_shared_checks(app):
    classes = app_form_classes()
    assert len(classes) > 20
    assert [c.__qualname__ for c in classes if not issubclass(c, SendaForm)] == []


class Sample(SendaForm):
    class Meta:
        csrf = False

    name = StringField(validators=[Length(max=5)])
    notes = TextAreaField()
    pair = StringField(validators=[Optional(), Length(min=2, max=4)])


@pytest.mark.parametrize(("values", "errors"), [
    ({"name": "Ana\tB", "notes": "uno\r\ndos\tres\n"}, {}),
    ({"name": "A\x00"}, {"name": ["Quite de este texto los caracteres de control invisibles (no se pueden guardar)."]}),
    ({"name": "A\rB"}, {"name": ["Quite de este texto los caracteres de control invisibles (no se pueden guardar)."]}),
    ({"notes": "a\x0bb"}, {"notes": ["Quite de este texto los caracteres de control invisibles (no se pueden guardar)."]}),
    ({"notes": "\u0085"}, {"notes": ["Quite de este texto los caracteres de control invisibles (no se pueden guardar)."]}),
    ({"name": "Andrea"}, {"name": ["Use como máximo 5 caracteres."]}),
    ({"pair": "a"}, {"pair": ["Use entre 2 y 4 caracteres."]}),
    ({"notes": "x" * 10_001}, {"notes": ["Use como máximo 10000 caracteres."]}),
])
def test_text_fields(app, values, errors):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(headers={"Accept-Language": "es"}):
        form = Sample(formdata=MultiDict(values))
        form.validate()
        assert {k: [str(e) for e in v] for k, v in form.errors.items()} == errors


def test_a_shared_length_validator_is_not_changed(app):
    shared = Length(max=3)
    with app.test_request_context():
        type("A", (SendaForm,), {"a": StringField(validators=[shared]), "Meta": type("Meta", (), {"csrf": False})})()
    assert shared.message is None


@pytest.mark.parametrize(("validator", "day", "ok"), [
    (past_event_date, 0, True), (past_event_date, 1, False), (past_event_date, "first", True),
    (past_event_date, "before", False), (future_target_date, 365 * 10 - 10, True),
    (future_target_date, 365 * 10 + 10, False), (future_target_date, "first", True),
    (future_target_date, "before", False), (planned_date, 300, True), (planned_date, 400, False),
])
def test_date_windows(app, validator, day, ok):
    with app.test_request_context():
        today = local_today()
        value = {"first": FIRST_DATE, "before": FIRST_DATE - timedelta(days=1)}.get(day) or \
            today + timedelta(days=day if isinstance(day, int) else 0)
        holder = type("F", (), {"data": value})()
        try:
            validator(None, holder)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted is ok


def test_no_control_characters_reads_every_submitted_value():
    check = NoControlCharacters()
    holder = type("F", (), {"raw_data": ["ok", "b\x00d"], "data": "ok"})()
    with pytest.raises(StopValidation):  # and stops the chain: Optional() would erase its message
        check(None, holder)
