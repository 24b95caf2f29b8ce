from flask import Blueprint

bp = Blueprint("youth", __name__)

from app.youth import routes, routes_case  # noqa: E402,F401
