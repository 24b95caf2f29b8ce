"""Small helpers shared by forms."""

from collections.abc import Iterable

from wtforms import SelectChoice


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
