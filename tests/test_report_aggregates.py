"""Maintained aggregates: the stored per-municipality cells give the same
numbers as the base-table SQL, and stay equal when case and session data
change, when consent runs out, and after a bulk import."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from app.accounts.models import User
from app.extensions import db
from app.policing.models import PolicingSession
from app.programs.models import Enrollment, Program
from app.reports import aggregates
from app.reports.indicators import KEY, Breakdown, compute, exit_reasons, scoped_municipalities, trend
from app.reports.models import SummaryCell, SummaryChange, SummaryValue
from app.reports.periods import Period
from app.reports.summary import published
from app.youth.models import Youth
from tests.test_policing_import import ROWS, run, write
from tests.test_reports import Q1, TODAY, dataset, municipality  # noqa: F401  (the hand-built data set)

YEAR = Period.year(2026)
FY = Period.fiscal_year(2026, 10)  # 2025-10-01 .. 2026-09-30: the default fiscal year
BREAKDOWNS = [Breakdown("country", None), Breakdown("department", "SV"), Breakdown("municipality", "SV-MO"),
              Breakdown("municipality", "SV-SS")]


def nonzero(values: dict) -> dict:
    return {unit: {k: v for k, v in keys.items() if v} for unit, keys in values.items()
            if any(keys.values())}


def manager() -> User:
    return db.session.scalar(select(User).where(User.username == "manager.sv"))


def stored_and_direct(breakdown: Breakdown, period: Period, today: date = TODAY) -> tuple:
    """(values, trend, exit reasons) from the stored cells, then from the base tables."""
    user, quarters = manager(), period.quarters_back(8)
    municipalities = scoped_municipalities(user, breakdown)
    aggregates.refresh(municipalities, [period, *quarters], today)
    stored = aggregates.read(municipalities, breakdown.level, period)
    direct = compute(user, breakdown, period, today)
    return ((nonzero(stored), aggregates.read_trend(municipalities, quarters), exit_reasons(stored)),
            (nonzero(direct), trend(user, breakdown, quarters, today), exit_reasons(direct)))


def assert_all_equal(today: date = TODAY) -> None:
    for breakdown in BREAKDOWNS:
        # Both fiscal years named FY2026 (October and January starts) have cells of their own.
        for period in (Q1, YEAR, FY, Period.fiscal_year(2026, 1), Period.quarter(2025, 3)):
            stored, direct = stored_and_direct(breakdown, period, today)
            assert stored == direct, (breakdown, period.label)
    db.session.commit()


@pytest.mark.usefixtures("dataset")
def test_stored_cells_equal_the_base_table_sql(app):
    with app.app_context():
        assert_all_equal()
        values = aggregates.read(scoped_municipalities(manager(), BREAKDOWNS[2]), "municipality", Q1)
        assert values["SV-MO-001"]["referred"] == 7 and values["SV-MO-001"]["graduates"] == 17  # not vacuous


@pytest.mark.usefixtures("dataset")
def test_a_second_read_recomputes_nothing(app):
    with app.app_context():
        municipalities = scoped_municipalities(manager(), BREAKDOWNS[0])
        db.session.execute(delete(SummaryValue))
        db.session.execute(delete(SummaryCell))  # forget what the refresh job of the data set stored
        assert aggregates.refresh(municipalities, [Q1, YEAR], TODAY) > 0
        db.session.commit()
        assert aggregates.refresh(municipalities, [Q1, YEAR], TODAY) == 0


@pytest.mark.usefixtures("dataset")
def test_refresh_command_computes_every_cell_then_forgets_the_log(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "refresh", "--since", "2025"])
    assert result.exit_code == 0 and "cells recomputed" in result.output
    with app.app_context():
        municipalities = scoped_municipalities(manager(), BREAKDOWNS[0])
        assert aggregates.refresh(municipalities, [Q1, YEAR, FY, Period.quarter(2025, 2)], TODAY) == 0
        assert db.session.scalar(select(func.count()).select_from(SummaryChange)) == 0
        assert_all_equal()


@pytest.mark.usefixtures("dataset")
def test_changes_through_the_app_keep_the_cells_equal(app):
    with app.app_context():
        assert_all_equal()
        girl = db.session.scalar(select(Youth).join(Enrollment).where(Youth.case_code.like("SV-TEST-%"),
                                                                     Enrollment.status == "active").limit(1))
        girl.statistics_consent_until = None  # consent withdrawn
        db.session.commit()
        assert_all_equal()
        boy = db.session.scalar(select(Youth).where(Youth.case_code.like("SV-TEST-%"), Youth.sex == "M").limit(1))
        boy.municipality_id = municipality("SV-MO-002").id  # moved
        program = db.session.scalar(select(Program).where(Program.name == "Programa de prueba"))
        db.session.add(Enrollment(youth_id=boy.id, program_id=program.id, start_on=date(2026, 2, 2), status="active",
                                  enrolled_by_id=boy.created_by_id))
        db.session.commit()
        assert_all_equal()
        meeting = db.session.scalar(select(PolicingSession).where(PolicingSession.kind == "community_meeting",
                                                                  PolicingSession.held_on == date(2026, 2, 5)))
        meeting.status = "cancelled"
        db.session.commit()
        assert_all_equal()


@pytest.mark.usefixtures("dataset")
def test_only_the_changed_municipality_is_recomputed(app):
    with app.app_context():
        municipalities = scoped_municipalities(manager(), BREAKDOWNS[0])
        aggregates.refresh(municipalities, [Q1, YEAR], TODAY)
        db.session.commit()
        youth = db.session.scalar(select(Youth).where(Youth.case_code.like("SV-TEST-%")).limit(1))
        youth.sex = "X"
        db.session.commit()
        assert aggregates.refresh(municipalities, [Q1, YEAR], TODAY) == 2  # one municipality, two periods
        youth.last_contact_on = date(2026, 3, 3)  # not counted anywhere: no cell goes stale
        db.session.commit()
        assert aggregates.refresh(municipalities, [Q1, YEAR], TODAY) == 0
        program = db.session.scalar(select(Program).where(Program.name == "Programa de prueba"))
        db.session.add(Enrollment(youth_id=youth.id, program_id=program.id, start_on=date(2026, 5, 4), status="active",
                                  enrolled_by_id=youth.created_by_id))
        db.session.commit()  # dated in May: the first quarter cannot change, the year can
        assert aggregates.refresh(municipalities, [Q1, YEAR], TODAY) == 1
        assert aggregates.refresh(municipalities, [Q1, YEAR], TODAY) == 0
        assert_all_equal()


@pytest.mark.usefixtures("dataset")
def test_consent_running_out_is_seen_the_next_day(app):
    with app.app_context():
        youth = db.session.scalar(select(Youth).where(Youth.case_code.like("SV-TEST-%")).limit(1))
        youth.statistics_consent_until = TODAY
        db.session.commit()
        assert_all_equal(TODAY)
        before = stored_and_direct(BREAKDOWNS[2], Q1, TODAY)[0][0]["SV-MO-001"]["referred"]
        tomorrow = TODAY + timedelta(days=1)
        assert_all_equal(tomorrow)  # no write happened: only the date moved
        after = stored_and_direct(BREAKDOWNS[2], Q1, tomorrow)[0][0]["SV-MO-001"]["referred"]
        assert after == before - 1
        cells = db.session.scalars(select(SummaryCell.consent_day).where(  # the cells these reads looked at
            SummaryCell.period == Q1.cell_key,
            SummaryCell.municipality_id.in_(scoped_municipalities(manager(), BREAKDOWNS[0]))).distinct()).all()
        assert cells == [tomorrow]


@pytest.mark.usefixtures("dataset")
def test_imported_sessions_mark_their_municipalities(app, tmp_path):
    with app.app_context():
        period = Period.quarter(2025, 1)  # the import rows are in March 2025
        municipalities = scoped_municipalities(manager(), BREAKDOWNS[0])
        aggregates.refresh(municipalities, [period], TODAY)
        db.session.commit()
        assert run(write(tmp_path, ROWS)).inserted == len(ROWS)
        db.session.commit()
        assert aggregates.refresh(municipalities, [period], TODAY) > 0
        stored = aggregates.read(municipalities, "country", period)["SV"]["sessions"]
        direct = compute(manager(), BREAKDOWNS[0], period, TODAY)["SV"]["sessions"]
        held = db.session.scalar(select(func.count()).select_from(PolicingSession).where(
            PolicingSession.status == "held", PolicingSession.held_on.between(period.start, period.end)))
        assert stored == direct == held


@pytest.mark.usefixtures("dataset")
@pytest.mark.parametrize("value", ["2026-T1", "2026", "FY2026"])
def test_the_page_shows_the_same_tables_from_cells_and_from_base_tables(app, monkeypatch, value):
    """The same fixed period, once from the stored cells and once with the
    page made to compute from the base tables: the same published tables."""
    from app.reports import routes
    from tests.conftest import login

    client = app.test_client()
    login(client, "manager.sv")
    url = f"/reports/?value={value}&level=municipality&parent=SV-MO"
    tables = [re.findall(r'<td class="num[^"]*">([^<]*)</td>', client.get(url).get_data(as_text=True))]
    monkeypatch.setattr(routes, "indicator_values", lambda breakdown, period, quarters, day: (
        compute(routes.current_user, breakdown, period, day), trend(routes.current_user, breakdown, quarters, day)))
    tables.append(re.findall(r'<td class="num[^"]*">([^<]*)</td>', client.get(url).get_data(as_text=True)))
    assert len(tables[0]) > 50 and tables[0] == tables[1]
    with app.app_context():  # a published count: Morazán Norte's attendance (18 + 12 + 4 + 17), perturbed
        north = compute(manager(), BREAKDOWNS[2], Period.quarter(2026, 1), TODAY)["SV-MO-001"]
        assert north["attendance"] == 51
        assert str(published(north["attendance"], north["attendance" + KEY])) in tables[0]


@pytest.mark.usefixtures("dataset")
def test_a_fiscal_year_equals_the_base_tables_over_its_dates_not_the_sum_of_its_quarters(app):
    with app.app_context():
        municipalities = scoped_municipalities(manager(), BREAKDOWNS[2])
        quarters = FY.quarters_back(4)
        aggregates.refresh(municipalities, [FY, *quarters], TODAY)
        stored = aggregates.read(municipalities, "municipality", FY)["SV-MO-001"]
        referred = db.session.scalar(select(func.count()).select_from(Youth).where(
            Youth.municipality_id == municipality("SV-MO-001").id, Youth.statistics_consent_until >= TODAY,
            Youth.referred_on.between(date(2025, 10, 1), date(2026, 9, 30))))
        assert stored["referred"] == referred == 9  # February's 7 and May's 2 (not the one without consent)
        assert nonzero({"u": stored}) == nonzero({"u": compute(manager(), BREAKDOWNS[2], FY, TODAY)["SV-MO-001"]})
        by_quarter = [aggregates.read(municipalities, "municipality", q)["SV-MO-001"] for q in quarters]
        assert sum(q["referred"] for q in by_quarter) == stored["referred"]  # counts of events add up...
        # ...youth active at the period's end do not: the four girls are active at the end of three quarters
        # (and a boy, who dropped out in March, at the end of 2025's).
        assert stored["active"] == 4 and sum(q["active"] for q in by_quarter) == 1 + 4 * 3
