"""The summary tables as CSV and XLSX: the same perturbed cells as the page."""

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from app.exports import csv_lines, safe_cell


def _rows(header, tables, extra):
    for label, value in header:
        yield [label, value]
    for table in tables:
        yield []
        yield [str(table.title)]
        yield [_("Unit"), *(str(i.label) for i in table.indicators)]
        for _code, name, cells in table.rows:
            yield [name, *(c.text for c in cells)]
        yield [_("Total"), *(c.text for c in table.total)]
    for title, columns, rows in extra:  # the exit reasons and the quarterly trend, as on the page
        yield []
        yield [str(title)]
        yield [str(c) for c in columns]
        for label, cells in rows:
            yield [str(label), *(c.text for c in cells)]


def csv_export(header, tables, extra=()) -> bytes:
    rows = list(_rows(header, tables, extra))
    return "".join(csv_lines(rows[0], rows[1:])).encode("utf-8")


def xlsx_export(header, tables, extra=()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    for row in _rows(header, tables, extra):
        sheet.append([safe_cell(v) for v in row])
    for cell in sheet["A"]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
