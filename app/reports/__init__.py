"""Outcome summaries per municipality for managers: aggregates only."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
