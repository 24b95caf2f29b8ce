"""Small helpers shared by forms."""

from collections.abc import Iterable

from wtforms import SelectChoice


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def stale(obj, submitted: str | None) -> bool:
    """True when a form was loaded from an older version of the object
    (optimistic locking: the form carries the version it was built from)."""
    return str(obj.version) != (submitted or "")
