"""Outcome summaries: indicators against a hand-built data set, published
(perturbed) cells, scope, exports, and no personal data for managers."""

import io
import itertools
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.accounts.models import Organization, User
from app.accounts.services import create_user
from app.extensions import db
from app.geo.models import Municipality
from app.policing.models import GreatCohort, PolicingSession
from app.programs.models import Enrollment, Program
from app.reports.indicators import KEY, Breakdown, compute
from app.reports.periods import Period
from app.reports.summary import published
from app.screening.models import Screening
from app.youth.models import FOREVER, Youth
from app.youth.services import set_identity
from tests.conftest import login, refresh_summaries

CODES = itertools.count(1)
Q1 = Period.quarter(2026, 1)  # 2026-01-01 .. 2026-03-31
TODAY = date(2026, 11, 29)


def municipality(code: str) -> Municipality:
    return db.session.scalar(select(Municipality).where(Municipality.code == code))


def make_youth(n: int, muni: Municipality, *, sex="F", born=2011, referred=date(2026, 2, 1), consent=True,
               school="enrolled", work="not_working") -> list[Youth]:
    org = db.session.scalar(select(Organization).where(Organization.name == "Fundación Senderos"))
    worker = db.session.scalar(select(User).where(User.username == "worker.sv"))
    made = []
    for i in range(n):
        youth = Youth(case_code=f"SV-TEST-{next(CODES):04d}",
                      organization_id=org.id, municipality_id=muni.id, assigned_worker_id=worker.id,
                      created_by_id=worker.id, sex=sex, school_status=school, work_status=work,
                      referral_source="school", status="referred", referred_on=referred, version=1,
                      statistics_consent_until=FOREVER if consent else None)
        set_identity(youth, f"Prueba{i}", "Reporte", None, date(born, 6, 1))
        db.session.add(youth)
        made.append(youth)
    db.session.flush()
    return made


def screen(youth: Youth, on: date, kind: str, level: str, scales: int) -> None:
    instrument = db.session.scalar(select(Screening.instrument_id).limit(1))
    db.session.add(Screening(youth_id=youth.id, instrument_id=instrument, screened_on=on, kind=kind, answers={},
                             scale_scores={}, scales_at_threshold=scales, gang_involvement=False,
                             justice_contact=False, level=level, reason="test", screened_by_id=youth.created_by_id))


@pytest.fixture
def dataset(app):
    """Morazán Norte (A) and Morazán Sur (B), where the demo data has nothing."""
    with app.app_context():
        a, b = municipality("SV-MO-001"), municipality("SV-MO-002")
        program = Program(organization_id=db.session.scalar(select(Organization.id).where(
            Organization.name == "Fundación Senderos")), name="Programa de prueba", level="secondary", kind="outreach_center")
        db.session.add(program)
        db.session.flush()
        girls = make_youth(4, a, sex="F", born=2012)  # 13-14 in 2026
        boys = make_youth(3, a, sex="M", born=2010)  # 16
        make_youth(2, b, sex="F", born=2009)  # 17
        make_youth(1, a, sex="M", born=2010, consent=False)  # withdrew consent to statistics: never counted
        make_youth(2, a, sex="M", born=2010, referred=date(2026, 5, 1))  # outside the period
        for youth in girls + boys:
            screen(youth, date(2026, 2, 10), "baseline", "secondary" if youth in girls else "primary",
                   5 if youth in girls else 1)
        for youth in girls:
            db.session.add(Enrollment(youth_id=youth.id, program_id=program.id, start_on=date(2026, 3, 1),
                                      status="active", enrolled_by_id=youth.created_by_id))
        enrollment_old = Enrollment(youth_id=boys[0].id, program_id=program.id, start_on=date(2025, 8, 1),
                                    end_on=date(2026, 3, 15), status="dropped", exit_reason="lost_contact",
                                    enrolled_by_id=boys[0].created_by_id)
        db.session.add(enrollment_old)
        screen(girls[0], date(2026, 3, 20), "reassessment", "primary", 2)  # 38 days after baseline: on time
        unit = db.session.scalar(select(Organization.id).where(Organization.kind == "police_unit"))
        for day, kind, f, m in ((5, "community_meeting", 10, 8), (12, "great_lesson", 6, 6), (19, "school_visit", 3, 1)):
            db.session.add(PolicingSession(held_at=datetime(2026, 2, day, 9), held_on=date(2026, 2, day), municipality_id=a.id,
                                           venue="school", school_name="Escuela", kind=kind, police_unit_id=unit,
                                           female=f, male=m, age_12_14=f + m, status="held"))
        db.session.add(PolicingSession(held_at=datetime(2026, 2, 26, 9), held_on=date(2026, 2, 26), municipality_id=a.id,
                                       venue="other", kind="community_meeting", police_unit_id=unit, female=50,
                                       age_25_plus=50, status="cancelled"))
        cohort = GreatCohort(municipality_id=a.id, school_name="Escuela", class_name="6A", curriculum="elementary",
                             police_unit_id=unit, started_on=date(2026, 1, 5), graduated_on=date(2026, 3, 30),
                             created_by_id=1)
        db.session.add(cohort)
        db.session.flush()
        db.session.add(PolicingSession(held_at=datetime(2026, 3, 30, 9), held_on=date(2026, 3, 30), municipality_id=a.id,
                                       venue="school", school_name="Escuela", kind="great_lesson", curriculum="elementary",
                                       lesson_number=6, cohort_id=cohort.id, police_unit_id=unit, female=9, male=8,
                                       age_12_14=17, status="held"))
        db.session.commit()
    refresh_summaries(app)
    return {"A": "SV-MO-001", "B": "SV-MO-002"}


def values_for(app, username="manager.sv", parent="SV-MO"):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return compute(user, Breakdown("municipality", parent), Q1, TODAY)


def test_indicators_match_the_hand_built_data(app, dataset):
    values = values_for(app)
    a, b = values["SV-MO-001"], values["SV-MO-002"]
    assert (a["referred"], a["referred_f"], a["referred_m"], a["referred_x"]) == (7, 4, 3, 0)
    assert (a["age_12_14"], a["age_15_17"]) == (4, 3)
    assert (a["screened"], a["level_primary"], a["level_secondary"], a["level_tertiary"]) == (7, 3, 4, 0)
    assert (a["enrolled"], a["active"]) == (4, 4)
    assert (a["exits"], a["dropped"], a["completed"]) == (1, 1, 0)
    assert (a["reassessed"], a["on_time"], a["risk_youth"]) == (1, 1, 1)
    assert (a["scales_baseline_sum"], a["scales_latest_sum"]) == (5, 2)
    assert (a["secondary_baseline"], a["no_longer_eligible"]) == (1, 1)
    assert (a["sessions"], a["s_community_meeting"], a["s_great_lesson"], a["s_school_visit"]) == (4, 1, 2, 1)
    assert (a["attendance"], a["attendance_f"], a["attendance_m"]) == (18 + 12 + 4 + 17, 28, 23)
    assert (a["cohorts_completed"], a["graduates"]) == (1, 17)
    assert (b["referred"], b["referred_f"]) == (2, 2)


def test_withdrawing_consent_removes_a_youth_from_every_summary(app, dataset):
    before = values_for(app)["SV-MO-001"]
    with app.app_context():
        girl = db.session.scalar(select(Youth).join(Enrollment).where(Youth.case_code.like("SV-TEST-%"),
                                                                     Enrollment.status == "active").limit(1))
        girl.statistics_consent_until = None
        db.session.commit()
    after = values_for(app)["SV-MO-001"]
    assert after["referred"] == before["referred"] - 1
    assert after["enrolled"] == before["enrolled"] - 1 and after["screened"] == before["screened"] - 1


def test_manager_scope_excludes_other_municipalities(app, dataset):
    with app.app_context():
        org = db.session.scalar(select(Organization).where(Organization.name == "Fundación Senderos"))
        create_user(username="manager.mo", full_name="Gerente Morazán", email=None, role="ngo_manager",
                    organization=org, scope_codes=["SV-MO-002"], password="una frase muy larga 2026")
        db.session.commit()
    values = values_for(app, "manager.mo")
    assert set(values) <= {"SV-MO-002"} and values["SV-MO-002"]["referred"] == 2
    client = app.test_client()
    login(client, "manager.mo", "una frase muy larga 2026")
    body = client.get("/reports/?period=quarter&value=2026-T1&level=municipality&parent=SV-MO").get_data(as_text=True)
    assert "Morazán Sur" in body and "Morazán Norte" not in body


def test_page_and_exports_show_the_same_published_numbers(app, dataset):
    with app.app_context():
        south = values_for(app)["SV-MO-002"]
        assert south["referred"] == 2
        referred = published(south["referred"], south["referred" + KEY])
        assert referred in (0, 3, 4)  # the ptable never publishes 1 or 2
    client = app.test_client()
    login(client, "manager.sv")
    args = "period=quarter&value=2026-T1&level=municipality&parent=SV-MO"
    page = client.get(f"/reports/?{args}").get_data(as_text=True)
    row = re.search(r'Morazán Norte</th>(.*?)</tr>', page, re.S).group(1)
    page_cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    small = re.search(r'Morazán Sur</th>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num[^"]*">([^<]*)</td>', small)[0] == ("0" if referred == 0 else "&lt;5")
    response = client.get(f"/reports/export.xlsx?{args}")
    book = load_workbook(io.BytesIO(response.data))
    rows = [[c for c in r] for r in book.active.iter_rows(values_only=True)]
    north = next(r for r in rows if r and r[0] == "Morazán Norte")
    assert [str(c) for c in north[1:len(page_cells) + 1]] == [c.replace("&lt;", "<") for c in page_cells]
    csv = client.get(f"/reports/export.csv?{args}").get_data(as_text=True)
    assert "Morazán Norte," + ",".join(str(c) for c in north[1:4]) in csv
    assert "2026-T1" in csv and "Generado" in csv or "Generated" in csv
    with app.app_context():
        from app.audit.models import AuditEvent

        assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "reports.export")).startswith("format=xlsx")


def test_no_published_count_is_between_1_and_4(app, dataset):
    client = app.test_client()
    login(client, "manager.sv")
    for level, parent in (("country", ""), ("department", "SV"), ("municipality", "SV-MO"), ("municipality", "SV-SS")):
        page = client.get(f"/reports/?period=year&value=2026&level={level}&parent={parent}").get_data(as_text=True)
        counts = re.findall(r'<td class="num count[^"]*">([0-9.\s]+)</td>', page)
        assert counts, (level, parent)
        assert all(not (0 < int(n.replace(".", "").replace("\xa0", "")) < 5) for n in counts), (level, parent)


# --- privacy and languages ------------------------------------------------------


def crawl(client, start: str, limit: int = 80) -> dict[str, str]:
    seen, queue, bodies = set(), [start], {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        body = response.get_data(as_text=True) if response.mimetype.startswith("text") else repr(response.data)
        response.close()
        bodies[url] = body
        for link in re.findall(r'href="(/[^"#]*)"', body):
            link = link.replace("&amp;", "&")
            if not link.startswith("/static") and link not in seen:
                queue.append(link)
    return bodies


def test_manager_never_receives_personal_data(app, dataset):
    with app.app_context():
        youth = db.session.scalars(select(Youth)).all()
        secrets = {y.case_code for y in youth} | {y.family_name_1 for y in youth if y.family_name_1 != "Reporte"}
        secrets |= {y.given_names for y in youth} | {y.birth_date.isoformat() for y in youth}
    client = app.test_client()
    login(client, "manager.sv")
    bodies = crawl(client, "/")
    bodies.update(crawl(client, "/reports/?period=year&value=2026&level=municipality&parent=SV-SS", 30))
    bodies["/reports/export.csv"] = client.get("/reports/export.csv?period=year&value=2026").get_data(as_text=True)
    assert len(bodies) > 10
    leaks = [(url, s) for url, body in bodies.items() for s in secrets if s and s in body]
    assert leaks == []
    for url in ("/cases/", "/cases/SV-DEMO-0010", "/audit/"):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("language, expected", [("es", "Resumen de resultados"), ("en", "Outcome summary")])
def test_every_summary_page_in_both_languages(app, dataset, language, expected):
    client = app.test_client()
    login(client, "manager.sv")
    from tests.conftest import post_form

    post_form(client, "/language", {"locale": language}, form_url="/auth/password")
    for url in ("/reports/", "/reports/?period=year&value=2026&level=department&parent=SV", "/reports/definitions"):
        body = client.get(url).get_data(as_text=True)
        assert re.search(f'<html lang="{language}(-[A-Z]{{2}})?">', body), url
    assert expected in client.get("/reports/").get_data(as_text=True)


def test_summary_uses_a_fixed_number_of_queries(app, dataset):
    from tests.youth_helpers import QueryCounter

    client = app.test_client()
    login(client, "manager.sv")
    with app.app_context():
        engine = db.engine
    counts = []
    for args in ("level=municipality&parent=SV-MO", "level=department&parent=SV"):  # 2 units vs 14 units
        client.get(f"/reports/?period=year&value=2026&{args}")  # computes the stored cells it lacks
        with QueryCounter(engine) as counter:
            assert client.get(f"/reports/?period=year&value=2026&{args}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
