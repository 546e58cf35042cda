"""The facilitators' home: the tables they work at; and the JSON contract of their pages."""

from flask import jsonify, render_template
from flask_login import current_user

from app.events.services import current_event_or_404
from app.facilitation.facilitators import tables_for
from app.facilitation.openapi import SPEC
from app.facilitation.views.blueprint import bp


@bp.route("/")
def index():
    event = current_event_or_404()
    return render_template("facilitation/index.html", event=event, tables=tables_for(current_user, event))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document of the pages' JSON endpoints (staff only, as they are)."""
    return jsonify(SPEC)
