"""Risk screening: instruments defined as data, and screenings of youth."""

from flask import Blueprint

bp = Blueprint("screening", __name__)
