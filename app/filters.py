"""The query string of lists, calendars, summaries and exports, read in one
place. Every parameter goes through a typed parser with bounds, so no value a
URL can carry reaches a query or a date calculation it would break (an id
beyond PostgreSQL's integer, the year 10000, a NUL byte in a text column).

A value that does not parse is left out: the page is shown without that
filter and a translated message names it; an export with such a value does
not run (it sends the user back to the list, which says why). Never a 500."""

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import TypeVar

from flask import flash, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms import DateField
from wtforms.validators import ValidationError

from app.dates import add_months, local_today
from app.formtools import FIRST_DATE  # no data of the program is older (the forms' and importer's rule too)

MAX_ID = 2**31 - 1  # PostgreSQL integer: every id column
MAX_PAGE = 10_000  # far beyond any list; its offset stays a small number
FUTURE_YEARS = 10  # planned sessions, reporting periods: never further
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # geography codes, case codes, choice codes

F = TypeVar("F", bound=FlaskForm)


def last_day() -> date:
    """The latest date a filter may name: today plus ten years."""
    return add_months(local_today(), 12 * FUTURE_YEARS)


class IdConverter(IntegerConverter):
    """The URL map's <int:...>: an id from 1 to 2**31 - 1, so /sessions/10**30
    is a plain 404 (no such page) instead of an integer the database refuses."""

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# Parsers: text from a URL -> a value within bounds, or None.

def parse_int(text: str | None, low: int, high: int) -> int | None:
    """A whole number written with ASCII digits only (no sign, no spaces, at most 12 digits) from low to high."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_id(text: str | None) -> int | None:
    """A row id: 1 to 2**31 - 1."""
    return parse_int(text, 1, MAX_ID)


def parse_page(text: str | None) -> int | None:
    return parse_int(text, 1, MAX_PAGE)


def in_range(day: date | None) -> date | None:
    return day if day is not None and FIRST_DATE <= day <= last_day() else None


def parse_date(text: str | None) -> date | None:
    """An ISO date (2026-03-31) from 2000-01-01 to ten years from today."""
    if text is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return in_range(date.fromisoformat(text))
    except ValueError:
        return None


def parse_month(text: str | None) -> date | None:
    """A month (2026-03) as its first day, within the dates a filter may name."""
    if text is None or not re.fullmatch(r"\d{4}-\d{2}", text):
        return None
    try:
        first = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return None
    return first if FIRST_DATE <= first <= last_day() else None


def parse_year(text: str | None) -> int | None:
    return parse_int(text, FIRST_DATE.year, last_day().year) if text and len(text) == 4 else None


def parse_quarter(text: str | None) -> tuple[int, int] | None:
    """A quarter's stable name (2026-T1) as (year, number)."""
    match = re.fullmatch(r"(\d{4})-T([1-4])", text or "")
    year = parse_year(match.group(1)) if match else None
    return (year, int(match.group(2))) if year else None


def parse_fiscal_year(text: str | None) -> int | None:
    """A fiscal year's stable name (FY2026) as its number (the calendar year it ends in)."""
    match = re.fullmatch(r"FY(\d{4})", text or "")
    return parse_year(match.group(1)) if match else None


def parse_choice(text: str | None, allowed: Iterable[str]) -> str | None:
    return text if text is not None and text in set(allowed) else None


def parse_code(text: str | None, max_length: int = 40) -> str | None:
    """A code: letters, digits, dots, dashes and underscores (SV-SS, GT-01-0101, social_worker)."""
    return text if text and len(text) <= max_length and CODE.fullmatch(text) else None


# WTForms pieces for the filter forms (GET forms bound to the query string).

def id_choice(value) -> int | None:
    """coerce= for a SelectField of ids: the id, None for the empty choice;
    ValueError (the field's "could not coerce" error) for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    number = parse_id(value)
    if number is None:
        raise ValueError("not an id")
    return number


def date_in_range(form, field) -> None:
    """Validator for a filter date: from 2000-01-01 to ten years from today."""
    if field.data is not None and in_range(field.data) is None:
        raise ValidationError(_("Enter a date from %(first)s to %(last)s.",
                                first=format_date(FIRST_DATE), last=format_date(last_day())))


def code_text(form, field) -> None:
    """Validator for a text filter that holds a code (a department, a case code)."""
    text = (field.data or "").strip()
    if text and parse_code(text) is None:
        raise ValidationError(_("Enter a valid code."))


class FilterDateField(DateField):
    """A filter's date: ISO format, from 2000-01-01 to ten years from today."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, [*(validators or []), date_in_range], **kwargs)


# Reading the query string.

def left_out(names: Iterable[str]) -> None:
    names = [str(n) for n in names]
    if names:
        flash(_("These filters were not valid and were left out: %(names)s.", names=", ".join(names)), "error")


def filter_form(form_class: type[F], announce: bool = True, **choices) -> F:
    """The filter form bound to the query string and validated (`choices`: the
    choices of its select fields, known only at request time). A field whose
    value is not valid is cleared, keeping its error; `form.left_out` lists
    their labels, and unless `announce` is False a message names them."""
    form = form_class(request.args)
    for name, options in choices.items():
        getattr(form, name).choices = options
    form.validate()
    form.left_out = []
    for field in form:
        if field.errors:
            field.data, field.raw_data = None, []
            form.left_out.append(field.label.text)
    if announce:
        left_out(form.left_out)
    return form


def page_number() -> int:
    """The page asked for, from 1 to MAX_PAGE; the first page (and a message) when not a page number."""
    text = request.args.get("page")
    if text in (None, ""):
        return 1
    number = parse_page(text)
    if number is None:
        left_out([_l("Page")])
        return 1
    return number


def month_arg(name: str = "month") -> date | None:
    """The month asked for (its first day); None, and a message, when there is none valid."""
    text = request.args.get(name)
    if text in (None, ""):
        return None
    first = parse_month(text)
    if first is None:
        left_out([_l("Month")])
    return first


def code_arg(name: str, label) -> str | None:
    """A code parameter (admin.geography's department); None, and a message, when not a code."""
    text = request.args.get(name)
    if text in (None, ""):
        return None
    code = parse_code(text)
    if code is None:
        left_out([label])
    return code


LINK_KEY = re.compile(r"[a-z][a-z_]{0,39}")


def link_args(args: dict[str, str], *also_drop: str) -> dict[str, str]:
    """Query parameters to carry into a link (pager, export, summary drill-down):
    never the page (the pager sets it), nor a name url_for takes for its own
    (endpoint, _external, _anchor, _scheme...) or the link's route has
    (`also_drop`, e.g. the export's kind), which would make url_for fail or
    build another URL."""
    dropped = {"page", "endpoint", *also_drop}
    return {k: v for k, v in args.items() if k not in dropped and LINK_KEY.fullmatch(k)}


def current_query(**changes) -> dict[str, str]:
    """The query string as a dict with some values changed (None removes one): for links that keep the filters."""
    args = {**link_args(request.args.to_dict()), **changes}
    return {k: v for k, v in args.items() if v is not None}


def back_to_list(endpoint: str, **values) -> str:
    """The list's URL with the same filters: where an export that did not run sends the user (the list says why)."""
    return url_for(endpoint, **values, **link_args(request.args.to_dict()))
