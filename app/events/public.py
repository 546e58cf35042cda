"""Public pages: the event home, the privacy notice and the language switch."""

import time

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.core.urls import safe_redirect_target
from app.events.services import current_event
from app.extensions import db
from app.registration.places import places_left

bp = Blueprint("public", __name__)


# The home page is the same for every anonymous visitor in a language, and it takes the
# rush when the invitation goes out: each process keeps it for a few seconds. Only the
# "places left" notice can lag by that much; registering always counts places afresh.
_home_pages: dict[str, tuple[float, str]] = {}


@bp.route("/")
def home():
    personal = current_user.is_authenticated or session.get("_flashes")
    key = str(get_locale())
    cached = None if personal else _home_pages.get(key)
    if cached and time.monotonic() - cached[0] < current_app.config["HOME_PAGE_CACHE_SECONDS"]:
        return cached[1]
    event = current_event()
    if event is None:
        return render_template("events/no_event.html"), 404
    page = render_template("events/home.html", event=event, places_left=places_left(event))
    if not personal:
        _home_pages[key] = (time.monotonic(), page)
    return page


@bp.route("/privacy")
def privacy():
    return render_template("events/privacy.html", event=current_event())


@bp.route("/lang/<code>")
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session.permanent = True
    session["lang"] = code
    return redirect(safe_redirect_target(request.args.get("next"), url_for("public.home")))


@bp.route("/healthz")
def health():
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
