from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app.filters import FilterDateField, code_text
from app.formtools import SendaForm, choices


class SummaryForm(SendaForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    period = SelectField(_l("Period"), choices=choices([("quarter", _l("Quarter")), ("year", _l("Year")),
                                                        ("custom", _l("Custom dates"))]), validators=[Optional()])
    value = SelectField(_l("Quarter or year"), validators=[Optional()])
    start = FilterDateField(_l("From"), validators=[Optional()])
    end = FilterDateField(_l("To"), validators=[Optional()])
    level = SelectField(_l("Level"), choices=choices([("country", _l("Country")), ("department", _l("Department")),
                                                      ("municipality", _l("Municipality"))]), validators=[Optional()])
    parent = StringField(_l("Within"), validators=[Optional(), Length(max=16), code_text])
    indicator = SelectField(_l("Indicator for the chart"), validators=[Optional()])
