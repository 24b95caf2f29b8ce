"""Instruments stored in the database. Screening a youth is a case
transition: app.cases.lifecycle.screen."""

from pathlib import Path

from sqlalchemy import select

from app.cases.lifecycle import screen as record_screening  # noqa: F401  (app/demo: the case transition)
from app.extensions import db
from app.screening.instrument import InstrumentError, definition_of, parse  # noqa: F401
from app.screening.models import InstrumentVersion

INSTRUMENT_DIR = Path(__file__).resolve().parent.parent / "data" / "instruments"


def load_definition(data: dict) -> tuple[InstrumentVersion, bool]:
    """Store a validated definition; returns it and whether it is new. A
    published version never changes: a different text under the same
    version is refused."""
    instrument = parse(data)
    existing = db.session.scalar(select(InstrumentVersion).where(
        InstrumentVersion.code == instrument.code, InstrumentVersion.version == instrument.version))
    if existing is not None:
        if existing.definition != data:
            raise InstrumentError(
                f"{instrument.code} version {instrument.version} is already loaded with other content; "
                "publish changes as a new version")
        return existing, False
    for older in db.session.scalars(select(InstrumentVersion).where(InstrumentVersion.code == instrument.code)):
        older.active = False
    stored = InstrumentVersion(code=instrument.code, version=instrument.version, definition=data, active=True)
    db.session.add(stored)
    db.session.flush()
    return stored, True


def active_instrument() -> InstrumentVersion | None:
    return db.session.scalar(select(InstrumentVersion).where(InstrumentVersion.active.is_(True))
                             .order_by(InstrumentVersion.id.desc()).limit(1))
