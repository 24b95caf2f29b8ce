"""Bulk import of community-policing sessions: validated whole, then all or
nothing; re-importing adds nothing; CSV and XLSX; the `flask sessions import`
command."""

import io
import zipfile
from datetime import date, datetime, time

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.accounts.models import Organization
from app.audit.models import AuditEvent
from app.extensions import db
from app.geo.models import Municipality
from app.policing.cli import sessions_cli
from app.policing.importer import (
    ImportFileError,
    ReadCount,
    error_text,
    estimate_rows,
    import_sessions,
    template_csv,
    template_xlsx,
)
from app.policing.models import PolicingSession
from tests.conftest import login, post_form

UNIT = "PNC Policía Comunitaria San Salvador"
ES = {"date": "fecha", "time": "hora", "municipality": "municipio", "community": "comunidad", "venue": "lugar",
      "school": "escuela", "kind": "tipo", "curriculum": "currículo", "lesson": "lección", "topic": "tema",
      "female": "mujeres", "male": "hombres", "sex_not_recorded": "sexo_no_registrado", "under_12": "menores_de_12",
      "age_12_14": "de_12_a_14", "age_15_17": "de_15_a_17", "age_18_24": "de_18_a_24", "age_25_plus": "de_25_o_más",
      "notes": "notas"}
GREAT = {"date": "2025-03-14", "time": "09:30", "municipality": "San Salvador Centro", "community": "Colonia Centro",
         "venue": "Escuela", "school": "Centro Escolar República de Chile", "kind": "Lección G.R.E.A.T.",
         "curriculum": "secundaria", "lesson": "3", "topic": "Resolución de conflictos", "female": "12", "male": "10",
         "age_12_14": "22", "notes": "Llovió; se hizo en el aula"}
SPORTS = {"date": "15/03/2025", "municipality": "san salvador  centro", "venue": "cancha",
          "kind": "actividad deportiva o cultural", "topic": "Fútbol", "female": "5", "male": "5", "under_12": "2",
          "age_12_14": "8"}
MEETING = {"date": "2025-03-16", "time": "18:00", "municipality": "SV-SS-002", "community": "La Cima",
           "venue": "centro comunitario", "kind": "Reunión comunitaria", "female": "3", "male": "4",
           "sex_not_recorded": "1", "age_18_24": "2", "age_25_plus": "6"}
ELEMENTARY = {"date": "2025-03-17", "time": "10:00", "municipality": "SAN SALVADOR ESTE", "venue": "escuela",
              "school": "CE Y", "kind": "leccion great", "curriculum": "primaria", "lesson": "6", "female": "10",
              "male": "10", "under_12": "20"}
ROWS = [GREAT, SPORTS, MEETING, ELEMENTARY]


def csv_text(rows: list[dict], headers: dict = ES, sep: str = ",") -> str:
    def quote(value: str) -> str:
        return f'"{value}"' if sep in value or '"' in value else value

    lines = [sep.join(headers.values())]
    lines += [sep.join(quote(row.get(name, "")) for name in headers) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def write(tmp_path, rows: list[dict], name: str = "sessions.csv", **kwargs):
    path = tmp_path / name
    path.write_text(csv_text(rows, **kwargs), encoding="utf-8")
    return path


def unit_id() -> int:
    return db.session.scalar(select(Organization.id).where(Organization.name == UNIT))


def muni(code: str) -> int:
    return db.session.scalar(select(Municipality.id).where(Municipality.code == code))


def run(path, allowed=None, **kwargs):
    return import_sessions(path, police_unit_id=unit_id(), user_id=None, allowed_municipality_ids=allowed, **kwargs)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(PolicingSession))


def imported() -> list[PolicingSession]:
    return list(db.session.scalars(
        select(PolicingSession).where(PolicingSession.import_key.is_not(None)).order_by(PolicingSession.held_at)
    ))


def test_valid_csv_with_spanish_headers_imports_every_row(ctx, tmp_path):
    before, progress = count(), []
    result = run(write(tmp_path, ROWS), progress=progress.append)
    db.session.commit()
    assert sum(progress) == 2 * 4  # both passes report their rows
    assert (result.rows, result.inserted, result.duplicates, result.errors, result.error_count) == (4, 4, 0, [], 0)
    assert count() == before + 4
    great, sports, meeting, elementary = imported()
    assert great.held_at == datetime(2025, 3, 14, 9, 30) and great.held_on == date(2025, 3, 14)
    assert (great.kind, great.venue, great.curriculum, great.lesson_number) == ("great_lesson", "school", "middle", 3)
    assert great.municipality_id == muni("SV-SS-001") and great.police_unit_id == unit_id()
    assert great.school_name == "Centro Escolar República de Chile" and great.topic == "Resolución de conflictos"
    assert (great.female, great.male, great.age_12_14, great.total) == (12, 10, 22, 22)
    assert great.notes == "Llovió; se hizo en el aula" and great.notes_ct != b"Llovi"
    assert great.status == "held" and great.version == 1 and len(great.import_key) == 64 and len(great.row_uid) == 32
    assert sports.held_at == datetime(2025, 3, 15, 0, 0) and sports.municipality_id == muni("SV-SS-001")
    assert (sports.kind, sports.venue, sports.curriculum, sports.lesson_number) == ("sports_cultural", "sports_field", None, None)
    assert sports.notes is None and sports.community is None and sports.school_name is None
    assert (meeting.kind, meeting.venue, meeting.municipality_id) == ("community_meeting", "community_center", muni("SV-SS-002"))
    assert (meeting.sex_not_recorded, meeting.age_25_plus) == (1, 6)
    assert (elementary.curriculum, elementary.lesson_number, elementary.under_12) == ("elementary", 6, 20)


def test_reimport_adds_nothing(ctx, tmp_path):
    path = write(tmp_path, ROWS)
    run(path)
    db.session.commit()
    before = count()
    again = run(path)
    db.session.commit()
    assert (again.rows, again.inserted, again.duplicates) == (4, 0, 4)
    assert count() == before


def test_identical_rows_in_one_file_are_one_session(ctx, tmp_path):
    result = run(write(tmp_path, [MEETING, SPORTS, dict(MEETING, notes="other notes are not part of the key")]))
    assert (result.rows, result.inserted, result.duplicates) == (3, 2, 1)


def test_english_headers_labels_and_semicolons(ctx, tmp_path):
    english = {name: name for name in ES}
    english["sex_not_recorded"] = "Sex not recorded"
    english["age_25_plus"] = "AGE-25-PLUS"
    rows = [dict(MEETING, venue="Community center", kind="Community meeting", municipality="san salvador este"),
            dict(SPORTS, venue="sports_field", kind="Sports or cultural activity", date="2025-01-02"),
            dict(GREAT, kind="G.R.E.A.T. lesson", venue="School", curriculum="middle", lesson="13")]
    result = run(write(tmp_path, rows, headers=english, sep=";"))
    assert (result.inserted, result.error_count) == (3, 0)
    kinds = {(s.kind, s.venue, s.municipality_id) for s in imported()}
    assert ("community_meeting", "community_center", muni("SV-SS-002")) in kinds
    assert ("sports_cultural", "sports_field", muni("SV-SS-001")) in kinds


def test_only_required_columns_counts_default_to_zero(ctx, tmp_path):
    path = tmp_path / "minimal.csv"
    path.write_text("Fecha,Municipio,Lugar,Tipo\n2025-05-01,HN0801,iglesia,consejo\n", encoding="utf-8")
    result = run(path)
    assert (result.inserted, result.error_count) == (1, 0)
    session = imported()[0]
    assert (session.kind, session.venue, session.total, session.held_at) == ("security_council", "church", 0,
                                                                               datetime(2025, 5, 1))


def xlsx_file(tmp_path, rows: list[list], name: str = "sessions.xlsx"):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("sessions")
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_xlsx_with_dates_and_numbers_imports(ctx, tmp_path):
    header = ["Date", "Time", "Municipality", "Venue", "School", "Kind", "Curriculum", "Lesson", "Female", "Male",
              "Under 12", "Notes", None]
    path = xlsx_file(tmp_path, [
        header,
        [datetime(2025, 4, 2), time(14, 15), "SV-SS-003", "School", "CE Z", "G.R.E.A.T. lesson", "Elementary", 2,
         7, 8.0, 15, "Nota", None],
        [None] * 13,
        [date(2025, 4, 3), "08:00", "San Salvador Norte", "Other", None, "Other", None, None, 0, 0, 0, None, None],
    ], name="upload")  # content decides, not the name
    result = run(path)
    assert (result.rows, result.inserted, result.error_count) == (2, 2, 0)
    first, second = imported()
    assert first.held_at == datetime(2025, 4, 2, 14, 15) and first.municipality_id == muni("SV-SS-003")
    assert (first.curriculum, first.lesson_number, first.male, first.under_12, first.notes) == ("elementary", 2, 8, 15, "Nota")
    assert (second.kind, second.venue, second.held_at) == ("other", "other", datetime(2025, 4, 3, 8, 0))


def test_xlsx_errors_name_the_spreadsheet_row(ctx, tmp_path):
    path = xlsx_file(tmp_path, [["fecha", "municipio", "lugar", "tipo", "mujeres", "menores_de_12"],
                                [datetime(2025, 4, 2), "SV-SS-001", "cancha", "otro", 2.5, 2]])
    result = run(path)
    assert (result.inserted, [(e.line, e.column, e.code) for e in result.errors]) == (0, [(2, "mujeres", "bad_count")])


BAD_ROWS = [
    ({"date": "2025-02-30"}, "fecha", "bad_date"),
    ({"date": "14.03.2025"}, "fecha", "bad_date"),
    ({"date": ""}, "fecha", "required"),
    ({"date": "2099-01-01"}, "fecha", "date_range"),
    ({"time": "25:00"}, "hora", "bad_time"),
    ({"municipality": "Ciudad Inexistente"}, "municipio", "unknown_municipality"),
    ({"municipality": "San José"}, "municipio", "ambiguous_municipality"),
    ({"kind": "Desfile"}, "tipo", "unknown_kind"),
    ({"venue": "Playa"}, "lugar", "unknown_venue"),
    ({"lesson": "14"}, "lección", "lesson_range"),
    ({"curriculum": "primaria", "lesson": "7"}, "lección", "lesson_range"),
    ({"lesson": ""}, "lección", "great_required"),
    ({"curriculum": "universidad"}, "currículo", "unknown_curriculum"),
    ({"female": "-1", "age_12_14": "9"}, "mujeres", "bad_count"),
    ({"female": "3.5"}, "mujeres", "bad_count"),
    ({"male": "100001"}, "hombres", "bad_count"),
    ({"female": "13"}, "mujeres…de_25_o_más", "totals_differ"),
    ({"school": ""}, "escuela", "school_required"),
    ({"topic": "x" * 201}, "tema", "too_long"),
]


@pytest.mark.parametrize(("change", "column", "code"), BAD_ROWS, ids=[c for _, _, c in BAD_ROWS])
def test_one_bad_row_imports_nothing_and_names_line_and_column(ctx, tmp_path, change, column, code):
    before = count()
    result = run(write(tmp_path, [SPORTS, dict(GREAT, **change), MEETING]))
    assert (result.rows, result.inserted, result.error_count) == (3, 0, 1)
    assert [(e.line, e.column, e.code) for e in result.errors] == [(3, column, code)]
    assert count() == before
    with force_locale("en"):
        assert error_text(result.errors[0]).startswith(f"Line 3, column {column}: ")
    with force_locale("es"):
        assert str(3) in error_text(result.errors[0])


def test_other_kinds_have_no_lesson_and_blank_lines_keep_their_number(ctx, tmp_path):
    path = tmp_path / "gap.csv"
    path.write_text(csv_text([MEETING]) + ",,,,,,,,,,,,,,,,,,\n" + csv_text([dict(MEETING, lesson="2")]).split("\r\n", 1)[1],
                    encoding="utf-8")
    result = run(path)
    assert [(e.line, e.column, e.code) for e in result.errors] == [(4, "lección", "great_only")]


def test_errors_are_capped_but_counted(ctx, tmp_path):
    result = run(write(tmp_path, [dict(SPORTS, date="mañana")] * 600))
    assert (result.rows, result.error_count, len(result.errors), result.inserted) == (600, 600, 500, 0)


def test_municipality_outside_the_allowed_set_is_a_row_error(ctx, tmp_path):
    result = run(write(tmp_path, [GREAT, MEETING]), allowed={muni("SV-SS-001")})
    assert [(e.line, e.column, e.code) for e in result.errors] == [(3, "municipio", "outside_scope")]
    with force_locale("en"):
        assert "outside your municipalities" in error_text(result.errors[0])
    assert run(write(tmp_path, [GREAT, SPORTS]), allowed={muni("SV-SS-001")}).inserted == 2


@pytest.mark.parametrize(("content", "code"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unsupported_type"),
    (b"PK\x03\x04not really a zip", "unsupported_type"),
    (b"", "empty"),
    (b"fecha,municipio,lugar,tipo\n", "no_rows"),
    (b"fecha,municipio,lugar,tipo,color\n2025-01-01,SV-SS-001,cancha,otro,azul\n", "unknown_columns"),
    (b"fecha,municipio,tipo\n2025-01-01,SV-SS-001,otro\n", "missing_columns"),
    (b"fecha,municipio,lugar,tipo,Fecha\n", "duplicate_column"),
    ("fecha,municipio,lugar,tipo\n2025-01-01,Mu\xf1oz,cancha,otro\n".encode("latin-1"), "not_utf8"),
])
def test_bad_files_are_refused(ctx, tmp_path, content, code):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as raised:
        run(path)
    assert raised.value.code == code
    with force_locale("en"):
        text = error_text(raised.value)
    if code == "unknown_columns":
        assert text == "unknown columns: color"
    if code == "missing_columns":
        assert "lugar/venue" in text


def test_a_zip_that_is_not_a_workbook_and_a_large_file_are_refused(ctx, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    path = tmp_path / "archive.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ImportFileError, match="unsupported file type"):
        run(path)
    with pytest.raises(ImportFileError) as raised:
        run(write(tmp_path, ROWS), max_bytes=100)
    assert raised.value.code == "too_large"


def test_row_limit(app, ctx, tmp_path):
    app.config["SESSIONS_IMPORT_MAX_ROWS"] = 3
    with pytest.raises(ImportFileError) as raised:
        run(write(tmp_path, ROWS))
    assert raised.value.code == "too_many_rows"


@pytest.mark.parametrize("locale", ["es", "en"])
def test_templates_reimport_cleanly_after_filling_a_row(ctx, tmp_path, locale):
    csv_path = tmp_path / "template.csv"
    csv_path.write_bytes(template_csv(locale) + csv_text([MEETING]).split("\r\n", 1)[1].encode())
    result = run(csv_path)
    assert (result.rows, result.inserted, result.error_count) == (2, 2, 0)

    workbook = load_workbook(io.BytesIO(template_xlsx(locale)))
    sheet = workbook.worksheets[0]
    assert sheet["A1"].value == ("fecha" if locale == "es" else "date")
    sheet.append([date(2025, 6, 1), "17:00", "SV-SS-003", "", "otro" if locale == "es" else "Other", "", "Other",
                  "", "", "", 1, 1, 0, 0, 0, 0, 2, 0, "nota"])
    xlsx_path = tmp_path / "template.xlsx"
    workbook.save(xlsx_path)
    assert (estimate_rows(csv_path), estimate_rows(xlsx_path)) == (2, 2)
    result = run(xlsx_path)
    assert (result.rows, result.inserted, result.duplicates, result.error_count) == (2, 1, 1, 0)


def cli(app, runner, *args):
    if "sessions" not in app.cli.commands:
        app.cli.add_command(sessions_cli)
    return runner.invoke(args=["sessions", "import", *args])


def test_cli_imports_and_records_an_audit_event(app, runner, tmp_path):
    path = write(tmp_path, ROWS)
    result = cli(app, runner, str(path), "--unit", UNIT)
    assert result.exit_code == 0, result.output
    assert "4 rows: 4 sessions imported, 0 already there." in result.output
    with app.app_context():
        assert len(imported()) == 4
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sessions.import"))
        assert event.detail == "rows=4;inserted=4;duplicates=0"
    again = cli(app, runner, str(path), "--unit", UNIT)
    assert again.exit_code == 0 and "0 sessions imported, 4 already there" in again.output
    workbook = tmp_path / "template"
    workbook.write_bytes(template_xlsx("en"))
    xlsx = cli(app, runner, str(workbook), "--unit", UNIT)
    assert xlsx.exit_code == 0 and "1 rows: 1 sessions imported" in xlsx.output


def test_cli_with_a_bad_row_exits_1_and_changes_nothing(app, runner, tmp_path):
    with app.app_context():
        before = count()
    path = write(tmp_path, [GREAT, dict(SPORTS, female="3.5")])
    result = cli(app, runner, str(path), "--unit", UNIT, "--locale", "en")
    assert result.exit_code == 1
    assert "Line 3, column mujeres:" in result.output and "nothing was changed" in result.output
    outside = cli(app, runner, str(write(tmp_path, [dict(GREAT, municipality="HN0801")])), "--unit", UNIT)
    assert outside.exit_code == 1
    missing = cli(app, runner, str(path), "--unit", "No such unit")
    assert missing.exit_code == 1 and "No police unit" in missing.output
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert cli(app, runner, str(png), "--unit", UNIT).exit_code == 1
    with app.app_context():
        assert count() == before
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sessions.import")) is None


# --- bounded reading: empty rows and cells count ----------------------------------

SHEET_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="sesiones" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{fmt_column(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values) if v != "")
    return f'<row r="{number}">{cells}</row>'


def fmt_column(index: int) -> str:
    from app.policing.import_format import column_letter

    return column_letter(index)


def hand_made_xlsx(path, rows: list[str], dimension: str | None = None, empty_rows: int = 0, empty_row: str = "<row/>"):
    """An XLSX file written by hand: ``rows`` (XML), then ``empty_rows`` copies
    of ``empty_row``, streamed into the archive (the file stays small)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in SHEET_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main">')
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(("<sheetData>" + "".join(rows)).encode())
            chunk = empty_row.encode() * 100_000
            for _ in range(empty_rows // 100_000):
                sheet.write(chunk)
            sheet.write(empty_row.encode() * (empty_rows % 100_000))
            sheet.write(b"</sheetData></worksheet>")
    return path


HEADER_ROW = inline_row(1, ["fecha", "municipio", "lugar", "tipo"])
THREE_MILLION = 3_000_000


def refused(path, **kwargs) -> tuple[str, ReadCount]:
    read = ReadCount()
    before = count()
    with pytest.raises(ImportFileError) as raised:
        run(path, read_count=read, **kwargs)
    assert count() == before  # all or nothing
    return raised.value.code, read


def test_a_sheet_declaring_three_million_rows_is_refused_before_reading_one(app, ctx, tmp_path):
    path = hand_made_xlsx(tmp_path / "empty.xlsx", [HEADER_ROW], dimension="A1:J3000000", empty_rows=THREE_MILLION)
    assert path.stat().st_size < 100_000
    code, count = refused(path)
    assert code == "too_many_rows"
    assert count.rows == 0  # the declared size was enough
    with force_locale("es_SV"):
        assert error_text(ImportFileError(code, max=500_000)) == "el archivo tiene más de 500,000 filas"


@pytest.mark.parametrize("dimension", [None, "A1:D1"])  # no size declared, or a size that lies
def test_three_million_empty_rows_count_and_the_reader_stops_at_the_limit(app, ctx, tmp_path, dimension):
    app.config["SESSIONS_IMPORT_MAX_ROWS"] = 1000
    path = hand_made_xlsx(tmp_path / "empty.xlsx", [HEADER_ROW], dimension=dimension, empty_rows=THREE_MILLION)
    code, count = refused(path)
    assert code == "too_many_rows"
    assert count.rows <= 1002  # the header, the limit, and the row that went past it


def test_a_row_number_far_away_counts_the_empty_rows_before_it(app, ctx, tmp_path):
    app.config["SESSIONS_IMPORT_MAX_ROWS"] = 1000
    far = inline_row(1_048_576, ["2025-03-16", "SV-SS-002", "cancha", "otro"])
    code, count = refused(hand_made_xlsx(tmp_path / "far.xlsx", [HEADER_ROW, far]))
    assert code == "too_many_rows" and count.rows <= 1_048_576


def test_wide_rows_count_their_empty_cells(app, ctx, tmp_path):
    app.config["SESSIONS_IMPORT_MAX_ROWS"] = 1000  # 32,032 cells at most
    code, count = refused(hand_made_xlsx(tmp_path / "wide.xlsx", [HEADER_ROW], empty_rows=100,
                                         empty_row='<row><c r="XFD1"/></row>'))
    assert code == "too_many_cells" and count.cells <= 32_032 + 16_384  # the limit, and the row that went past it
    # one row of a million cells: refused as the scan reaches the limit, before openpyxl builds the row
    code, count = refused(hand_made_xlsx(tmp_path / "long.xlsx", [HEADER_ROW + "<row>" + "<c/>" * 1_000_000 + "</row>"]))
    assert code == "too_many_cells" and count.cells <= 32_032 + 1
    with force_locale("en"):
        assert error_text(ImportFileError(code, max=32_032)) == "the file has more than 32,032 cells, empty ones included"


def test_a_sheet_past_its_declared_size_is_read_whole(ctx, tmp_path):
    """openpyxl stops at the declared size: the importer reads what the sheet holds."""
    rows = [HEADER_ROW, inline_row(2, ["2025-03-16", "SV-SS-002", "cancha", "otro"]),
            inline_row(3, ["2025-03-17", "SV-SS-002", "cancha", "otro"])]
    result = run(hand_made_xlsx(tmp_path / "lying.xlsx", rows, dimension="A1:D2"))
    assert (result.rows, result.inserted) == (2, 2)


def test_an_xlsx_too_large_once_uncompressed_is_refused(app, ctx, tmp_path):
    app.config["SESSIONS_IMPORT_MAX_UNPACKED_BYTES"] = 1024 * 1024
    code, count = refused(hand_made_xlsx(tmp_path / "big.xlsx", [HEADER_ROW], empty_rows=300_000))
    assert code == "unpacked_too_large" and count.rows == 0
    with force_locale("es"):
        assert error_text(ImportFileError(code, max=1)) == "la hoja de cálculo ocupa más de 1 MB descomprimida"


def test_csv_blank_lines_and_separators_count(app, ctx, tmp_path):
    app.config["SESSIONS_IMPORT_MAX_ROWS"] = 1000
    blank = tmp_path / "blank.csv"
    blank.write_text("fecha,municipio,lugar,tipo\n" + "\n" * THREE_MILLION, encoding="utf-8")
    code, count = refused(blank)
    assert code == "too_many_rows" and count.rows <= 1002
    commas = tmp_path / "commas.csv"
    commas.write_text("fecha,municipio,lugar,tipo\n" + "," * 1_000_000 + "\n", encoding="utf-8")
    code, count = refused(commas)
    assert code == "too_many_cells" and count.cells <= 1_000_005  # counted before the csv module splits the line


def test_the_web_form_refuses_a_file_of_empty_rows_with_a_translated_message(app, client, tmp_path):
    path = hand_made_xlsx(tmp_path / "empty.xlsx", [HEADER_ROW], dimension="A1:J3000000", empty_rows=THREE_MILLION)
    login(client, "police.sv")
    with app.app_context():
        before = count()
        unit = unit_id()
    response = post_form(client, "/sessions/import", {"police_unit_id": str(unit),
                                                      "file": (io.BytesIO(path.read_bytes()), "sesiones.xlsx")})
    assert response.status_code == 200
    assert "el archivo tiene más de 500,000 filas" in response.get_data(as_text=True)  # as El Salvador writes it
    with app.app_context():
        assert count() == before
