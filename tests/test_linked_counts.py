"""Linked enrolled youth (issue #12, items 3 and 4): no police-, manager-,
admin- or auditor-visible response holds a per-session count of them; case
workers still see whom they linked; and the one published number of them,
the summary's "Enrolled youth at sessions", counts only youth who consent to
statistics, in the stored aggregates too."""

import re
from datetime import date

import pytest
from sqlalchemy import select, update

from app.accounts.models import User
from app.extensions import db
from app.geo.models import Municipality
from app.policing.models import Attendance, PolicingSession
from app.reports import aggregates
from app.reports.indicators import Breakdown, compute, scoped_municipalities
from app.youth.models import Youth
from tests.conftest import login
from tests.test_policing import latest_session_id, record_as
from tests.test_report_aggregates import YEAR, assert_all_equal, manager
from tests.test_reports import Q1, TODAY, dataset  # noqa: F401  (the hand-built data set)
from tests.youth_helpers import post

# What the pages used to say, in both languages, and any wording of such a count.
COUNT_WORDS = ("enrolled youth", "youth linked", "inscritos asistieron", "inscripción asistió", "jóvenes inscritos",
               "vinculados")
CSV_WORDS = ("enrolled", "linked", "youth", "inscrit", "vincul", "jóvenes")


@pytest.fixture
def linked_session(app):
    """A session of police.sv with two enrolled youth of worker.sv linked through
    the app, and one youth of another country linked behind everyone's back."""
    record_as(app, "police.sv")
    sid = latest_session_id(app)
    worker = app.test_client()
    login(worker, "worker.sv")
    with app.app_context():
        enrolled = db.session.scalars(select(Youth).join(User, User.id == Youth.assigned_worker_id).where(
            User.username == "worker.sv", Youth.status.in_(("enrolled", "active"))).order_by(Youth.id).limit(2)).all()
        codes = [y.case_code for y in enrolled]
        outsider = db.session.scalar(select(Youth).where(Youth.case_code.like("HN-%")).limit(1))
        db.session.add(Attendance(session_id=sid, youth_id=outsider.id, linked_by_id=outsider.created_by_id))
        held_on = db.session.get(PolicingSession, sid).held_on
        db.session.commit()
        outsider_code = outsider.case_code
    for code in codes:
        post(worker, f"/sessions/{sid}/attendance", {"code": code}, form_url=f"/sessions/{sid}")
    with app.app_context():
        assert len(db.session.scalars(select(Attendance).where(Attendance.session_id == sid)).all()) == 3
    return {"id": sid, "codes": codes, "outsider": outsider_code, "month": held_on.strftime("%Y-%m")}


def session_urls(client, linked: dict) -> list[str]:
    urls = ["/sessions/", f"/sessions/{linked['id']}", f"/sessions/calendar?month={linked['month']}",
            "/sessions/cohorts", "/sessions/export.csv"]
    classes = client.get("/sessions/cohorts")
    urls += sorted(set(re.findall(r'href="(/sessions/cohorts/\d+)"', classes.get_data(as_text=True))))[:3]
    return urls


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("username", ["police.sv", "manager.sv", "admin", "auditor"])
def test_no_session_response_counts_linked_youth(app, linked_session, username, language):
    with app.app_context():
        db.session.execute(update(User).where(User.username == username).values(locale=language))
        db.session.commit()
    client = app.test_client()
    login(client, username)
    seen = 0
    for url in session_urls(client, linked_session):
        response = client.get(url)
        body = response.get_data(as_text=True)
        response.close()
        if username in ("admin", "auditor"):
            assert response.status_code == 403, url  # no session page at all
            continue
        assert response.status_code == 200, url
        seen += 1
        lowered = body.lower()
        assert not any(word in lowered for word in COUNT_WORDS), (url, [w for w in COUNT_WORDS if w in lowered])
        assert not any(code in body for code in (*linked_session["codes"], linked_session["outsider"])), url
        if url.endswith(".csv"):
            header = body.splitlines()[0].lower()
            assert not any(word in header for word in CSV_WORDS), header
            assert len(body.splitlines()) > 1  # the session itself is exported, without its links
    if username in ("police.sv", "manager.sv"):
        assert seen >= 6  # list, session, calendar, classes, export and at least one class


def test_case_workers_still_see_whom_they_linked(app, linked_session):
    sid = linked_session["id"]
    for username in ("worker.sv", "coord.sv"):
        client = app.test_client()
        login(client, username)
        body = client.get(f"/sessions/{sid}").get_data(as_text=True)
        assert all(code in body for code in linked_session["codes"]), username
        assert linked_session["outsider"] not in body, username  # outside their scope: neither shown nor counted
        lowered = body.lower()
        assert not any(word in lowered for word in ("enrolled youth attended", "youth linked", "inscritos asistieron",
                                                    "inscripción asistió", "vinculados")), username
        casework = client.get(f"/cases/{linked_session['codes'][0]}/casework").get_data(as_text=True)
        assert f'href="/sessions/{sid}"' in casework, username


def link_dataset_youth() -> None:
    """The consenting youth of Morazán Norte (4 girls, 3 boys) and the one who
    did not consent at a G.R.E.A.T. lesson in February; one boy referred in
    May only at a cancelled meeting; Morazán Sur's two girls at the same
    lesson (counted in Morazán Sur, their own municipality)."""
    lesson = db.session.scalar(select(PolicingSession).where(PolicingSession.held_on == date(2026, 2, 12)))
    cancelled = db.session.scalar(select(PolicingSession).where(PolicingSession.status == "cancelled",
                                                                PolicingSession.held_on == date(2026, 2, 26)))
    test_youth = db.session.scalars(select(Youth).where(Youth.case_code.like("SV-TEST-%")).order_by(Youth.id)).all()
    in_a = [y for y in test_youth if y.municipality.code == "SV-MO-001"]
    in_b = [y for y in test_youth if y.municipality.code == "SV-MO-002"]
    february = [y for y in in_a if y.referred_on < date(2026, 4, 1)]
    may = [y for y in in_a if y.referred_on >= date(2026, 4, 1)]
    assert (len(february), len(may), len(in_b)) == (8, 2, 2)
    for youth in (*february, *in_b):
        db.session.add(Attendance(session_id=lesson.id, youth_id=youth.id, linked_by_id=youth.created_by_id))
    db.session.add(Attendance(session_id=cancelled.id, youth_id=may[0].id, linked_by_id=may[0].created_by_id))
    db.session.commit()


def at_sessions(today: date = TODAY) -> dict[str, float]:
    values = compute(manager(), Breakdown("municipality", "SV-MO"), Q1, today)
    return {unit: values[unit].get("youth_at_sessions", 0) for unit in ("SV-MO-001", "SV-MO-002")}


def withdraw_one() -> None:
    girl = db.session.scalar(select(Youth).join(Youth.municipality).where(
        Youth.case_code.like("SV-TEST-%"), Youth.sex == "F", Municipality.code == "SV-MO-001").order_by(Youth.id).limit(1))
    girl.statistics_consent_until = None  # consent to statistics withdrawn
    db.session.commit()


@pytest.mark.usefixtures("dataset")
def test_the_indicator_counts_only_consenting_youth_at_sessions_held(app):
    with app.app_context():
        assert at_sessions() == {"SV-MO-001": 0, "SV-MO-002": 0}
        link_dataset_youth()
        # 7 of the 8 linked in Morazán Norte consent; the cancelled meeting counts for nobody.
        assert at_sessions() == {"SV-MO-001": 7, "SV-MO-002": 2}
        withdraw_one()
        assert at_sessions() == {"SV-MO-001": 6, "SV-MO-002": 2}


def stored_at_sessions() -> tuple[int, dict]:
    """(cells recomputed, unit -> stored value) for the first quarter and the year."""
    municipalities = scoped_municipalities(manager(), Breakdown("municipality", "SV-MO"))
    recomputed = aggregates.refresh(municipalities, [Q1, YEAR], TODAY)
    values = aggregates.read(municipalities, "municipality", Q1)
    db.session.commit()
    return recomputed, {u: values[u].get("youth_at_sessions", 0) for u in ("SV-MO-001", "SV-MO-002")}


@pytest.mark.usefixtures("dataset")
def test_links_sessions_and_consent_make_the_stored_cells_stale(app):
    with app.app_context():
        assert stored_at_sessions()[1] == {"SV-MO-001": 0, "SV-MO-002": 0}
        assert stored_at_sessions()[0] == 0
        link_dataset_youth()  # links made: both municipalities' cells are stale
        assert stored_at_sessions() == (4, {"SV-MO-001": 7, "SV-MO-002": 2})
        withdraw_one()
        recomputed, stored = stored_at_sessions()
        assert recomputed == 2 and stored == {"SV-MO-001": 6, "SV-MO-002": 2} == at_sessions()
        assert_all_equal()
        lesson = db.session.scalar(select(PolicingSession).where(PolicingSession.held_on == date(2026, 2, 12)))
        lesson.status = "cancelled"  # a session of Morazán Norte: Morazán Sur's linked youth move too
        db.session.commit()
        assert stored_at_sessions() == (4, {"SV-MO-001": 0, "SV-MO-002": 0})
        assert_all_equal()
        link = db.session.scalar(select(Attendance).join(Youth).where(Youth.case_code.like("SV-TEST-%")).limit(1))
        db.session.delete(link)  # unlinking reaches the youth's municipality as well
        db.session.commit()
        assert stored_at_sessions()[0] > 0


@pytest.mark.usefixtures("dataset")
def test_the_summary_and_definitions_name_the_indicator(app):
    client = app.test_client()
    login(client, "manager.sv")
    body = client.get("/reports/?period=quarter&value=2026-T1&level=municipality&parent=SV-MO").get_data(as_text=True)
    assert "Jóvenes inscritos en sesiones" in body
    definitions = client.get("/reports/definitions").get_data(as_text=True)
    assert "Jóvenes inscritos en sesiones" in definitions and "consienten" in definitions
