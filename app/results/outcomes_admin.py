"""The organisers' review of each table's outcomes before publication (stub: helper A)."""

from flask import Blueprint, abort

from app.models import Role
from app.staff.roles import roles_required

bp = Blueprint("admin_outcomes", __name__, url_prefix="/admin/results")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.get("/")
def index():
    abort(404)
