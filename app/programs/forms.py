from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from app.formtools import OnceForm, choices, past_event_date
from app.programs.models import KINDS, LEVELS


class ProgramForm(OnceForm):
    version = HiddenField()
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=160)])
    level = SelectField(_l("Prevention level"), choices=choices(LEVELS.items()))
    kind = SelectField(_l("Kind"), choices=choices(KINDS.items()))
    municipalities = SelectMultipleField(_l("Municipalities"), coerce=int,
                                         validators=[DataRequired(_l("Choose at least one municipality."))])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class EnrollForm(OnceForm):
    program_id = SelectField(_l("Program"), coerce=int)
    start_on = DateField(_l("Start date"), validators=[InputRequired(_l("Enter a valid date.")), past_event_date])
    submit = SubmitField(_l("Enroll"))
