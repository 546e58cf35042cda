"""The synthesis (16:00, on the projector): shown by an admin, followed by facilitators;
the page polls its data feed as the tables write."""

from flask import Blueprint, render_template

from app.events.services import current_event_or_404
from app.facilitation.schemas import Synthesis
from app.facilitation.synthesis import synthesis_columns
from app.facilitation.views.blueprint import json_answer
from app.models import Role
from app.staff.roles import roles_required

synthesis_bp = Blueprint("synthesis", __name__, url_prefix="/synthesis")


@synthesis_bp.before_request
@roles_required(Role.FACILITATOR, Role.ADMIN)
def require_synthesis_role():
    """The synthesis is shown by an admin; facilitators may follow it too."""


@synthesis_bp.get("/")
def synthesis():
    event = current_event_or_404()
    return render_template("facilitation/synthesis.html", event=event, columns=synthesis_columns(event))


@synthesis_bp.get("/data.json")
def synthesis_data():
    response, status = json_answer(Synthesis(tables=synthesis_columns(current_event_or_404())))
    response.headers["Cache-Control"] = "no-store"
    return response, status
