"""The public page of the day's results (stub: helper A)."""

from flask import Blueprint, abort

bp = Blueprint("results", __name__, url_prefix="/results")


@bp.get("/")
def outcomes():
    abort(404)
