"""Small helpers shared by forms, and the base class of every form.

Every form of Senda subclasses ``SendaForm``, which applies to each text field
(``StringField`` and its subclasses: text areas, passwords, e-mail, hidden
fields), wherever it is declared:

- a refusal of control characters: PostgreSQL cannot store NUL, and no other
  control character belongs in a name or a note (newline and tab are kept, and
  carriage return in multi-line text, which browsers send as CR LF);
- a translated message for every ``Length`` validator declared without one;
- a maximum length (``DEFAULT_MAX_LENGTH``) for a text field declared without
  any ``Length``.

Create forms subclass ``OnceForm``: a hidden one-time token makes a second
submit of the same page store nothing (see ``app.submissions``).

Dates use the shared windows ``past_event_date`` (from ``FIRST_DATE`` to
today: something that happened) and ``future_target_date`` (from
``FIRST_DATE`` to ``TARGET_YEARS`` from today: targets and expiries) and
``planned_date`` (up to a year ahead: a class registered before it starts), the
rule of the session importer."""

import copy
import re
import secrets
from collections.abc import Iterable
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError

from app.dates import local_today
from app.versions import claim_version, stale  # noqa: F401  (the forms' optimistic lock: app/versions.py)

FIRST_DATE = date(2000, 1, 1)  # nothing Senda records happened before (the importer's rule too)
TARGET_YEARS = 10  # how far ahead a goal's target or a consent's expiry may be
DEFAULT_MAX_LENGTH = 10_000  # for a text field declared without a Length of its own

# Unicode control characters (category Cc): C0, DEL and C1. Tab and newline
# are allowed everywhere, carriage return only in multi-line text.
_CONTROL_LINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = _l("Remove the invisible control characters from this text (they cannot be stored).")


class NoControlCharacters:
    """Refuses text with control characters other than tab and newline (and
    carriage return in a multi-line field). Stops the field's validation:
    Optional() and DataRequired() take text of only such characters (U+0085,
    U+001C...) for blank and would erase the message."""

    def __init__(self, multiline: bool = False, message=None):
        self.pattern = _CONTROL_TEXT if multiline else _CONTROL_LINE
        self.message = message or CONTROL_MESSAGE

    def __call__(self, form, field) -> None:
        values = field.raw_data or ([field.data] if isinstance(field.data, str) else [])
        if any(isinstance(v, str) and self.pattern.search(v) for v in values):
            raise StopValidation(self.message)


def length_message(validator: Length):
    """The translated message of a Length validator declared without one."""
    if validator.min in (None, -1):
        return _l("Use at most %(max)d characters.")
    if validator.max in (None, -1):
        return _l("Use at least %(min)d characters.")
    return _l("Use between %(min)d and %(max)d characters.")


def _shared_checks(field) -> None:
    """Adds the checks every text field gets (see the module's docstring)."""
    if not isinstance(field, StringField):
        return
    validators = []
    for validator in field.validators:
        if isinstance(validator, Length) and validator.message is None:
            validator = copy.copy(validator)  # the declared one may be shared by other fields
            validator.message = length_message(validator)
        validators.append(validator)
    if not any(isinstance(v, Length) for v in validators):
        validators.append(Length(max=DEFAULT_MAX_LENGTH, message=_l("Use at most %(max)d characters.")))
    validators.insert(0, NoControlCharacters(multiline=isinstance(field, TextAreaField)))
    field.validators = validators  # a new list: the declared one may be shared


class SendaForm(FlaskForm):
    """The base of every form (see the module's docstring)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            _shared_checks(field)
            return field


TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class OnceForm(SendaForm):
    """A create form: each page carries a random one-time token; the view
    records it with what the form created (``app.submissions.commit_once``),
    and a second POST with the same token creates nothing."""

    form_token = HiddenField(default=new_form_token)

    def submitted_token(self) -> str | None:
        """The token the browser sent, if well formed (None when absent: the
        page was not rendered by this version, or by a script)."""
        raw = self.form_token.raw_data
        token = raw[0] if raw else None
        return token if token and TOKEN_PATTERN.fullmatch(token) else None


class DateWindow:
    """A date between FIRST_DATE and today plus ``years_ahead`` years."""

    def __init__(self, years_ahead: int = 0):
        self.years_ahead = years_ahead

    def last(self) -> date:
        today = local_today()
        if not self.years_ahead:
            return today
        try:
            return today.replace(year=today.year + self.years_ahead)
        except ValueError:  # 29 February
            return today.replace(year=today.year + self.years_ahead, day=28)

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        if self.years_ahead == 0:
            if value > self.last():
                raise ValidationError(_l("The date cannot be in the future."))
            if value < FIRST_DATE:
                raise ValidationError(_("Enter a date between %(first)s and today.",
                                        first=format_date(FIRST_DATE, "long")))
        elif not FIRST_DATE <= value <= self.last():
            raise ValidationError(_("Enter a date between %(first)s and %(last)s.",
                                    first=format_date(FIRST_DATE, "long"), last=format_date(self.last(), "long")))


past_event_date = DateWindow()  # something that happened: a session, a contact, a consent given
future_target_date = DateWindow(TARGET_YEARS)  # a goal's target, a consent's expiry
planned_date = DateWindow(1)  # a class may be registered before its first lesson


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def data_choices(pairs: Iterable[tuple[object, object]], first: tuple[object, object] | None = None) -> list[SelectChoice]:
    """SelectField choices whose labels are data (names of places, people,
    organizations, programs), marked translate="no" so that neither a browser's
    translator nor Senda's untranslated-text check takes them for interface text.
    `first` is an optional interface choice ("All municipalities") put before them."""
    data = [SelectChoice(value, label, render_kw={"translate": "no"}) for value, label in pairs]
    return [SelectChoice(*first), *data] if first else data


