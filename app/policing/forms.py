from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.filters import FilterDateField, id_choice
from app.formtools import OnceForm, SendaForm, choices, past_event_date, planned_date
from app.policing import codes

COUNT = [Optional(), NumberRange(0, 100000, _l("Enter a whole number from 0."))]
SHORT = Length(max=160, message=_l("Use at most %(max)d characters."))


class SessionForm(OnceForm):
    version = HiddenField()
    held_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter a valid date.")), past_event_date])
    held_time = TimeField(_l("Time"), validators=[InputRequired(_l("Enter a valid time."))])
    municipality_id = SelectField(_l("Municipality"), coerce=int)
    community = StringField(_l("Community"), validators=[Optional(), SHORT])
    venue = SelectField(_l("Venue"), choices=choices(codes.VENUES.items()))
    school_name = StringField(_l("School name"), validators=[Optional(), SHORT],
                              description=_l("Required when the venue is a school."))
    kind = SelectField(_l("Kind of session"), choices=choices(codes.KINDS.items()))
    curriculum = SelectField(_l("G.R.E.A.T. curriculum"),
                             choices=choices([("", _l("Not a G.R.E.A.T. lesson")), *codes.CURRICULA.items()]),
                             validators=[Optional()])
    lesson_number = IntegerField(_l("Lesson number"), validators=[Optional()])
    cohort_id = SelectField(_l("G.R.E.A.T. class (optional)"), coerce=int, validators=[Optional()])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=200, message=_l("Use at most %(max)d characters."))])
    police_unit_id = SelectField(_l("Police unit"), coerce=int)
    officer_ids = SelectMultipleField(_l("Facilitating officers"), coerce=int, validators=[Optional()])
    partner_organization_id = SelectField(_l("Partner organization (optional)"), coerce=int, validators=[Optional()])
    female = IntegerField(codes.COUNT_LABELS["female"], validators=COUNT, default=0)
    male = IntegerField(codes.COUNT_LABELS["male"], validators=COUNT, default=0)
    sex_not_recorded = IntegerField(codes.COUNT_LABELS["sex_not_recorded"], validators=COUNT, default=0)
    under_12 = IntegerField(codes.COUNT_LABELS["under_12"], validators=COUNT, default=0)
    age_12_14 = IntegerField(codes.COUNT_LABELS["age_12_14"], validators=COUNT, default=0)
    age_15_17 = IntegerField(codes.COUNT_LABELS["age_15_17"], validators=COUNT, default=0)
    age_18_24 = IntegerField(codes.COUNT_LABELS["age_18_24"], validators=COUNT, default=0)
    age_25_plus = IntegerField(codes.COUNT_LABELS["age_25_plus"], validators=COUNT, default=0)
    notes = TextAreaField(_l("Notes (no names of attendees)"),
                          validators=[Optional(), Length(max=2000, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Save session"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.venue.data == "school" and not (self.school_name.data or "").strip():
            self.school_name.errors = [*self.school_name.errors, _l("Enter the school's name.")]
            valid = False
        if self.kind.data == "great_lesson":
            if not self.curriculum.data:
                self.curriculum.errors = [*self.curriculum.errors, _l("Choose the curriculum of the lesson.")]
                valid = False
            elif self.curriculum.data in codes.LESSONS:  # an unknown curriculum already has its "not a valid choice"
                top = codes.LESSONS[self.curriculum.data]
                if not self.lesson_number.data or not 1 <= self.lesson_number.data <= top:
                    self.lesson_number.errors = [*self.lesson_number.errors,
                                                 _l("The lesson number goes from 1 to %(max)d.", max=top)]
                    valid = False
        by_sex = sum(getattr(self, f).data or 0 for f in codes.SEX_COUNTS)
        by_age = sum(getattr(self, f).data or 0 for f in codes.AGE_COUNTS)
        if valid and by_sex != by_age:
            self.age_25_plus.errors = [*self.age_25_plus.errors,
                                       _l("The counts by age (%(age)d) must add up to the counts by sex (%(sex)d).",
                                          age=by_age, sex=by_sex)]
            valid = False
        return valid


class CancelForm(SendaForm):
    version = HiddenField()
    reason = TextAreaField(_l("Reason for cancelling"), validators=[
        DataRequired(_l("Give the reason.")), Length(max=300, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Cancel the session"))


class AttendanceForm(SendaForm):
    code = StringField(_l("Case code of an enrolled youth"), validators=[DataRequired(_l("Enter a case code.")),
                                                                         Length(max=20)])
    submit = SubmitField(_l("Link"))


class CohortForm(OnceForm):
    version = HiddenField()
    school_name = StringField(_l("School name"), validators=[DataRequired(_l("Enter the school's name.")), SHORT])
    class_name = StringField(_l("Class (grade and section)"), validators=[DataRequired(_l("Enter the class.")),
                                                                          Length(max=60)])
    municipality_id = SelectField(_l("Municipality"), coerce=int)
    curriculum = SelectField(_l("G.R.E.A.T. curriculum"), choices=choices(codes.CURRICULA.items()))
    police_unit_id = SelectField(_l("Police unit"), coerce=int)
    started_on = DateField(_l("Start date"), validators=[InputRequired(_l("Enter a valid date.")), planned_date])
    graduated_on = DateField(_l("Graduation date (optional)"), validators=[Optional(), past_event_date])
    submit = SubmitField(_l("Save class"))

    def validate_graduated_on(self, field):
        if field.data and self.started_on.data and field.data < self.started_on.data:
            raise ValidationError(_l("The graduation date must be after the start date."))


class SessionFilterForm(SendaForm):
    class Meta:
        csrf = False

    start = FilterDateField(_l("From"), validators=[Optional()])
    end = FilterDateField(_l("To"), validators=[Optional()])
    municipality = SelectField(_l("Municipality"), coerce=id_choice, validators=[Optional()])
    kind = SelectField(_l("Kind of session"), choices=choices([("", _l("All kinds")), *codes.KINDS.items()]),
                       validators=[Optional()])
    unit = SelectField(_l("Police unit"), coerce=id_choice, validators=[Optional()])
    partner = SelectField(_l("Partner organization"), coerce=id_choice, validators=[Optional()])
