"""Geography: the bundled CARSI divisions load idempotently; a malformed
file is refused with its line and reason and changes nothing."""

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.geo.models import Country, Department, Municipality
from app.geo.services import DEFAULT_FILE, find_municipality

HEADER = "country,level,code,parent_code,name,source\n"


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Country, Department, Municipality))


def snapshot():
    rows = db.session.execute(text(
        "SELECT code, name, department_id FROM municipalities ORDER BY code")).all()
    return counts(), [tuple(r) for r in rows]


def test_bundled_file_is_loaded_with_every_country(ctx):
    assert counts() == (7, 98, 1001)
    assert find_municipality("SV-SS-001").name == "San Salvador Centro"


def test_loading_again_changes_nothing(ctx, runner):
    before = snapshot()
    result = runner.invoke(args=["geo", "load"])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated" in result.output
    assert snapshot() == before


def test_an_updated_file_updates_names_in_place(ctx, runner, tmp_path):
    text_ = DEFAULT_FILE.read_text(encoding="utf-8").replace(
        "SV,2,SV-SS-001,SV-SS,San Salvador Centro", "SV,2,SV-SS-001,SV-SS,San Salvador Centro (nuevo)")
    path = tmp_path / "divisions.csv"
    path.write_text(text_, encoding="utf-8")
    muni_id = find_municipality("SV-SS-001").id
    result = runner.invoke(args=["geo", "load", str(path)])
    assert result.exit_code == 0 and "1 updated" in result.output
    db.session.expire_all()
    assert db.session.get(Municipality, muni_id).name == "San Salvador Centro (nuevo)"


@pytest.mark.parametrize("content, line, reason", [
    ("code,name\nSV,x\n", 1, "header"),
    (HEADER + "SV,1,SV-ZZ,SV,Nuevo,x\nSV,2,SV-ZZ-001,SV-ZZ,Uno,x\nSV,2,SV-ZZ-001,SV-ZZ,Dos,x\n",
     4, "already appears on line 3"),
    (HEADER + "SV,1,SV-ZZ,SV,Nuevo,x\nSV,2,SV-ZZ-001,SV-NOPE,Uno,x\n", 3, "not a department"),
    (HEADER + "SV,1,SV-ZZ,SV,Nuevo,x\nXX,1,XX-1,XX,Atlantis,x\n", 3, "unknown country"),
    (HEADER + "SV,1,SV-ZZ,SV,Nuevo,x\nSV,2,SV-ZZ-001,SV-ZZ\n", 3, "expected 6 columns"),
    (HEADER + "SV,1,SV-ZZ,SV,Nuevo,x\nSV,4,SV-ZZ-001,SV-ZZ,Uno,x\n", 3, "level must be 1 or 2"),
    (HEADER + "SV,2,SV-ZZ-001,SV-ZZ,,x\n", 2, "name is empty"),
])
def test_a_malformed_file_is_rejected_and_changes_nothing(ctx, runner, tmp_path, content, line, reason):
    before = snapshot()
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["geo", "load", str(path)])
    assert result.exit_code == 1
    assert f"line {line}" in result.output and reason in result.output
    assert "nothing was changed" in result.output
    db.session.rollback()
    assert snapshot() == before


def test_a_non_utf8_file_is_rejected(ctx, runner, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "SV,1,SV-ZZ,SV,Cabañas,x\n").encode("latin-1"))
    before = snapshot()
    result = runner.invoke(args=["geo", "load", str(path)])
    assert result.exit_code == 1 and "UTF-8" in result.output
    assert snapshot() == before


def test_municipality_lookup_is_accent_and_case_insensitive(ctx):
    assert find_municipality("cabanas este").code == "SV-CA-001"
    assert find_municipality("  SAN PEDRO   SULA ").code == "HN0501"
    assert find_municipality("Nowhere") is None
