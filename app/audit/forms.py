from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app.filters import FilterDateField, code_text
from app.formtools import SendaForm, choices

OUTCOMES = (("allowed", _l("Allowed")), ("denied", _l("Denied")), ("failed", _l("Failed")))


class AuditFilterForm(SendaForm):
    class Meta:
        csrf = False  # a GET filter: changes nothing

    start = FilterDateField(_l("From"), validators=[Optional()])
    end = FilterDateField(_l("To"), validators=[Optional()])
    username = StringField(_l("User"), validators=[Optional(), Length(max=60)])
    action = SelectField(_l("Action"), validators=[Optional()])
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=40)])
    object_id = StringField(_l("Object id"), validators=[Optional(), Length(max=64)])
    outcome = SelectField(_l("Outcome"), choices=choices([("", _l("Any outcome")), *OUTCOMES]),
                          validators=[Optional()])


class CaseHistoryForm(SendaForm):
    class Meta:
        csrf = False

    code = StringField(_l("Case code"), validators=[Optional(), Length(max=40), code_text])
