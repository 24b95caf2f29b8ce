from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from app.accounts.roles import ORG_KIND_LABELS, ROLE_LABELS
from app.formtools import SendaForm, choices

# Each language named in itself, and marked as such for screen readers.
LANGUAGE_CHOICES = [SelectChoice(code, name, render_kw={"lang": code}) for code, name in (("es", "Español"), ("en", "English"))]


class UserForm(SendaForm):
    version = HiddenField()
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Length(min=3, max=60, message=_l("Use between 3 and 60 characters.")),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use only letters, digits, dots, dashes and underscores.")),
        ],
        render_kw={"autocapitalize": "none", "autocomplete": "off"},
    )
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the full name.")), Length(max=120)],
    )
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Email(_l("Enter a valid email address."), check_deliverability=False), Length(max=200)],
    )
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()))
    organization_id = SelectField(_l("Organization"), coerce=int)
    scope = TextAreaField(
        _l("Scope"),
        description=_l(
            "Codes separated by commas: a country (SV), a department (SV-SS) or a municipality "
            "(SV-SS-001). See the Geography page for codes."
        ),
        validators=[Length(max=4000)],
    )
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class ResetPasswordForm(SendaForm):
    submit = SubmitField(_l("Issue a temporary password"))


class OrganizationForm(SendaForm):
    version = HiddenField()
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=160)])
    kind = SelectField(_l("Kind"), choices=choices(ORG_KIND_LABELS.items()))
    country_code = SelectField(_l("Country"))
    municipalities = TextAreaField(
        _l("Municipalities served"),
        description=_l("Municipality codes separated by commas, e.g. SV-SS-001, SV-SS-002."),
        validators=[Length(max=8000)],
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class UserFilterForm(SendaForm):
    class Meta:
        csrf = False

    q = StringField(_l("Username"), validators=[Optional(), Length(max=60)])
    role = SelectField(_l("Role"), choices=choices([("", _l("All roles")), *ROLE_LABELS.items()]),
                       validators=[Optional()])
