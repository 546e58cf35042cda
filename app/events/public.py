"""An event's public pages: its home (/<event-slug>/) and the privacy notice."""

import time

from flask import Blueprint, current_app, render_template, session
from flask_babel import get_locale
from flask_login import current_user

from app.events.services import current_event
from app.registration.places import places_left

bp = Blueprint("public", __name__)


# The home page is the same for every anonymous visitor in a language, and it takes the
# rush when the invitation goes out: each process keeps it for a few seconds. Only the
# "places left" notice can lag by that much; registering always counts places afresh.
_home_pages: dict[str, tuple[float, str]] = {}


@bp.route("/", strict_slashes=False)  # /<slug> too: an unknown word gets its 404 at once
def home():
    personal = current_user.is_authenticated or session.get("_flashes")
    event = current_event()
    key = f"{event.slug} {get_locale()}"
    cached = None if personal else _home_pages.get(key)
    if cached and time.monotonic() - cached[0] < current_app.config["HOME_PAGE_CACHE_SECONDS"]:
        return cached[1]
    page = render_template("events/home.html", event=event, places_left=places_left(event))
    if not personal:
        _home_pages[key] = (time.monotonic(), page)
    return page


@bp.route("/privacy")
def privacy():
    return render_template("events/privacy.html", event=current_event())
