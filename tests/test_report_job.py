"""Summary pages only read (issue #14): the refresh job is the only writer of
the stored releases, and the page says as of when its data is."""

import re
from datetime import date

import pytest
from sqlalchemy import delete, event, func, select

from app.extensions import db
from app.reports.jobs import data_as_of, refresh_releases, releases
from app.reports.models import SummaryCell, SummaryRefresh, SummaryValue
from app.reports.periods import Period, offered
from app.youth.models import Youth
from tests.conftest import login, post_form, refresh_summaries
from tests.test_reports import dataset  # noqa: F401  (the hand-built data set)

PAGE = "/reports/?value=2026-T1&level=municipality&parent=SV-MO"


class Statements:
    """Every SQL statement the engine runs while open."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args):
        self.seen.append(statement)


def english(client):
    login(client, "manager.sv")
    post_form(client, "/language", {"locale": "en"}, form_url="/auth/password")


def referred_north(body: str) -> str:
    row = re.search(r'id="h-youth".*?Morazán Norte</th>(.*?)</tr>', body, re.S).group(1)
    return re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)[0]


@pytest.mark.usefixtures("dataset")
def test_the_summary_page_writes_no_summary_table(app):
    client = app.test_client()
    english(client)
    with app.app_context():
        engine = db.engine
        db.session.execute(delete(SummaryValue))
        db.session.execute(delete(SummaryCell))  # even with nothing stored (after a bulk load): nothing computed
        db.session.commit()
    for url in (PAGE, "/reports/export.csv?value=2026-T1", "/reports/?value=2026&level=country"):
        with Statements(engine) as statements:
            assert client.get(url).status_code == 200
        writes = [s for s in statements.seen if re.match(r"\s*(INSERT|UPDATE|DELETE)", s, re.I)]
        assert statements.seen and all("audit_" in s for s in writes), writes  # the audit event only
        assert not any("summary_" in s for s in writes)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SummaryCell)) == 0


@pytest.mark.usefixtures("dataset")
def test_a_change_shows_after_the_job_runs_and_the_page_says_as_of_when(app):
    client = app.test_client()
    english(client)
    before = client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        as_of = data_as_of()
        assert as_of is not None
        assert db.session.scalar(select(func.count()).select_from(SummaryRefresh)) >= 2  # template + data set
    assert "Data as of" in before
    with app.app_context():  # seven more youth referred in Morazán Norte in 2026-Q1
        from tests.test_reports import make_youth, municipality

        make_youth(7, municipality("SV-MO-001"), referred=date(2026, 2, 3))
        db.session.commit()
    assert referred_north(client.get(PAGE).get_data(as_text=True)) == referred_north(before)  # not yet counted
    refresh_summaries(app)
    after = client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        counted = db.session.scalar(select(func.count()).select_from(Youth).where(
            Youth.municipality_id == municipality("SV-MO-001").id, Youth.referred_on.between(date(2026, 1, 1),
                                                                                            date(2026, 3, 31)),
            Youth.statistics_consent_until.is_not(None)))
        assert counted == 14
        assert data_as_of() > as_of
    assert int(referred_north(after)) >= 11  # 14, perturbed by at most 3


def test_before_the_first_refresh_the_page_says_so(app):
    with app.app_context():
        db.session.execute(delete(SummaryRefresh))
        db.session.commit()
    client = app.test_client()
    english(client)
    body = client.get("/reports/").get_data(as_text=True)
    assert "have not been computed yet" in body and "Data as of" not in body
    csv = client.get("/reports/export.csv").get_data(as_text=True)
    assert "Data as of,not computed yet" in csv


def test_the_job_covers_every_period_offered_and_their_trends(app, today):
    with app.app_context():
        keys = {p.cell_key for p in releases(None)}
        for period in offered(today):
            assert {period.cell_key, *(q.cell_key for q in period.quarters_back(8, until=today))} <= keys
        assert Period.year(today.year - 2).cell_key in keys
        run = refresh_releases()
        assert run.cells == 0  # the template's job left everything current
        assert data_as_of() == run.started_at.replace(tzinfo=data_as_of().tzinfo)
