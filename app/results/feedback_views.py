"""The questionnaire's page for attendees and the organisers' page (stub: helper D)."""

from flask import Blueprint, abort

from app.models import Role
from app.staff.roles import roles_required

bp = Blueprint("feedback", __name__, url_prefix="/feedback")
admin_bp = Blueprint("admin_feedback", __name__, url_prefix="/admin/results/feedback")


@admin_bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.route("/<token>", methods=["GET", "POST"])
def answer(token):
    abort(404)


@admin_bp.route("/", methods=["GET", "POST"])
def feedback():
    abort(404)
