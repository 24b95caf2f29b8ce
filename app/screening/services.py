"""Instruments stored in the database and screenings of youth."""

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.screening.instrument import Instrument, InstrumentError, parse, score
from app.screening.models import InstrumentVersion, Screening
from app.youth import codes
from app.youth.models import Youth

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


_PARSED: dict[str, Instrument] = {}


def definition_of(stored: InstrumentVersion) -> Instrument:
    """The parsed instrument (cached by its content: versions never change)."""
    key = json.dumps(stored.definition, sort_keys=True)
    if key not in _PARSED:
        _PARSED[key] = parse(stored.definition)
    return _PARSED[key]


def record_screening(youth: Youth, stored: InstrumentVersion, answers: dict[str, int],
                     flags: dict[str, bool], screened_on: date, user: User) -> Screening:
    """Score and store a screening; the case moves from referred to screened."""
    from app.programs.services import after_screening
    from app.youth.services import audit_case, change_status

    result = score(definition_of(stored), answers, flags)
    earlier = db.session.scalar(select(Screening.id).where(Screening.youth_id == youth.id).limit(1))
    screening = Screening(
        youth_id=youth.id, instrument_id=stored.id, screened_on=screened_on,
        kind="reassessment" if earlier else "baseline", answers=answers,
        scale_scores=result.scale_scores, scales_at_threshold=len(result.scales_at_threshold),
        gang_involvement=flags.get("gang_involvement", False), justice_contact=flags.get("justice_contact", False),
        level=result.level, reason=result.reason, screened_by_id=user.id,
    )
    db.session.add(screening)
    db.session.flush()
    if youth.status == codes.REFERRED:
        change_status(youth, codes.SCREENED, user, screened_on, manual=False)
    after_screening(youth, screened_on)
    audit_case("screening.create", youth, detail=f"screening={screening.id};level={result.level}")
    return screening
