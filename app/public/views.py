"""Public pages: the event home, the privacy notice and the language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from ..services.events import current_event
from ..services.registration import places_left

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    event = current_event()
    if event is None:
        return render_template("public/no_event.html"), 404
    return render_template("public/home.html", event=event, places_left=places_left(event))


@bp.route("/privacy")
def privacy():
    return render_template("public/privacy.html", event=current_event())


@bp.route("/lang/<code>")
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session.permanent = True
    session["lang"] = code
    target = request.args.get("next") or url_for("public.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):  # no open redirect
        target = url_for("public.home")
    return redirect(target)
