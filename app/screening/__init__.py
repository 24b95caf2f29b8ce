"""Risk screening: instruments defined as data, and screenings of youth."""

from flask import Blueprint

bp = Blueprint("screening", __name__)

from app.screening import routes  # noqa: E402,F401
