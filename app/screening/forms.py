"""The screening form is built from the instrument: one question per item."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SubmitField
from wtforms.validators import InputRequired

from app.formtools import OnceForm, choices, past_event_date
from app.screening.instrument import Instrument


def screening_form_class(instrument: Instrument, locale: str) -> type[OnceForm]:
    """A form class with a date, one radio question per item and per flag."""

    class ScreeningForm(OnceForm):
        screened_on = DateField(_l("Date of the screening"),
                                validators=[InputRequired(_l("Enter a valid date.")), past_event_date])
        submit = SubmitField(_l("Save the screening"))

    answers = choices((a.value, instrument.text(a, locale)) for a in instrument.answers)
    for item in instrument.items():
        setattr(ScreeningForm, f"item_{item.code}", RadioField(
            instrument.text(item, locale), choices=answers, coerce=int,
            validators=[InputRequired(_l("Answer this question."))]))
    yes_no = choices([("yes", _l("Yes")), ("no", _l("No"))])
    for flag in instrument.flags:
        setattr(ScreeningForm, f"flag_{flag.code}", RadioField(
            instrument.text(flag, locale), choices=yes_no, validators=[InputRequired(_l("Answer this question."))]))
    return ScreeningForm
