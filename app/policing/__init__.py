"""Community-policing sessions, G.R.E.A.T. cohorts, attendance and imports."""

from flask import Blueprint

bp = Blueprint("policing", __name__)
