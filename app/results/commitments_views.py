"""The commitments' public Atom feed and the organisers' page (stub: helper B)."""

from flask import Blueprint, abort

from app.models import Role
from app.staff.roles import roles_required

bp = Blueprint("commitments", __name__, url_prefix="/results")
admin_bp = Blueprint("admin_commitments", __name__, url_prefix="/admin/results/commitments")


@admin_bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.get("/commitments")
def commitments_page():
    abort(404)


@bp.get("/commitments.atom")
def feed():
    abort(404)


@admin_bp.get("/")
def commitments():
    abort(404)
