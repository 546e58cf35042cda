"""The organisers' page of the day in figures, updating through the day (stub: helper C)."""

from flask import Blueprint, abort

from app.models import Role
from app.staff.roles import roles_required

bp = Blueprint("admin_figures", __name__, url_prefix="/admin/results/figures")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.get("/")
def figures():
    abort(404)
