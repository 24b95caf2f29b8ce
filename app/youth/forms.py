
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from app.dates import local_today
from app.filters import id_choice
from app.formtools import OnceForm, SendaForm, choices, future_target_date, past_event_date
from app.youth import codes

NAME = [DataRequired(_l("This field is required.")), Length(max=80, message=_l("Use at most %(max)d characters."))]


def not_in_future(form, field):
    if field.data and field.data > local_today():
        raise ValidationError(_l("The date cannot be in the future."))


class YouthForm(OnceForm):
    version = HiddenField()
    given_names = StringField(_l("Given names"), validators=NAME, render_kw={"autocomplete": "off"})
    family_name_1 = StringField(_l("First family name"), validators=NAME, render_kw={"autocomplete": "off"})
    family_name_2 = StringField(_l("Second family name (optional)"),
                                validators=[Optional(), Length(max=80, message=_l("Use at most %(max)d characters."))],
                                render_kw={"autocomplete": "off"})
    birth_date = DateField(_l("Birth date"), validators=[InputRequired(_l("Enter a valid date.")), not_in_future])
    sex = SelectField(_l("Sex"), choices=choices(codes.SEXES.items()))
    municipality_id = SelectField(_l("Municipality"), coerce=int)
    community = StringField(_l("Community (colonia, barrio or cantón)"),
                            validators=[Optional(), Length(max=120, message=_l("Use at most %(max)d characters."))])
    school_status = SelectField(_l("School at intake"), choices=choices(codes.SCHOOL_STATUSES.items()))
    work_status = SelectField(_l("Work at intake"), choices=choices(codes.WORK_STATUSES.items()))
    guardian_name = StringField(_l("Guardian's name"),
                                validators=[Optional(), Length(max=120, message=_l("Use at most %(max)d characters."))],
                                description=_l("Required for youth under 18."))
    guardian_contact = StringField(_l("Guardian's phone or address"),
                                   validators=[Optional(), Length(max=160, message=_l("Use at most %(max)d characters."))])
    referral_source = SelectField(_l("Referred by"), choices=choices(codes.REFERRAL_SOURCES.items()))
    assigned_worker_id = SelectField(_l("Assigned social worker"), coerce=int)
    not_duplicate = BooleanField(_l("I checked: none of these cases is the same person"))
    submit = SubmitField(_l("Save"))

    def validate_birth_date(self, field):
        if field.data and field.data.year < 1950:
            raise ValidationError(_l("Enter a valid date."))

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the guardian rule (Optional() would skip an
        inline validator on an empty field)."""
        valid = super().validate(extra_validators)
        born = self.birth_date.data
        if born and not self.guardian_name.data:
            today = local_today()
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            if age < 18:
                self.guardian_name.errors = [*self.guardian_name.errors, _l("A guardian is required for youth under 18.")]
                valid = False
        if self.guardian_name.data and not self.guardian_contact.data:
            self.guardian_contact.errors = [*self.guardian_contact.errors, _l("Enter how to reach the guardian.")]
            valid = False
        return valid


class ConsentForm(OnceForm):
    purpose = SelectField(_l("Purpose"), choices=choices(codes.CONSENT_PURPOSES.items()))
    given_by = SelectField(_l("Given by"), choices=choices(codes.CONSENT_GIVERS.items()))
    given_on = DateField(_l("Date given"), validators=[InputRequired(_l("Enter a valid date.")), past_event_date])
    expires_on = DateField(_l("Expires on (optional)"), validators=[Optional(), future_target_date])
    submit = SubmitField(_l("Record consent"))

    def validate_expires_on(self, field):
        if field.data and self.given_on.data and field.data < self.given_on.data:
            raise ValidationError(_l("The expiry date must be after the date given."))


class WithdrawConsentForm(SendaForm):
    version = HiddenField()
    submit = SubmitField(_l("Withdraw"))


class StatusForm(SendaForm):
    version = HiddenField()
    to_status = SelectField(_l("New status"))
    exit_reason = SelectField(_l("Exit reason"),
                              choices=choices([("", _l("Choose a reason")), *codes.EXIT_REASONS.items()]),
                              validators=[Optional()])
    submit = SubmitField(_l("Change status"))

    def validate_exit_reason(self, field):
        if self.to_status.data in codes.EXIT_STATUSES and not field.data:
            raise ValidationError(_l("Choose why the case leaves the program."))


class ReopenForm(SendaForm):
    version = HiddenField()
    submit = SubmitField(_l("Reopen the case"))


class AssignForm(SendaForm):
    worker_id = SelectField(_l("Assigned social worker"), coerce=int)
    submit = SubmitField(_l("Reassign"))


class ShareForm(SendaForm):
    worker_id = SelectField(_l("Share with"), coerce=int)
    submit = SubmitField(_l("Share the case"))


# The reference of a subject-access request is kept on the audit event: an
# identifier from the organization's register of requests, never a name.
REQUEST_REFERENCE = r"\A[A-Za-z0-9][A-Za-z0-9._/-]*\Z"
REFERENCE_MAX = 40


def strip(value):
    return value.strip() if isinstance(value, str) else value


class ExportForm(SendaForm):
    reference = StringField(
        _l("Request reference"), filters=[strip],
        validators=[
            DataRequired(_l("Give the reference of the request (for example SAR-2026-014).")),
            Length(max=REFERENCE_MAX, message=_l("Use at most %(max)d characters.")),
            Regexp(REQUEST_REFERENCE,
                   message=_l("Use only letters without accents, digits, dots, dashes, underscores and slashes.")),
        ],
        description=_l("The identifier of the request in your register of requests, for example SAR-2026-014 — "
                       "never a name. It is recorded in the audit log."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": REFERENCE_MAX})
    submit = SubmitField(_l("Export the full record"))


class AnonymizeForm(SendaForm):
    confirm = BooleanField(_l("All consent was withdrawn and the youth asked to be forgotten"),
                           validators=[DataRequired(_l("Confirm to continue."))])
    submit = SubmitField(_l("Anonymize this case"))


SORTS = {
    "status": _l("Status"),
    "reassessment": _l("Reassessment due"),
    "contact": _l("Last contact"),
    "referred": _l("Referral date"),
}


class CaseloadForm(SendaForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or case code"), validators=[Optional(), Length(max=120)])
    status = SelectField(_l("Status"), choices=choices([("", _l("Open cases")), ("all", _l("All")),
                                                       *codes.STATUSES.items()]), validators=[Optional()])
    program = SelectField(_l("Program"), coerce=id_choice, validators=[Optional()])
    municipality = SelectField(_l("Municipality"), coerce=id_choice, validators=[Optional()])
    worker = SelectField(_l("Social worker"), coerce=id_choice, validators=[Optional()])
    overdue = BooleanField(_l("Reassessment overdue"))
    no_contact = BooleanField(_l("No contact in 30 days"))
    sort = SelectField(_l("Sort by"), choices=choices(SORTS.items()), validators=[Optional()])
