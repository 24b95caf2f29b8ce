from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.casework.models import CONTACT_KINDS, GANG_STATUSES, GOAL_STATUSES
from app.formtools import OnceForm, choices, future_target_date, past_event_date

LONG_TEXT = Length(max=4000, message=_l("Use at most %(max)d characters."))


class GoalForm(OnceForm):
    version = HiddenField()
    description = TextAreaField(_l("Goal"), validators=[DataRequired(_l("Describe the goal.")),
                                                        Length(max=500, message=_l("Use at most %(max)d characters."))])
    status = SelectField(_l("Status"), choices=choices(GOAL_STATUSES.items()))
    target_on = DateField(_l("Target date (optional)"), validators=[Optional(), future_target_date])
    submit = SubmitField(_l("Save goal"))


class ContactForm(OnceForm):
    kind = SelectField(_l("Kind of contact"), choices=choices(CONTACT_KINDS.items()))
    contact_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter a valid date.")), past_event_date])
    minutes = IntegerField(_l("Minutes"), validators=[InputRequired(_l("Enter the duration in minutes.")),
                                                       NumberRange(1, 600, _l("Between 1 and 600 minutes."))])
    summary = TextAreaField(_l("Summary (optional)"), validators=[Optional(), LONG_TEXT])
    submit = SubmitField(_l("Record contact"))


class NoteForm(OnceForm):
    body = TextAreaField(_l("Note"), validators=[DataRequired(_l("Write the note.")), LONG_TEXT])
    sensitive = BooleanField(_l("Sensitive: only the author and coordinators may read it"))
    submit = SubmitField(_l("Add note"))


class FollowUpForm(OnceForm):
    followup_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter a valid date.")), past_event_date])
    in_school = BooleanField(_l("In school"))
    working = BooleanField(_l("Working"))
    new_justice_contact = BooleanField(_l("New contact with the justice system since the last follow-up"))
    gang_involvement = SelectField(_l("Gang involvement"), choices=choices(GANG_STATUSES.items()))
    screening_id = SelectField(_l("Linked reassessment (optional)"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Record follow-up"))
