"""SQL expressions that differ between SQLite and PostgreSQL."""

from sqlalchemy import Integer, cast, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from app.extensions import db


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def days_between(earlier, later) -> ColumnElement:
    """Whole days from `earlier` to `later` (date columns)."""
    if is_sqlite():
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier


def year_of(column) -> ColumnElement:
    if is_sqlite():
        return cast(func.strftime("%Y", column), Integer)
    return cast(func.extract("year", column), Integer)


def upsert(model, bind=None):
    """An INSERT that takes ``on_conflict_do_update``: each dialect has its own construct."""
    name = (bind or db.engine).dialect.name
    return (postgresql if name == "postgresql" else sqlite).insert(model)
