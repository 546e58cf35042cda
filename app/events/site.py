"""The instance's own pages: the home that lists the events, the language switch, the
health check."""

from datetime import date

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from app.core.urls import safe_redirect_target
from app.extensions import db
from app.models import Event

bp = Blueprint("site", __name__)


@bp.route("/")
def index():
    """Upcoming events, then past ones; with a single event, that event's home."""
    events = db.session.scalars(select(Event).order_by(Event.date, Event.id)).all()
    if not events:
        return render_template("events/no_event.html"), 404
    if len(events) == 1:
        return redirect(url_for("public.home", event_slug=events[0].slug))
    today = date.today()
    upcoming = [event for event in events if event.date >= today]
    past = [event for event in reversed(events) if event.date < today]
    return render_template("events/index.html", upcoming=upcoming, past=past)


@bp.route("/lang/<code>")
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session.permanent = True
    session["lang"] = code
    return redirect(safe_redirect_target(request.args.get("next"), url_for("site.index")))


@bp.route("/healthz")
def health():
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
