from flask import Blueprint

bp = Blueprint("youth", __name__)
