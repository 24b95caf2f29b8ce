"""Small helpers shared by forms."""

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import SelectChoice

from app.extensions import db


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


def stale(obj, submitted: str | None) -> bool:
    """True when a form was loaded from an older version of the object
    (optimistic locking: the form carries the version it was built from)."""
    return str(obj.version) != (submitted or "")


def claim_version(obj, submitted: str | None) -> bool:
    """Optimistic lock for rows whose version the services raise by hand
    (users, youth): raise it in the database only if it is still the version
    the form was built from. Of two saves racing from the same form, exactly
    one goes through; False (and nothing changed) for the other."""
    if stale(obj, submitted):
        return False
    table = type(obj).__table__
    claimed = db.session.execute(update(table).where(table.c.id == obj.id, table.c.version == obj.version)
                                 .values(version=table.c.version + 1)).rowcount == 1
    if claimed:
        set_committed_value(obj, "version", obj.version + 1)
    return claimed
