"""Prevention programs and enrollment."""

from flask import Blueprint

bp = Blueprint("programs", __name__)
