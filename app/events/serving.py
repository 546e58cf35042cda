"""Each event at its own address: /<event-slug>/... for its public pages, personal links,
badges, certificates and the staff pages under it.

The slug is taken off the URL before the view runs and the event put in ``g.event``
(current_event()); url_for() puts it back for links to the same event. Links made before
events had their own address (/register, /r/<token>, /admin/...) are answered with a
permanent redirect (308, which keeps a POST a POST): to the event a personal token names,
else to default_event(). Badges and e-mails already sent stay valid.
"""

from contextlib import contextmanager

from flask import Flask, abort, current_app, g, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.extensions import db
from app.models import Event

EVENT_PREFIX = "/<event_slug>"

# First path segments of the instance's own pages, and of the event pages' old addresses:
# an event may not take them as its slug (app/events/event_file.py refuses them).
RESERVED_SLUGS = frozenset(
    {
        "admin", "api", "arrivals", "certificates", "desk", "dev", "events", "facilitators", "instance",
        "feedback", "healthz", "lang", "privacy", "r", "register", "results", "static",
        "staff", "synthesis", "unsubscribe",
    }
)  # fmt: skip


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_pull_event)
    app.url_defaults(_add_event_slug)


def _pull_event(endpoint, values) -> None:
    if not values or "event_slug" not in values:
        return
    slug = values.pop("event_slug")
    event = db.session.execute(select(Event).filter_by(slug=slug)).scalar_one_or_none()
    if event is None:
        abort(404)  # the 404 handler tries the old address first (legacy_location)
    g.event = event


def _add_event_slug(endpoint, values) -> None:
    if "event_slug" in values or not current_app.url_map.is_endpoint_expecting(endpoint, "event_slug"):
        return
    event = g.get("event")
    if event is not None:
        values["event_slug"] = event.slug


@contextmanager
def serving(event: Event):
    """Links made in the block (e-mails rendered by the sender, the command line) are
    ``event``'s, as if a request for one of its pages were being answered."""
    previous = g.get("event")
    g.event = event
    try:
        yield event
    finally:
        g.event = previous


def legacy_location(method: str, path: str, query: str) -> str | None:
    """Where an address without an event slug now lives, or None when it names nothing."""
    first = path.strip("/").split("/", 1)[0]
    if first and db.session.execute(select(Event.id).filter_by(slug=first)).first():
        return None  # the event exists: its page really isn't there
    event = _default_event()
    if event is None:
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, args = adapter.match(f"/{event.slug}{path}", method=method)
    except RequestRedirect as redirect:  # "/admin" for "/admin/"
        return redirect.new_url.removeprefix("http://localhost") + (f"?{query}" if query else "")
    except HTTPException:
        return None
    owner = _event_named_by(endpoint, args)
    slug = owner.slug if owner is not None else event.slug
    return f"/{slug}{path}" + (f"?{query}" if query else "")


def _default_event() -> Event | None:
    from app.events.services import default_event

    return default_event()


def _event_named_by(endpoint: str, args: dict) -> Event | None:
    """The event a personal link's token belongs to (old links of any event, not only the
    default one, keep working); None when the address carries no such token."""
    if endpoint.startswith("registration.") and "token" in args:
        from app.registration.tokens import attendee_for_manage_token

        attendee = attendee_for_manage_token(args["token"])
        return attendee.event if attendee else None
    if endpoint == "registration.check_certificate_page":
        from app.reporting.certificates import check_certificate

        checked = check_certificate(args["code"][:200])
        return checked.attendee.event if checked else None
    return None


def legacy_redirect():
    """For the 404 handler: the permanent redirect of an old address, or None."""
    location = legacy_location(request.method, request.path, request.query_string.decode("latin-1"))
    if location is None:
        return None
    from flask import redirect

    return redirect(location, 308)
