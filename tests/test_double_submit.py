"""The same create form sent twice is stored once: a one-time token rendered
with each create form is recorded with what it created, in the same
transaction (app/submissions.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.casework.models import CaseNote, FollowUp, Goal, ServiceContact
from app.extensions import db
from app.policing.models import GreatCohort, PolicingSession
from app.programs.models import Enrollment, Program
from app.screening.models import Screening
from app.submissions import FormSubmission, prune
from app.youth.models import Consent, Youth
from tests import form_data as data
from tests.conftest import CSRF_RE, DEMO_PASSWORD, login, serve

ALREADY_SAVED = "ya se había guardado"


@dataclass
class Form:
    username: str
    model: type
    url: Callable  # app -> the URL the form posts to
    values: Callable  # app -> a valid submission
    page: Callable | None = None  # app -> the page that shows the form (the URL itself by default)


def active_case(app) -> str:
    return data.case_of(app, "worker.sv", ("active",))


def screened_case(app) -> str:
    return data.case_of(app, "worker.sv", ("screened",))


FORMS = {
    "session": Form("police.sv", PolicingSession, lambda app: "/sessions/new", data.session_data),
    "class": Form("police.sv", GreatCohort, lambda app: "/sessions/cohorts/new", data.cohort_data),
    "registration": Form("worker.sv", Youth, lambda app: "/cases/new", data.registration_data),
    "consent": Form("worker.sv", Consent, lambda app: f"/cases/{active_case(app)}/consents", data.consent_data,
                    page=lambda app: f"/cases/{active_case(app)}"),
    "contact": Form("worker.sv", ServiceContact, lambda app: f"/cases/{active_case(app)}/contacts/new",
                    data.contact_data),
    "follow-up": Form("worker.sv", FollowUp, lambda app: f"/cases/{active_case(app)}/followups/new",
                      data.followup_data),
    "goal": Form("worker.sv", Goal, lambda app: f"/cases/{active_case(app)}/goals/new", data.goal_data),
    "note": Form("worker.sv", CaseNote, lambda app: f"/cases/{active_case(app)}/notes/new", data.note_data),
    "screening": Form("worker.sv", Screening, lambda app: f"/cases/{active_case(app)}/screenings/new",
                      data.screening_data),
    "program": Form("coord.sv", Program, lambda app: "/programs/new", data.program_data),
    "enrollment": Form("worker.sv", Enrollment, lambda app: f"/cases/{screened_case(app)}/enroll",
                       lambda app: data.enroll_data(app, screened_case(app))),
}


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def signed_in(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def filled(client, app, form: Form) -> tuple[str, dict]:
    """The form's URL and a valid submission with the tokens of a freshly loaded page."""
    url = form.url(app)
    tokens = data.page_tokens(client, form.page(app) if form.page else url)
    assert "form_token" in tokens, "the create form has no one-time token"
    return url, {**form.values(app), **tokens}


@pytest.mark.parametrize("name", list(FORMS))
def test_the_same_post_twice_stores_one_row(app, name):
    form = FORMS[name]
    client = signed_in(app, form.username)
    url, values = filled(client, app, form)
    before = rows(app, form.model)

    first = client.post(url, data=values)
    assert first.status_code == 302, first.get_data(as_text=True)[-2000:]
    assert rows(app, form.model) == before + 1

    again = client.post(url, data=values)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert rows(app, form.model) == before + 1
    assert ALREADY_SAVED in client.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FormSubmission)) == 1


# An enrollment sent again after the first committed finds the youth enrolled: its status check stops it.
@pytest.mark.parametrize("name", [name for name in FORMS if name != "enrollment"])
def test_a_second_post_racing_past_the_check_is_rolled_back_and_redirected(app, name, monkeypatch):
    """The second POST arrives after the first committed, but had passed the
    "already used?" check before (as when both are in flight at once): the
    unique token makes its commit fail; it is rolled back and redirected."""
    form = FORMS[name]
    client = signed_in(app, form.username)
    url, values = filled(client, app, form)
    before = rows(app, form.model)
    first = client.post(url, data=values)
    assert first.status_code == 302

    monkeypatch.setattr("app.submissions.find_submission", lambda token: None)
    second = client.post(url, data=values)
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert rows(app, form.model) == before + 1
    assert ALREADY_SAVED in client.get(second.headers["Location"]).get_data(as_text=True)


def test_a_new_page_is_a_new_submission(app):
    client = signed_in(app, "worker.sv")
    form = FORMS["note"]
    before = rows(app, CaseNote)
    for _ in range(2):
        url, values = filled(client, app, form)
        assert client.post(url, data=values).status_code == 302
    assert rows(app, CaseNote) == before + 2


def test_a_refused_submit_does_not_use_the_token(app):
    """A form sent back with errors keeps its token; once corrected, it is stored."""
    client = signed_in(app, "worker.sv")
    url, values = filled(client, app, FORMS["note"])
    before = rows(app, CaseNote)
    refused = client.post(url, data={**values, "body": ""})
    assert refused.status_code == 200 and values["form_token"] in refused.get_data(as_text=True)
    assert client.post(url, data=values).status_code == 302
    assert rows(app, CaseNote) == before + 1


def test_without_a_token_a_form_is_stored_as_before(app):
    """A page from before this version (no token) is not refused: it is unprotected."""
    client = signed_in(app, "worker.sv")
    url, values = filled(client, app, FORMS["note"])
    del values["form_token"]
    before = rows(app, CaseNote)
    assert client.post(url, data=values).status_code == 302
    assert client.post(url, data=values).status_code == 302
    assert rows(app, CaseNote) == before + 2


def test_another_users_token_leads_nowhere_private(app):
    worker = signed_in(app, "worker.sv")
    url, values = filled(worker, app, FORMS["note"])
    assert worker.post(url, data=values).status_code == 302
    coordinator = signed_in(app, "coord.sv")
    stolen = {**values, "csrf_token": data.page_tokens(coordinator, url)["csrf_token"]}
    before = rows(app, CaseNote)
    response = coordinator.post(url, data=stolen)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert rows(app, CaseNote) == before


def test_edit_forms_carry_no_token(app):
    client = signed_in(app, "police.sv")
    with app.app_context():
        session_id = db.session.scalar(select(PolicingSession.id).where(PolicingSession.status == "held")
                                       .order_by(PolicingSession.id.desc()))
    assert "form_token" not in data.page_tokens(client, f"/sessions/{session_id}/edit")


def test_old_tokens_are_pruned(app, runner):
    client = signed_in(app, "worker.sv")
    for _ in range(2):
        url, values = filled(client, app, FORMS["note"])
        client.post(url, data=values)
    with app.app_context():
        old = db.session.scalars(select(FormSubmission).order_by(FormSubmission.id)).first()
        old.created_at = datetime.now(UTC) - timedelta(days=3)
        db.session.commit()
    result = runner.invoke(args=["forms", "prune"])
    assert result.exit_code == 0 and "1 form tokens" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FormSubmission)) == 1
        assert prune(days=2) == 0


@pytest.mark.parametrize("name", ["note", "session"])
def test_simultaneous_posts_over_a_real_server_store_one_row(app, name):
    """Four copies of one submit sent at once through a threaded server (each
    request its own connection and transaction): one row; every answer a
    redirect to it."""
    import threading

    import httpx

    form = FORMS[name]
    before = rows(app, form.model)
    with serve(app) as base, httpx.Client(base_url=base) as browser:
        login_page = browser.get("/auth/login").text
        browser.post("/auth/login", data={"username": form.username, "password": DEMO_PASSWORD,
                                          "csrf_token": CSRF_RE.search(login_page).group(1)})
        url = form.url(app)
        page = browser.get(form.page(app) if form.page else url).text
        values = {**form.values(app), "csrf_token": CSRF_RE.search(page).group(1),
                  "form_token": data.FORM_TOKEN_RE.search(page).group(1)}
        start, answers = threading.Barrier(4), []

        def send():
            start.wait()
            answers.append(browser.post(url, data=values))

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(a.status_code for a in answers) == [302] * 4
    assert len({a.headers["Location"] for a in answers}) == 1
    assert rows(app, form.model) == before + 1
