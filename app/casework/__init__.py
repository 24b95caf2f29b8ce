"""Case plan goals, service contacts, case notes and follow-ups."""

from flask import Blueprint

bp = Blueprint("casework", __name__)
