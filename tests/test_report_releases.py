"""Fixed releases: summaries only for quarters, calendar years and fiscal
years (unions of quarters), never a custom range of days, for any role;
fiscal years named as USAID names them; running periods marked provisional
on the page, in the selector and in the export."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.reports.indicators import KEY, Breakdown, compute
from app.reports.periods import Period, fiscal_year_of, offered, parse_period
from app.reports.summary import published
from config import ConfigError, TestingConfig
from tests.conftest import local_date, login, post_form
from tests.test_access import DEMO_USER
from tests.test_reports import dataset  # noqa: F401  (the hand-built data set)

ONE_DAY = "period=custom&start=2026-02-05&end=2026-02-05"  # the community meeting of 18 people, alone


def english(client, username: str) -> None:
    login(client, username)
    post_form(client, "/language", {"locale": "en"}, form_url="/auth/password")


def cells(body: str) -> list[str]:
    return re.findall(r'<td class="num[^"]*">([^<]*)</td>', body)


def lead(body: str) -> str:
    return re.search(r'<p class="lead">(.*?)</p>', body, re.S).group(1)


def options(body: str) -> dict[str, str]:
    select = re.search(r'<select[^>]*name="value".*?</select>', body, re.S).group(0)
    return dict(re.findall(r'<option[^>]*value="([^"]+)"[^>]*>([^<]*)</option>', select))


# --- periods ------------------------------------------------------------------


@pytest.mark.parametrize("month, start, end", [(10, date(2025, 10, 1), date(2026, 9, 30)),
                                               (1, date(2026, 1, 1), date(2026, 12, 31)),
                                               (7, date(2025, 7, 1), date(2026, 6, 30))])
def test_a_fiscal_year_is_named_by_the_year_it_ends_in(app, month, start, end):
    with app.app_context():
        fiscal = Period.fiscal_year(2026, month)
    assert (fiscal.start, fiscal.end, fiscal.key, fiscal.kind) == (start, end, "FY2026", "fiscal_year")
    assert fiscal_year_of(start, month) == fiscal_year_of(end, month) == 2026
    assert fiscal_year_of(start - timedelta(days=1), month) == 2025
    assert fiscal_year_of(end + timedelta(days=1), month) == 2027
    quarters = fiscal.quarters_back(4)  # a union of quarters: exactly four, end to end
    assert (quarters[0].start, quarters[-1].end) == (start, end)


def test_a_january_fiscal_year_is_the_calendar_year(app):
    with app.app_context():
        fiscal, year = Period.fiscal_year(2026, 1), Period.year(2026)
    assert (fiscal.start, fiscal.end) == (year.start, year.end)


def test_fiscal_years_default_to_october_and_must_be_unions_of_quarters(app):
    assert app.config["FISCAL_YEAR_START_MONTH"] == 10
    with app.test_request_context():
        assert parse_period("FY2026", date(2026, 11, 29)).start == date(2025, 10, 1)

    class February(TestingConfig):
        FISCAL_YEAR_START_MONTH = 2

    with pytest.raises(ConfigError, match="SENDA_FISCAL_YEAR_START_MONTH"):
        February.validate()


@pytest.mark.parametrize("language, label", [("en", "FY 2026"), ("es", "AF 2026")])
def test_fiscal_year_labels_in_both_languages(app, language, label):
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale(language):
            assert str(Period.fiscal_year(2026, 10).label) == label
            assert str(Period.fiscal_year(2026, 10).title(date(2026, 9, 30))) == f"{label} (provisional)"
            assert str(Period.fiscal_year(2026, 10).title(date(2026, 10, 1))) == label


def test_only_unions_of_quarters_are_parsed(app):
    day = date(2026, 11, 29)
    with app.test_request_context():
        default = parse_period(None, day)
        assert (default.key, default.start, default.end) == ("2026-T4", date(2026, 10, 1), date(2026, 12, 31))
        for text in ("2026-01-01..2026-01-01", "2026-02-05", "custom", "FY26", "fy2026", "2026-T5", "FY9999"):
            assert parse_period(text, day) == default, text
        assert parse_period("2026", day).key == "2026" and parse_period("2026-T1", day).key == "2026-T1"


def test_the_selector_offers_8_quarters_3_years_and_3_fiscal_years(app):
    with app.app_context():
        found = offered(date(2026, 11, 29))
    assert [p.key for p in found] == ["2026-T4", "2026-T3", "2026-T2", "2026-T1", "2025-T4", "2025-T3", "2025-T2",
                                      "2025-T1", "2026", "2025", "2024", "FY2027", "FY2026", "FY2025"]
    assert [p.key for p in found if p.provisional(date(2026, 11, 29))] == ["2026-T4", "2026", "FY2027"]


def test_a_period_is_provisional_until_its_last_day_is_over():
    quarter = Period.quarter(2026, 1)
    assert quarter.provisional(date(2026, 1, 1)) and quarter.provisional(date(2026, 3, 31))
    assert not quarter.provisional(date(2026, 4, 1))


# --- no custom window, for any role ---------------------------------------------


@pytest.mark.usefixtures("dataset")
@pytest.mark.parametrize("role", ["ngo_manager", "coordinator", "admin"])
def test_custom_dates_are_refused_for_every_role(app, role, today):
    client = app.test_client()
    english(client, DEMO_USER[role])
    default = client.get("/reports/").get_data(as_text=True)
    current = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    assert f"Period {current} (provisional)" in lead(default)
    for level in ("", "&level=municipality&parent=SV-MO"):
        body = client.get(f"/reports/?{ONE_DAY}{level}").get_data(as_text=True)
        assert "These filters were not valid and were left out: Kind of period." in body
        assert lead(body) == lead(default)  # the default period, never the day asked for
        assert cells(body) == cells(client.get(f"/reports/?{level.lstrip('&')}").get_data(as_text=True))
        # With a quarter named too, the dates change nothing: the whole quarter is shown.
        quarter = client.get(f"/reports/?{ONE_DAY}&value=2026-T1{level}").get_data(as_text=True)
        assert "Period 2026-Q1" in lead(quarter)
        assert cells(quarter) == cells(client.get(f"/reports/?value=2026-T1{level}").get_data(as_text=True))
    response = client.get(f"/reports/export.csv?{ONE_DAY}")
    assert response.status_code == 302 and "/reports/" in response.headers["Location"]


@pytest.mark.usefixtures("dataset")
def test_no_one_day_total_is_reachable(app):
    """Morazán Norte's Q1 attendance is 51; the meeting of 2026-02-05 alone is 18.
    Whatever dates the query names, the attendance shown is the quarter's (51, perturbed by its key)."""
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager.sv"))
        north = compute(manager, Breakdown("municipality", "SV-MO"), Period.quarter(2026, 1), local_date(app))["SV-MO-001"]
        assert north["attendance"] == 51
        quarter = str(published(north["attendance"], north["attendance" + KEY]))  # under 1,000: no separator
    client = app.test_client()
    english(client, "manager.sv")
    for query in (f"{ONE_DAY}&value=2026-T1", "value=2026-T1&start=2026-02-05&end=2026-02-05",
                  "period=quarter&value=2026-T1&start=2026-02-05&end=2026-02-05"):
        body = client.get(f"/reports/?{query}&level=municipality&parent=SV-MO").get_data(as_text=True)
        sessions = re.search(r'id="h-sessions".*?Morazán Norte</th>(.*?)</tr>', body, re.S).group(1)
        assert quarter in cells(sessions), query


# --- provisional labels -----------------------------------------------------------


@pytest.mark.usefixtures("dataset")
def test_running_periods_are_provisional_on_the_page_and_in_the_selector(app, today):
    client = app.test_client()
    english(client, "manager.sv")
    body = client.get("/reports/").get_data(as_text=True)
    running = Period.quarter(today.year, (today.month - 1) // 3 + 1)
    closed = running.quarters_back(8)[0]  # the oldest quarter offered: over
    assert "(provisional)" in lead(body) and "still running: its numbers are provisional" in body
    choices = options(body)
    assert choices[running.key] == f"{today.year}-Q{(today.month - 1) // 3 + 1} (provisional)"
    assert choices[str(today.year)] == f"{today.year} (provisional)"
    with app.app_context():
        fiscal = fiscal_year_of(today)
    assert choices[f"FY{fiscal}"] == f"FY {fiscal} (provisional)"
    assert choices[f"FY{fiscal - 1}"] == f"FY {fiscal - 1}" and choices[str(today.year - 1)] == str(today.year - 1)
    assert "provisional" not in choices[closed.key]
    assert len([k for k in choices if "-T" in k]) == 8 and len([k for k in choices if k.startswith("FY")]) == 3
    past = client.get(f"/reports/?value={closed.key}").get_data(as_text=True)
    assert "provisional" not in lead(past) and "still running" not in past


@pytest.mark.usefixtures("dataset")
@pytest.mark.parametrize("language, provisional, ended", [
    ("en", "Provisional: the period is still running", "The period has ended."),
    ("es", "Provisional: el período aún no termina", "El período ya terminó.")])
def test_the_export_names_the_period_and_says_provisional(app, today, language, provisional, ended):
    client = app.test_client()
    login(client, "manager.sv")
    post_form(client, "/language", {"locale": language}, form_url="/auth/password")
    with app.app_context():
        fiscal = Period.fiscal_year(fiscal_year_of(today))
        label = f"{'FY' if language == 'en' else 'AF'} {fiscal.key[2:]}"
    running = client.get(f"/reports/export.csv?value={fiscal.key}").get_data(as_text=True)
    assert f"{label} (provisional)" in running and provisional in running
    closed_key = f"FY{int(fiscal.key[2:]) - 1}"
    closed = client.get(f"/reports/export.csv?value={closed_key}").get_data(as_text=True)
    assert f"{label[:-4]}{int(fiscal.key[2:]) - 1}" in closed and "(provisional)" not in closed and ended in closed
