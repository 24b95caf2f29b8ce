"""Consent in force, per purpose, recomputed from its history."""

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.youth import codes
from app.youth.models import FOREVER, Consent, Youth


def refresh_consent(youth: Youth, today: date) -> None:
    """Recompute, per purpose, until when consent is in force."""
    consents = db.session.scalars(select(Consent).where(Consent.youth_id == youth.id)).all()
    for purpose in codes.CONSENT_PURPOSES:
        valid = [c for c in consents if c.purpose == purpose and c.in_force_on(today)]
        until = max((c.expires_on or FOREVER for c in valid), default=None)
        setattr(youth, f"{purpose}_consent_until", until)


def has_consent(youth: Youth, purpose: str, day: date) -> bool:
    until = getattr(youth, f"{purpose}_consent_until")
    return until is not None and until >= day
