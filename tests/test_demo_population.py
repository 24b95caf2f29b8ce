"""The generated demo population (app/demo/population.py) that `flask demo
load` adds to the hand-built demo: its size and places, realistic contents,
record keys, sealed identifiers, determinism, idempotence, and a manager's
summary page full of numbers rather than "<5"."""

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app import create_app
from app.audit.models import AuditEvent
from app.casework.models import FollowUp
from app.dates import local_today
from app.demo.population import SIZE, case_bodies, load_population
from app.extensions import db
from app.geo.models import Department, Municipality
from app.policing.models import Attendance, PolicingSession
from app.programs.models import Enrollment
from app.record_keys import KEYED_TABLES
from app.reports.periods import Period
from app.screening.models import Screening
from app.youth.models import Consent, Youth
from tests.conftest import PG_URL, login, make_config, refresh_summaries, reset_postgres

COUNTED_CELL = re.compile(r'<td class="num count[^"]*">([0-9.,\s\xa0]+)</td>')


@pytest.fixture(scope="module")
def populated_file(template_url, tmp_path_factory) -> Path | None:
    """On SQLite, a copy of the template database with the population loaded once (tests copy it)."""
    if PG_URL:
        return None
    path = tmp_path_factory.mktemp("population") / "populated.db"
    shutil.copyfile(Path(template_url.removeprefix("sqlite:///")), path)
    load_into(f"sqlite:///{path}")
    return path


def load_into(url: str) -> int:
    app = create_app(make_config(url))
    with app.app_context():
        made = load_population(local_today())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return made


def fresh_database(tmp_path, template_url, name: str) -> str:
    """A database holding the hand-built demo only (PostgreSQL: reset to its snapshot)."""
    if PG_URL:
        reset_postgres(PG_URL)
        return PG_URL
    target = tmp_path / name
    shutil.copyfile(Path(template_url.removeprefix("sqlite:///")), target)
    return f"sqlite:///{target}"


@pytest.fixture
def populated(populated_file, template_url, tmp_path):
    """An app whose database holds the hand-built demo and the population."""
    if PG_URL:
        url = fresh_database(tmp_path, template_url, "unused")
        load_into(url)
    else:
        target = tmp_path / "senda.db"
        shutil.copyfile(populated_file, target)
        url = f"sqlite:///{target}"
    app = create_app(make_config(url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def population() -> list[Youth]:
    codes = [f"{country}-{body}" for body in case_bodies() for country in ("SV", "HN")]
    found = []
    for start in range(0, len(codes), 500):
        found += db.session.scalars(select(Youth).where(Youth.case_code.in_(codes[start:start + 500]))).all()
    return found


def test_population_is_about_2000_youth_over_ten_or_more_municipalities_of_both_countries(populated):
    youth = population()
    assert 1500 <= len(youth) <= 2500 and len(youth) == SIZE
    places = set(db.session.execute(select(Municipality.code, Department.country_code)
                                    .join(Department, Department.id == Municipality.department_id)
                                    .where(Municipality.id.in_({y.municipality_id for y in youth}))).all())
    assert len(places) >= 10 and {country for _, country in places} == {"SV", "HN"}
    assert all(y.case_code[:2] == country for y in youth for code, country in places
               if code == y.municipality.code)
    today = local_today()
    assert all(today - timedelta(days=731) <= y.referred_on <= today for y in youth)
    assert all(10 <= y.age_on(y.referred_on) <= 24 for y in youth)
    sexes = {sex: sum(y.sex == sex for y in youth) for sex in "FMX"}
    assert sexes["F"] > 600 and sexes["M"] > 600
    statuses = {y.status for y in youth}
    assert {"referred", "screened", "active", "completed", "dropped", "closed"} <= statuses


def test_population_has_consent_screenings_enrollments_follow_ups_and_sessions(populated):
    youth = population()
    ids = [y.id for y in youth]
    today = local_today()
    counted = sum(1 for y in youth if y.statistics_consent_until and y.statistics_consent_until >= today)
    assert 0.7 * len(ids) < counted < 0.95 * len(ids)  # most, not all
    first = min(ids)
    withdrawn = db.session.scalar(select(func.count()).where(Consent.youth_id >= first, Consent.purpose == "statistics",
                                                             Consent.withdrawn_on.is_not(None)))
    assert 10 <= withdrawn <= 0.15 * len(ids)
    levels = dict(db.session.execute(select(Screening.level, func.count()).where(
        Screening.youth_id >= first, Screening.kind == "baseline").group_by(Screening.level)).all())
    assert set(levels) == {"primary", "secondary", "tertiary"} and min(levels.values()) >= 20
    reassessments = db.session.scalar(select(func.count()).where(Screening.youth_id >= first,
                                                                 Screening.kind == "reassessment"))
    assert reassessments >= 200
    outcomes = dict(db.session.execute(select(Enrollment.status, func.count()).where(Enrollment.youth_id >= first)
                                       .group_by(Enrollment.status)).all())
    assert min(outcomes.get(s, 0) for s in ("active", "completed", "dropped")) >= 100
    assert not db.session.scalar(select(func.count()).where(Enrollment.youth_id >= first, Enrollment.status != "active",
                                                            Enrollment.exit_reason.is_(None)))
    follow_ups = db.session.execute(select(FollowUp).where(FollowUp.youth_id >= first)).scalars().all()
    assert len(follow_ups) >= 500 and any(f.new_justice_contact for f in follow_ups) and any(f.in_school for f in follow_ups)
    assert any(f.screening_id for f in follow_ups) and any(f.working for f in follow_ups)
    sessions = db.session.scalars(select(PolicingSession)).all()
    assert len(sessions) >= 400
    assert all(s.female + s.male + s.sex_not_recorded == s.under_12 + s.age_12_14 + s.age_15_17 + s.age_18_24
               + s.age_25_plus for s in sessions)
    links = db.session.scalar(select(func.count()).select_from(Attendance).where(Attendance.youth_id >= first))
    assert links >= 100


def test_every_counted_row_has_a_record_key(populated):
    for table in KEYED_TABLES:
        total, keyed = db.session.execute(text(
            f"SELECT count(*), sum(CASE WHEN record_key BETWEEN 1 AND 255 THEN 1 ELSE 0 END) FROM {table}")).one()
        assert total > 0 and keyed == total, table
    keys = db.session.scalars(select(Youth.record_key).where(Youth.id >= min(y.id for y in population()))).all()
    assert len(set(keys)) > 200  # drawn, not a constant


def test_identifiers_are_sealed_not_plaintext(populated):
    youth = population()[:50]
    for person in youth:
        raw = db.session.execute(text("SELECT given_names, family_name_1, birth_date, guardian_name FROM youth "
                                      "WHERE id = :id"), {"id": person.id}).one()
        assert person.given_names and person.family_name_1  # the app opens them
        for blob, plain in zip(raw, (person.given_names, person.family_name_1, person.birth_date.isoformat(),
                                     person.guardian_name), strict=True):
            assert plain is None or plain.encode() not in bytes(blob)
        assert person.id in db.session.scalars(select(Youth.id).where(
            Youth.short_name_bidx == person.short_name_bidx)).all()
    from app.security.crypto import blind_index

    person = youth[0]
    assert person.short_name_bidx == blind_index(f"{person.given_names} {person.family_name_1}")
    assert person.birth_bidx == blind_index(person.birth_date.isoformat())


def attributes(url: str) -> list[tuple]:
    app = create_app(make_config(url))
    with app.app_context():
        rows = sorted((y.case_code, y.given_names, y.family_name_1, y.family_name_2, y.birth_date, y.sex,
                       y.municipality.code, y.referred_on, y.status, y.statistics_consent_until, y.guardian_name,
                       y.community) for y in population())
        db.session.remove()
        db.engine.dispose()
    return rows


def test_loading_is_deterministic(populated_file, template_url, tmp_path):
    """Two loads into two databases (on PostgreSQL, one after the other) make the same youth."""
    if PG_URL:
        first = fresh_database(tmp_path, template_url, "unused")
        assert load_into(first) == SIZE
    else:
        first = f"sqlite:///{populated_file}"
    loaded = attributes(first)
    second = fresh_database(tmp_path, template_url, "second.db")
    assert attributes(second) == []
    assert load_into(second) == SIZE
    assert attributes(second) == loaded and len(loaded) == SIZE


def test_flask_demo_load_adds_the_population_once(app, runner):
    counts = "SELECT (SELECT count(*) FROM youth), (SELECT count(*) FROM screenings), " \
             "(SELECT count(*) FROM policing_sessions), (SELECT count(*) FROM session_attendance), " \
             "(SELECT count(*) FROM user_scopes), (SELECT count(*) FROM organization_municipalities)"
    with app.app_context():
        before = db.session.execute(text(counts)).one()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        after = db.session.execute(text(counts)).one()
    assert after[0] == before[0] + SIZE and after[2] > before[2] and after[3] > before[3]
    assert after[4] > before[4] and after[5] > before[5]  # the new municipalities joined the coverage
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        assert db.session.execute(text(counts)).one() == after
        events = db.session.execute(select(AuditEvent.action, AuditEvent.detail)
                                    .where(AuditEvent.action.in_(("demo.population", "user.scope_change")))).all()
    assert ("demo.population", f"youth={SIZE};sessions=300") in events
    assert sum(action == "user.scope_change" for action, _ in events) == 5  # coord, worker, worker2, police, worker.hn


def last_complete_quarter(today: date) -> Period:
    number = (today.month - 1) // 3  # the quarter before today's
    return Period.quarter(today.year, number) if number else Period.quarter(today.year - 1, 4)


def salvador_referred(page: str) -> int | None:
    """The first cell of El Salvador's row (referred youth); None when suppressed."""
    row = re.search(r'>El Salvador</a></th>(.*?)</tr>', page, re.S).group(1)
    cell = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)[0]
    digits = re.sub(r"\D", "", cell)
    return int(digits) if digits and "&lt;" not in cell else None


def test_manager_first_view_shows_real_numbers(app, db_url):
    """The summary of the last complete quarter, computed once before the load,
    shows the population after it and the refresh job that `flask demo load`'s
    Makefile targets run: the bulk load raised the municipalities' data versions
    (touch()), so the job recomputed their cells."""
    client = app.test_client()
    assert login(client, "manager.sv").status_code == 302
    with app.app_context():
        quarter = last_complete_quarter(local_today())
    url = f"/reports/?period=quarter&value={quarter.key}"
    before = client.get(url).get_data(as_text=True)
    assert load_into(db_url) == SIZE
    refresh_summaries(app)
    page = client.get(url).get_data(as_text=True)
    values = [int(re.sub(r"\D", "", n)) for n in COUNTED_CELL.findall(page)]
    suppressed = page.count("&lt;5")
    large = [v for v in values if v >= 5]
    assert len(large) >= 30 and len(large) > 4 * suppressed, (len(large), suppressed)
    assert salvador_referred(page) >= 50  # this quarter's referrals in El Salvador, not a handful
    assert salvador_referred(page) > 5 * (salvador_referred(before) or 4)
