"""Numbers, dates and times as the user's country writes them, translations
from the language's catalog, and Spanish in the exports (issue #11)."""

import csv
import io
import json
import re
from datetime import date, datetime, time, timedelta

import pytest
from babel import Locale
from babel.support import Translations
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from app.accounts.models import Organization, User
from app.accounts.services import create_user
from app.extensions import db
from app.i18n import formatting_locale, html_lang, user_country_code
from app.policing import codes as policing_codes
from app.policing.models import PolicingSession
from app.youth import codes as youth_codes
from app.youth.models import Youth
from tests.conftest import DEMO_PASSWORD, login, post_form
from tests.test_i18n import ROOT
from tests.youth_helpers import post

SPACES = {"\u00a0": " ", "\u202f": " "}  # CLDR's no-break and narrow no-break spaces


def plain(text: str) -> str:
    for special, space in SPACES.items():
        text = text.replace(special, space)
    return text


@pytest.mark.parametrize("language, country, expected", [
    ("es", "SV", "es_SV"), ("es", "GT", "es_GT"), ("es", "HN", "es_HN"), ("es", "NI", "es_NI"),
    ("es", "CR", "es_CR"), ("es", "PA", "es_PA"), ("es", "BZ", "es_BZ"), ("es", None, "es_419"),
    ("en", "BZ", "en_BZ"), ("en", "SV", "en"), ("en", None, "en"),
])
def test_the_formatting_locale_is_the_language_in_the_users_country(language, country, expected):
    assert formatting_locale(language, country) == expected


@pytest.mark.parametrize("locale", ["es_SV", "es_CR", "es_419", "es_BZ"])
def test_country_locales_read_the_spanish_catalog(locale):
    translations = Translations.load(str(ROOT / "translations"), [Locale.parse(locale)])
    assert translations.gettext("Sign in") == "Iniciar sesión"
    assert html_lang(Locale.parse(locale)) == locale.replace("_", "-")


def add_user(username: str, country: str, scope: list[str], role: str = "coordinator") -> User:
    org = Organization(name=f"Organización de prueba {country}", kind="ngo", country_code=country)
    db.session.add(org)
    user, _ = create_user(username=username, full_name="Prueba", email=None, role=role, organization=org,
                          scope_codes=scope, locale="es", password=DEMO_PASSWORD)
    user.must_change_password = False
    db.session.commit()
    return user


FILTERS = ("{{ 1234567.5|format_number }}|{{ 0.12|format_percent }}|{{ 2.5|format_number }}|"
           "{{ t|format_time('short', rebase=False) }}|{{ d|format_month }}|{{ html_lang }}")


def render_as(app, username: str | None, language: str = "es") -> str:
    with app.test_request_context():
        if username:
            user = db.session.scalar(select(User).where(User.username == username))
            user.locale = language
            login_user(user)
        return plain(render_template_string(FILTERS, t=datetime(2026, 12, 3, 15, 5), d=date(2026, 12, 1)))


def test_filters_follow_the_users_country(app):
    with app.app_context():
        add_user("coord.cr", "CR", ["CR"])
    assert render_as(app, "worker.sv") == "1,234,567.5|12%|2.5|3:05 p. m.|diciembre de 2026|es-SV"
    assert render_as(app, "worker.hn") == "1,234,567.5|12%|2.5|3:05 p. m.|diciembre de 2026|es-HN"
    assert render_as(app, "coord.cr") == "1 234 567,5|12%|2,5|3:05 p. m.|diciembre de 2026|es-CR"
    assert render_as(app, "worker.sv", "en") == "1,234,567.5|12%|2.5|3:05 PM|December 2026|en"
    assert render_as(app, None) == "1,234,567.5|12%|2.5|3:05 p.m.|diciembre de 2026|es-419"
    assert "12 %" not in render_as(app, "coord.cr")  # Spain's spaced percent sign nowhere


def test_the_country_comes_from_the_scope_else_from_the_organization(app):
    with app.app_context():
        add_user("coord.gt", "SV", ["GT"])  # an organization in El Salvador working in Guatemala
        admin = db.session.scalar(select(User).where(User.username == "admin"))  # no scope
        for username, expected in (("coord.gt", "GT"), ("admin", "SV"), ("manager.sv", "SV"), ("worker.hn", "HN")):
            with app.test_request_context():
                login_user(db.session.scalar(select(User).where(User.username == username)))
                assert user_country_code() == expected, username
        assert admin.scopes == []
    with app.test_request_context():
        assert user_country_code() is None


def record_session(client, app, held_on: date, held_time: str) -> int:
    from tests.test_policing import session_data

    response = post(client, "/sessions/new", session_data(app, held_on=held_on.isoformat(), held_time=held_time))
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalar(select(PolicingSession.id).order_by(PolicingSession.id.desc()))


def test_session_pages_show_the_local_time_and_month_as_written_in_el_salvador(app, today):
    client = app.test_client()
    login(client, "police.sv")
    held_on = today - timedelta(days=1)
    session_id = record_session(client, app, held_on, "15:05")
    month = held_on.strftime("%Y-%m")
    from babel.dates import format_skeleton

    heading = format_skeleton("yMMMM", held_on, locale="es_SV")
    calendar = plain(client.get(f"/sessions/calendar?month={month}").get_data(as_text=True))
    assert f"Sesiones de {heading}" in calendar and " de " in heading  # "diciembre de 2026"
    assert "3:05 p. m." in calendar and "15:05" not in calendar
    page = plain(client.get(f"/sessions/{session_id}").get_data(as_text=True))
    assert "3:05:00 p. m." in page  # the time as recorded, not shifted as if it were UTC
    assert '<html lang="es-SV">' in page

    post_form(client, "/language", {"locale": "en"}, form_url="/auth/password")
    calendar = plain(client.get(f"/sessions/calendar?month={month}").get_data(as_text=True))
    assert f"Sessions in {format_skeleton('yMMMM', held_on, locale='en')}" in calendar
    assert "3:05 PM" in calendar


def test_summary_percentages_have_no_space_before_the_sign(app):
    client = app.test_client()
    login(client, "manager.sv")
    body = plain(client.get("/reports/?period=year&value=2026").get_data(as_text=True))
    assert re.search(r">\d+%<", body)
    assert not re.search(r"\d %", body)


# --- exports in the requester's language ---------------------------------------


def test_the_sessions_csv_shows_labels_not_codes(app, today):
    client = app.test_client()
    login(client, "police.sv")
    session_id = record_session(client, app, today - timedelta(days=2), "10:00")
    post(client, f"/sessions/{session_id}/cancel", {"reason": "Lluvia", "version": "1"},
         form_url=f"/sessions/{session_id}")
    rows = list(csv.reader(io.StringIO(client.get("/sessions/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    header, rows = rows[0], rows[1:]
    assert header[:11] == ["Fecha", "Hora", "Municipio", "Comunidad", "Lugar", "Nombre de la escuela",
                           "Tipo de sesión", "Currículo G.R.E.A.T.", "Número de lección", "Tema", "Estado"]
    assert header[11:13] == ["Mujeres", "Hombres"]
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("es"):
            kinds = {str(v) for v in policing_codes.KINDS.values()}
            venues = {str(v) for v in policing_codes.VENUES.values()}
    assert rows and {r[6] for r in rows} <= kinds and {r[4] for r in rows} <= venues
    assert "Lección G.R.E.A.T." in {r[6] for r in rows}
    assert {r[10] for r in rows} == {"Realizada", "Cancelada"}
    assert not {"great_lesson", "cancelled", "held", "school", "elementary"} & {c for r in rows for c in r}


def test_the_summary_export_names_the_level_in_spanish(app):
    client = app.test_client()
    login(client, "manager.sv")
    body = client.get("/reports/export.csv?period=year&value=2026&level=municipality&parent=SV-SS")
    lines = list(csv.reader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Nivel", "Municipio"] in lines
    assert not any(row[:2] == ["Nivel", "municipality"] for row in lines)
    assert any(row and row[0] == "Unidad" and "Inscritos" in row and "Mujeres" in row for row in lines)


def all_keys_and_values(value, keys: set, values: set) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(key)
            all_keys_and_values(item, keys, values)
    elif isinstance(value, list):
        for item in value:
            all_keys_and_values(item, keys, values)
    elif isinstance(value, str):
        values.add(value)


def export_of(app, client, code: str) -> dict:
    response = post(client, f"/cases/{code}/export", {"reference": "SAR-2026-014"})
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_the_subject_access_export_reads_in_the_requesters_language(app, client, auth):
    with app.app_context():
        code, school = db.session.execute(select(Youth.case_code, Youth.school_status).where(
            Youth.status == "active", Youth.case_code.like("SV-%")).limit(1)).one()
    auth.login("coord.sv")
    record = export_of(app, client, code)
    keys, values = set(), set()
    all_keys_and_values(record, keys, values)
    assert {"Código del caso", "Situación escolar al ingreso", "Tamizajes de riesgo", "Consentimiento",
            "Historial de estados", "Nivel de prevención", "Estado", "Sexo"} <= keys
    assert not {"case_code", "school_status_at_intake", "screenings", "status_history", "level"} & keys
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("es"):
            school_labels = {c: str(v) for c, v in youth_codes.SCHOOL_STATUSES.items()}
            status = str(youth_codes.STATUSES["active"])
    assert record["Situación escolar al ingreso"] == school_labels[school]
    assert record["Estado"] == status and record["Sexo"] in {"Mujer", "Hombre", "No registrado"}
    assert record["Tamizajes de riesgo"][0]["Nivel de prevención"].startswith("Prevención ")
    codes = {*youth_codes.SCHOOL_STATUSES, *youth_codes.STATUSES, *youth_codes.CONSENT_PURPOSES,
             *youth_codes.CONSENT_GIVERS, *youth_codes.REFERRAL_SOURCES, *youth_codes.WORK_STATUSES,
             "baseline", "reassessment", "primary", "secondary", "tertiary", "True", "False"}
    assert not codes & values
    assert not {"true", "false", "null"} & {str(v).lower() for v in values}

    post_form(client, "/language", {"locale": "en"}, form_url="/auth/password")
    english = export_of(app, client, code)
    assert english["Case code"] == code and english["Status"] == "Active"
    assert "Risk screenings" in english and "School at intake" in english


# --- hand-built number formats ----------------------------------------------------------


def test_large_counts_are_grouped_as_the_country_writes_them(app):
    """"1,234 events", not "1234 events": counts shown in sentences go through format_number."""
    with app.test_request_context():
        login_user(db.session.scalar(select(User).where(User.username == "worker.sv")))
        text = render_template_string("{{ ngettext('%(num)s event', '%(num)s events', n, num=n|format_number) }}",
                                      n=1234)
    assert text == "1,234 eventos"


def test_templates_build_no_number_format_by_hand():
    pattern = re.compile(r"%\.\d+f|\{:,|\{:\.\d|%d %%|'[^']*%d' %|\|round\b|strftime\(")
    found = [f"{path.relative_to(ROOT)}: {line.strip()}"
             for path in (ROOT / "app" / "templates").rglob("*.html")
             for line in path.read_text(encoding="utf-8").splitlines() if pattern.search(line)]
    assert found == []


def test_cohort_session_times_are_not_shifted(app):
    """Session times are local wall-clock times: formatting must not treat them as UTC."""
    with app.test_request_context():
        login_user(db.session.scalar(select(User).where(User.username == "police.sv")))
        text = plain(render_template_string("{{ t|format_datetime('short', rebase=False) }}",
                                            t=datetime.combine(date(2026, 12, 3), time(9, 30))))
    assert text == "3/12/26, 9:30 a. m."
