"""Cell-key perturbation, issue #12: the shipped perturbation table and its
design, the loader's checks, and the random record key every counted row
carries (given on creation, kept on update, never exported)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, update

from app import create_app
from app.casework.models import FollowUp
from app.extensions import db
from app.policing.models import Attendance, GreatCohort, PolicingSession
from app.programs.models import Enrollment
from app.record_keys import KEYED_TABLES
from app.reports import ptable_make
from app.reports.perturbation import PTableError, cell_key, current_ptable, load_ptable, perturb
from app.screening.models import Screening
from app.security.crypto import new_row_uid
from app.youth.models import Youth
from tests.conftest import login, make_config, post_form
from tests.test_policing_import import ROWS, run, write

SHIPPED = ptable_make.SHIPPED
MODELS = (Youth, Screening, Enrollment, FollowUp, PolicingSession, Attendance, GreatCohort)


@pytest.fixture(scope="module")
def table():
    return load_ptable(SHIPPED)


# --- the shipped table and its design -------------------------------------------------------------

def test_the_shipped_csv_is_exactly_what_the_generator_builds():
    assert SHIPPED.read_text(encoding="utf-8") == ptable_make.build()


def test_the_table_covers_values_0_to_750_and_keys_0_to_255(table):
    assert table.max_value == ptable_make.MAX_VALUE == 750
    assert all(len(row) == 256 for row in table.rows)


def test_every_perturbation_is_within_three_and_never_publishes_below_zero(table):
    for value, row in enumerate(table.rows):
        assert all(-3 <= p <= 3 and value + p >= 0 for p in row), value


def test_zero_stays_zero_for_every_key(table):
    assert set(table.rows[0]) == {0}
    assert {table.perturb(0, key) for key in range(256)} == {0}


def test_no_cell_is_ever_published_as_1_or_2(table):
    for value in range(table.max_value + 40):  # above 750 too, where the last row applies
        published = {table.perturb(value, key) for key in range(256)}
        assert not published & {1, 2}, value


def test_small_values_go_to_zero_or_to_the_threshold(table):
    assert {table.perturb(1, k) for k in range(256)} == {0, 3, 4}
    assert {table.perturb(2, k) for k in range(256)} == {0, 3, 4}


def test_mean_perturbation_is_exactly_zero_for_every_cell_value(table):
    assert all(sum(row) == 0 for row in table.rows)


def test_variance_per_value_is_the_documented_one(table):
    for value in (1, 2, 3, 4, 5, 6, 100, 750):
        row = table.rows[value]
        assert sum(p * p for p in row) / 256 == float(ptable_make.variance(value)), value
    assert ptable_make.VARIANCE[6] == ptable_make.variance(750)  # the same from 6 on
    documented = Path(__file__).resolve().parent.parent / "docs" / "perturbation.md"
    assert "1.42" in documented.read_text(encoding="utf-8")


def test_from_six_up_every_value_has_the_same_distribution(table):
    expected = Counter(ptable_make.STEADY)
    assert all(Counter(table.rows[v]) == expected for v in (6, 7, 50, 750))


def test_values_above_the_table_use_its_last_row(table):
    for key in (0, 17, 255):
        assert table.perturb(10_000, key) == 10_000 + table.rows[750][key]


def test_perturb_is_deterministic_and_reads_the_configured_table(app):
    with app.app_context():
        assert Path(app.config["PTABLE_FILE"]) == SHIPPED
        assert current_ptable() is load_ptable(SHIPPED)  # read once per process
        first = [perturb(count, key) for count in range(30) for key in range(0, 256, 7)]
        again = [perturb(count, key) for count in range(30) for key in range(0, 256, 7)]
    assert first == again
    assert first == [load_ptable(SHIPPED).perturb(c, k) for c in range(30) for k in range(0, 256, 7)]


def test_rebuilding_gives_the_same_table(tmp_path):
    ptable_make.main([str(tmp_path / "again.csv")])
    assert (tmp_path / "again.csv").read_bytes() == SHIPPED.read_bytes()


def test_cell_key_is_the_sum_of_record_keys_mod_256():
    assert cell_key([]) == 0
    assert cell_key([200, 100]) == 44
    assert cell_key([255] * 256) == 0
    assert cell_key(iter([1, 2, 3])) == 6


def test_negative_counts_and_keys_out_of_range_are_refused(table):
    with pytest.raises(ValueError):
        table.perturb(-1, 0)
    with pytest.raises(ValueError):
        table.perturb(3, 256)


# --- the loader refuses tables it cannot trust ----------------------------------------------------

def small_table(rows_for=lambda value, key: 0, top: int = 3, header: str = "cell_value,cell_key,perturbation"):
    lines = [header] + [f"{v},{k},{rows_for(v, k)}" for v in range(top + 1) for k in range(256)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("content, message", [
    (small_table(header="pcv,ckey,pvalue"), "the header must be cell_value,cell_key,perturbation"),
    ("", "the header must be"),
    (small_table().replace("2,17,0\n", ""), "1 rows missing (cell value/cell key: 2/17)"),
    (small_table() + "1,5,0\n", "a second row for cell value 1, cell key 5"),
    (small_table() + "1,256,0\n", "cell_key must be from 0 to 255"),
    (small_table() + "-1,0,0\n", "cell_value cannot be negative"),
    (small_table(lambda v, k: 11 if (v, k) == (3, 9) else 0), "perturbation 11 is beyond ±10"),
    (small_table(lambda v, k: -3 if (v, k) == (2, 9) else 0), "would be published as -1, below zero"),
    (small_table(lambda v, k: 1 if (v, k) == (0, 9) else 0), "a zero must stay zero"),
    (small_table().replace("3,4,0\n", "3,4,x\n"), "line"),
    (small_table().replace("3,4,0\n", "3,4\n"), "a row has 3 values, not 2"),
    ("cell_value,cell_key,perturbation\n", "has no rows"),
])
def test_the_loader_refuses_a_malformed_table_with_a_clear_error(tmp_path, content, message):
    path = tmp_path / f"bad-{abs(hash(content))}.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PTableError) as refused:
        load_ptable(path)
    assert message in str(refused.value) and str(path) in str(refused.value)


def test_the_loader_accepts_another_well_formed_table(tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text(small_table(lambda v, k: 0 if v == 0 else (1 if k % 2 else -1)), encoding="utf-8")
    other = load_ptable(path)
    assert other.max_value == 3 and other.perturb(2, 1) == 3 and other.perturb(2, 2) == 1
    assert other.perturb(40, 3) == 41  # above its last row, that row applies


def test_a_missing_table_file_is_a_clear_error(tmp_path):
    with pytest.raises(PTableError, match="cannot read the perturbation table"):
        load_ptable(tmp_path / "nowhere.csv")


# --- record keys ----------------------------------------------------------------------------------

def assert_keyed(keys) -> None:
    keys = list(keys)
    assert keys and all(isinstance(k, int) and 1 <= k <= 255 for k in keys), keys


def test_the_demo_data_has_a_key_on_every_counted_row(ctx):
    for model in MODELS:
        keys = db.session.scalars(select(model.record_key)).all()
        assert_keyed(keys)
        if len(keys) >= 50:  # drawn at random, not one value for all
            assert len(set(keys)) > 10, model.__tablename__
    assert {m.__tablename__ for m in MODELS} == set(KEYED_TABLES)


def copy_of(obj, **changes):
    """A new row added through the ORM with the column values of `obj`, but no id and no key."""
    values = {a.key: getattr(obj, a.key) for a in inspect(type(obj)).column_attrs if a.key not in ("id", "record_key")}
    new = type(obj)(**values | changes)
    db.session.add(new)
    db.session.flush()
    return new


def test_every_counted_model_gets_a_key_when_created_through_the_orm(ctx):
    made = []
    youth = db.session.scalars(select(Youth).limit(1)).one()
    made.append(copy_of(youth, row_uid=new_row_uid(), case_code="SV-9999-000001"))
    for model in (Screening, Enrollment, FollowUp):
        made.append(copy_of(db.session.scalars(select(model).limit(1)).one()))
    session = db.session.scalars(select(PolicingSession).limit(1)).one()
    made.append(copy_of(session, row_uid=new_row_uid(), import_key=None))
    made.append(Attendance(session_id=made[-1].id, youth_id=made[0].id, linked_by_id=made[0].created_by_id))
    db.session.add(made[-1])
    made.append(copy_of(db.session.scalars(select(GreatCohort).limit(1)).one()))
    db.session.commit()
    assert [type(m) for m in made] == list(MODELS)
    for obj in made:
        db.session.refresh(obj)
    assert_keyed(obj.record_key for obj in made)


def test_the_session_importer_gives_every_row_a_key(ctx, tmp_path):
    before = set(db.session.scalars(select(PolicingSession.id)))
    result = run(write(tmp_path, ROWS))
    db.session.commit()
    assert result.inserted == len(ROWS)
    keys = db.session.scalars(select(PolicingSession.record_key).where(PolicingSession.id.not_in(before))).all()
    assert len(keys) == len(ROWS)
    assert_keyed(keys)


def test_the_key_survives_an_update(ctx):
    youth = db.session.scalars(select(Youth).where(Youth.status == "active").limit(1)).one()
    session = db.session.scalars(select(PolicingSession).limit(1)).one()
    keys = youth.record_key, session.record_key
    youth.status, youth.version = "completed", youth.version + 1
    session.topic = "Otro tema"
    db.session.commit()
    db.session.expire_all()
    assert (db.session.get(Youth, youth.id).record_key, db.session.get(PolicingSession, session.id).record_key) == keys


def test_the_record_key_column_is_required(ctx):
    for model in MODELS:
        assert model.__table__.c.record_key.nullable is False, model.__tablename__


# --- never exported -------------------------------------------------------------------------------

def change_keys(app, model, where=None) -> None:
    with app.app_context():
        statement = update(model).values(record_key=(model.record_key % 255) + 1)
        db.session.execute(statement if where is None else statement.where(where))
        db.session.commit()


def test_the_subject_access_export_has_no_record_key(app, client):
    with app.app_context():
        youth_id, code = db.session.execute(
            select(Youth.id, Youth.case_code).join(Attendance, Attendance.youth_id == Youth.id)
            .where(Youth.case_code.like("SV-%"), Youth.id.in_(select(FollowUp.youth_id))).limit(1)).one()
        for model in (Screening, Enrollment, FollowUp, Attendance):  # a youth with every kind of keyed row
            assert db.session.scalar(select(func.count()).select_from(model).where(model.youth_id == youth_id))
    login(client, "coord.sv")

    def export() -> str:
        response = post_form(client, f"/cases/{code}/export", {"reference": "SAR-2026-001"})
        assert response.mimetype == "application/json"
        return response.get_data(as_text=True)

    first = export()
    assert "record_key" not in first
    for model in MODELS:  # every key of this youth's rows changes; the export does not
        column = model.id if model is Youth else model.youth_id if hasattr(model, "youth_id") else None
        change_keys(app, model, None if column is None else column == youth_id)
    assert export() == first
    assert json.loads(first)


def test_the_sessions_csv_has_no_record_key(app, client):
    login(client, "police.sv")

    def export() -> str:
        response = client.get("/sessions/export.csv")
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code == 200
        return body

    first = export()
    assert "record_key" not in first and first.count("\n") > 2
    change_keys(app, PolicingSession)
    # Sessions held at the same time may come in another order once their rows were rewritten (PostgreSQL).
    assert sorted(export().splitlines()) == sorted(first.splitlines())


def test_the_table_is_the_senda_ptable_setting(tmp_path):
    other = tmp_path / "other.csv"
    code = "import config; print(config.Config.PTABLE_FILE)"
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "SENDA_PTABLE"}
    default = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    chosen = subprocess.run([sys.executable, "-c", code], cwd=root, env={**env, "SENDA_PTABLE": str(other)},
                            capture_output=True, text=True, timeout=60)
    assert Path(default.stdout.strip()) == SHIPPED
    assert chosen.stdout.strip() == str(other)


def test_perturb_uses_the_configured_table(db_url, tmp_path):
    path = tmp_path / "plus-one.csv"
    path.write_text(small_table(lambda v, k: 0 if v == 0 else 1), encoding="utf-8")
    other = create_app(make_config(db_url, PTABLE_FILE=str(path)))
    with other.app_context():
        assert [perturb(count, 200) for count in (0, 1, 2, 3, 99)] == [0, 2, 3, 4, 100]
        db.engine.dispose()
