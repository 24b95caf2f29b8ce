"""Community-policing sessions, G.R.E.A.T. cohorts, attendance and imports."""

from flask import Blueprint

bp = Blueprint("policing", __name__)

from app.policing import routes, routes_cohorts, routes_import  # noqa: E402,F401
