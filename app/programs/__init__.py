"""Prevention programs and enrollment."""

from flask import Blueprint

bp = Blueprint("programs", __name__)

from app.programs import routes  # noqa: E402,F401
