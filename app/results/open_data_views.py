"""Open data: the figures and published outcomes as CSV and JSON, with DCAT-AP_IT
metadata (stub: helper E)."""

from flask import Blueprint, abort

bp = Blueprint("open_data", __name__, url_prefix="/results/open-data")


@bp.get("/")
def index():
    abort(404)
