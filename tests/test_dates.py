"""The local date is the signed-in user's country's, not the server's (UTC):
checked with the clock stopped at the hours where they differ. Panama is
UTC-5, the other six countries UTC-6."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask_babel import format_datetime, get_timezone
from flask_login import login_user
from sqlalchemy import select

from app.accounts.models import Organization, User
from app.accounts.services import create_user
from app.audit.models import AuditEvent
from app.dates import COUNTRY_ZONES, local_now, local_today, user_zone
from app.extensions import db
from app.geo.models import Municipality
from app.youth.models import Consent, Youth
from tests.conftest import DEMO_PASSWORD, login
from tests.test_policing_import import MEETING, write
from tests.youth_helpers import QueryCounter, give_consent, municipality_id, register, user_id

EVE, NEW_YEAR = date(2026, 12, 31), date(2027, 1, 1)
# Every instant is already in the new year in UTC, the server's date.
SV_EVENING = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)  # 18:30 on 31 Dec in El Salvador, 19:30 in Panama
PA_LATE = datetime(2027, 1, 1, 4, 30, tzinfo=UTC)  # 23:30 on 31 Dec in Panama, 22:30 in El Salvador
SV_LATE = datetime(2027, 1, 1, 5, 30, tzinfo=UTC)  # 23:30 on 31 Dec in El Salvador, 00:30 on 1 Jan in Panama
PA_MUNICIPALITY = "PA0101"  # Bocas del Toro


@pytest.fixture
def panama_worker(app) -> str:
    """A social worker of a Panamanian organization (the demo has none)."""
    with app.app_context():
        place = db.session.scalar(select(Municipality).where(Municipality.code == PA_MUNICIPALITY))
        org = Organization(name="Fundación Istmo (prueba)", kind="ngo", country_code="PA", municipalities=[place])
        db.session.add(org)
        create_user(username="worker.pa", full_name="Paula Trabajadora Ríos", email="worker.pa@demo.example.org",
                    role="social_worker", organization=org, scope_codes=[PA_MUNICIPALITY], locale="es",
                    password=DEMO_PASSWORD)
        db.session.commit()
    return "worker.pa"


def signed_in(app, username: str):
    """A request context (with its own application context, so its own `g`)
    where `username` is signed in; the caller pops it."""
    context = app.test_request_context("/")
    context.push()
    login_user(db.session.scalar(select(User).where(User.username == username)))
    return context


@pytest.mark.parametrize(("instant", "panama", "others", "sv_time"), [
    (SV_EVENING, EVE, EVE, "18:30"),
    (PA_LATE, EVE, EVE, "22:30"),
    (SV_LATE, NEW_YEAR, EVE, "23:30"),
], ids=["00:30Z", "04:30Z", "05:30Z"])
def test_local_today_per_country(app, instant, panama, others, sv_time):
    with time_machine.travel(instant, tick=False), app.app_context():
        for country in COUNTRY_ZONES:
            assert local_today(country) == (panama if country == "PA" else others), country
        assert local_now("PA") - local_now("SV") == timedelta(hours=1)
        # Outside a request, and for a country with no zone: the configured one, El Salvador's.
        assert app.config["BABEL_DEFAULT_TIMEZONE"] == "America/El_Salvador"
        assert local_today() == local_today("XX") == others
        assert local_now().strftime("%H:%M") == sv_time


@pytest.mark.parametrize(("instant", "panama", "others"), [
    (SV_EVENING, EVE, EVE), (PA_LATE, EVE, EVE), (SV_LATE, NEW_YEAR, EVE),
], ids=["00:30Z", "04:30Z", "05:30Z"])
def test_in_a_request_the_users_country_decides(app, panama_worker, instant, panama, others):
    with time_machine.travel(instant, tick=False):
        for username, zone, day in ((panama_worker, "America/Panama", panama),
                                    ("worker.sv", "America/El_Salvador", others),
                                    ("worker.hn", "America/Tegucigalpa", others)):
            context = signed_in(app, username)
            try:
                assert (user_zone(), local_today()) == (zone, day), username
                # Flask-Babel shows stored times (UTC) in the same zone.
                assert str(get_timezone()) == zone
                expected = (instant - timedelta(hours=5 if zone == "America/Panama" else 6)).strftime("%d/%m %H:%M")
                assert format_datetime(instant, "dd/MM HH:mm") == expected
            finally:
                context.pop()
        with app.test_request_context("/"):  # signed out
            assert (user_zone(), local_today()) == ("America/El_Salvador", others)


def test_the_zone_costs_one_query_per_request_at_most(app, panama_worker):
    context = signed_in(app, panama_worker)
    try:
        with QueryCounter(db.engine) as counter:
            for _ in range(20):
                local_today(), local_now(), get_timezone()
        assert counter.count <= 1
    finally:
        context.pop()


def test_an_unknown_country_falls_back_to_the_configured_zone(app, panama_worker, monkeypatch):
    monkeypatch.delitem(COUNTRY_ZONES, "PA")
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "America/Costa_Rica")
    context = signed_in(app, panama_worker)
    try:
        assert user_zone() == str(get_timezone()) == "America/Costa_Rica"
    finally:
        context.pop()


def consent_on(client, code: str, day: date) -> bool:
    """Record consent given on `day`; whether the form accepted the date."""
    response = give_consent(client, code, "statistics", on=day)
    if response.status_code == 302:
        return True
    assert response.status_code == 200 and "La fecha no puede ser futura." in response.get_data(as_text=True)
    return False


def register_as(app, client, username: str) -> str:
    assert login(client, username).status_code == 302
    if username == "worker.pa":
        return register(client, app, municipality_id=municipality_id(app, PA_MUNICIPALITY),
                        assigned_worker_id=user_id(app, username))
    return register(client, app)


@pytest.mark.parametrize(("instant", "username", "local_day"), [
    (PA_LATE, "worker.pa", EVE),  # 23:30 in Panama
    (PA_LATE, "worker.sv", EVE),  # 22:30 in El Salvador
    (SV_LATE, "worker.pa", NEW_YEAR),  # 00:30 in Panama
    (SV_LATE, "worker.sv", EVE),  # 23:30 in El Salvador
    (SV_EVENING, "worker.pa", EVE),  # 19:30 in Panama
    (SV_EVENING, "worker.sv", EVE),  # 18:30 in El Salvador
], ids=["04:30Z-PA", "04:30Z-SV", "05:30Z-PA", "05:30Z-SV", "00:30Z-PA", "00:30Z-SV"])
def test_forms_accept_the_users_today_and_refuse_the_next_day(app, client, panama_worker, instant, username, local_day):
    with time_machine.travel(instant, tick=True):
        code = register_as(app, client, username)
        with app.app_context():
            case = db.session.scalar(select(Youth).where(Youth.case_code == code))
            assert case.referred_on == local_day
        assert not consent_on(client, code, local_day + timedelta(days=1))
        assert consent_on(client, code, local_day)
        with app.app_context():
            consent = db.session.scalar(select(Consent).join(Youth).where(Youth.case_code == code))
            assert consent.given_on == local_day
            # Audit times are the (travelled) UTC instant, to the second.
            at = db.session.scalar(select(AuditEvent.at).where(AuditEvent.action == "consent.create")
                                   .order_by(AuditEvent.seq.desc()).limit(1))
            assert abs((at.replace(tzinfo=at.tzinfo or UTC) - instant).total_seconds()) < 120


def test_the_session_form_opens_on_the_users_date_and_time(app, client):
    with time_machine.travel(SV_LATE, tick=False):
        assert login(client, "police.sv").status_code == 302
        page = client.get("/sessions/new").get_data(as_text=True)
    assert 'value="2026-12-31"' in page and 'value="23:30"' in page


def test_the_importer_refuses_rows_after_the_units_today(ctx, tmp_path):
    from tests.test_policing_import import run

    row = {**MEETING, "date": NEW_YEAR.isoformat()}
    with time_machine.travel(SV_LATE, tick=False):
        assert [e.code for e in run(write(tmp_path, [row])).errors] == ["date_range"]  # 1 Dec in El Salvador
        db.session.rollback()
        result = run(write(tmp_path, [row]), country_code="PA")  # 2 Dec in Panama
        assert (result.errors, result.inserted) == ([], 1)
        db.session.rollback()


def test_the_export_file_is_named_after_the_users_date(app, client):
    with time_machine.travel(SV_LATE, tick=False):
        assert login(client, "manager.sv").status_code == 302
        response = client.get("/reports/export.csv")
    assert response.status_code == 200
    assert 'filename="senda-summary-2026-12-31.csv"' in response.headers["Content-Disposition"]
