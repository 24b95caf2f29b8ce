"""Optimistic locking, one scheme.

Every form that edits a row carries the row's `version`; `stale(obj,
submitted)` says whether the form was built from an older one.

- Rows whose every change is a new version (consents, programs, goals,
  sessions, classes...) let SQLAlchemy keep it: ``version_id_col``. The
  flush's UPDATE ... WHERE version = :loaded raises StaleDataError (a 409
  page) when another save landed in between.
- Rows whose version counts only some changes (a case: edits of its file and
  status moves, not the last-contact date a contact sets; a user: the admin's
  edits, not the lockout counters) raise it by hand, through this module only:
  `claim_version` (a page's save: atomic, so of two saves racing from one
  form exactly one goes through) and `raise_version` (a service's change).
  Both move the version once per transaction, however many changes it makes:
  a status change claimed by its page and applied by the lifecycle is one
  version, not two.
"""

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db

RAISED = "senda_versions_raised"


def _raised() -> set:
    """The rows whose version this transaction already raised."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that the set below belongs to the transaction the change is in
    transaction = session.get_transaction()
    held = session.info.get(RAISED)
    if held is None or held[0] is not transaction:
        held = session.info[RAISED] = (transaction, set())
    return held[1]


def stale(obj, submitted: str | None) -> bool:
    """True when a form was loaded from an older version of the object."""
    return str(obj.version) != (submitted or "")


def claim_version(obj, submitted: str | None) -> bool:
    """Raise the version in the database only if it is still the one the form
    was built from. False (and nothing changed) for the loser of a race."""
    if stale(obj, submitted):
        return False
    table = type(obj).__table__
    claimed = db.session.execute(update(table).where(table.c.id == obj.id, table.c.version == obj.version)
                                 .values(version=table.c.version + 1)).rowcount == 1
    if claimed:
        set_committed_value(obj, "version", obj.version + 1)
        _raised().add((table.name, obj.id))
    return claimed


def raise_version(obj) -> None:
    """A service changed a hand-versioned row: its version moves, once in this transaction."""
    key = (type(obj).__table__.name, obj.id)
    raised = _raised()
    if key not in raised:
        obj.version += 1
        raised.add(key)
