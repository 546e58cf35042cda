"""The instance's own staff pages (instance administrators): organiser groups, their
events and organisers, and new events from a file."""

from flask import Blueprint, render_template

from app.events import organisers
from app.events.services import events_of_group
from app.staff.roles import instance_admin_required

bp = Blueprint("instance_admin", __name__, url_prefix="/instance")


@bp.before_request
@instance_admin_required
def require_instance_admin():
    """Every page here is for instance administrators only."""


@bp.route("/")
def index():
    groups = [(group, events_of_group(group)) for group in organisers.all_groups()]
    return render_template("instance/index.html", groups=groups)
