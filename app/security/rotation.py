"""Re-encryption of every sealed value under the newest key, in batches."""

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.security.crypto import Encrypted, encrypted_fields, key_id_of, keyset


def encrypted_models() -> list[type]:
    return [m.class_ for m in db.Model.registry.mappers if encrypted_fields(m.class_)]


def rotate(session: Session, batch: int = 500) -> Iterator[tuple[str, str, int]]:
    """For each model and encrypted field, re-seal values under another key;
    commits after each batch. Yields (table, column, values re-encrypted)."""
    newest = keyset().newest_key_id
    for model in encrypted_models():
        fields: list[Encrypted] = encrypted_fields(model)
        counts = dict.fromkeys((f.name for f in fields), 0)
        last_id = 0
        while True:
            rows = session.scalars(
                select(model).where(model.id > last_id).order_by(model.id).limit(batch)
            ).all()
            if not rows:
                break
            for row in rows:
                for field in fields:
                    blob = getattr(row, field.column_attr)
                    if blob is not None and key_id_of(blob) != newest:
                        setattr(row, field.name, getattr(row, field.name))
                        counts[field.name] += 1
            last_id = rows[-1].id
            session.commit()
        for field in fields:
            yield model.__tablename__, field.column_name(model), counts[field.name]
