"""Drop-down choices of the policing forms, scoped to the user (the views
build them; the services never do)."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.accounts.models import Organization, User
from app.extensions import db
from app.formtools import data_choices
from app.security.policy import records_for_own_unit, visible_organizations


def keeping(found, kept) -> list:
    """Choices from a scoped query, plus what the record being edited already
    names (so that an old record outside the user's scope can still be saved)."""
    found = list(found)
    ids = {o.id for o in found}
    return found + [k for k in kept if k is not None and k.id not in ids]


def offered_only(form, field) -> None:
    """A validator: what was posted is among the field's choices, which are
    scoped to the user's countries (a clearer message than WTForms' own)."""
    offered = {choice.value for choice in field.choices}
    posted = field.data if isinstance(field.data, list) else [field.data]
    if any(value not in offered for value in posted):
        raise ValidationError(_l("Choose from the list: only those of your countries can be chosen."))


def restrict_to_choices(*fields) -> None:
    for field in fields:
        field.validate_choice = False
        field.validators = [*field.validators, offered_only]  # a new list: the class's one is shared


def police_unit_choices(user: User, kept=None):
    """A police officer records for their own unit; a coordinator chooses one
    of the units of their countries."""
    if records_for_own_unit(user):
        return data_choices([(user.organization_id, user.organization.name),
                             *((k.id, k.name) for k in [kept] if k is not None and k.id != user.organization_id)])
    units = db.session.scalars(visible_organizations(user).where(Organization.kind == "police_unit"))
    return data_choices((o.id, o.name) for o in keeping(units, [kept]))
