"""Error pages: JSON under /api/, our own templates elsewhere."""

import time
from urllib.parse import urlsplit

from flask import Flask, jsonify, make_response, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.checkin.api.errors import api_error, api_http_error, is_api_request
from app.core.db_limits import RefusedInput
from app.extensions import db, limiter


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(RefusedInput, refused_input)
    app.register_error_handler(InternalServerError, internal_error)
    app.register_error_handler(403, forbidden)
    app.register_error_handler(404, not_found)
    app.register_error_handler(429, too_many_requests)


def http_error(error):
    # Under /api/ every HTTP error (an unmatched path, 405...) is JSON; elsewhere
    # Werkzeug's own page for those without a page of ours.
    return api_http_error(error) if is_api_request() else error


def refused_input(error):
    if is_api_request():
        return api_http_error(error)
    page = render_template(
        "errors/400.html", event=served_event(), reason=error.description, back_url=error.back_url
    )
    return page, 400


def internal_error(error):
    if is_api_request():
        return api_error(500, "internal_server_error", "the server failed; the request can be sent again")
    return error


def forbidden(error):
    if is_api_request():
        return api_http_error(error)
    return render_template("errors/403.html", event=served_event()), 403


def not_found(error):
    if is_api_request():
        return api_http_error(error)
    from app.events.serving import legacy_redirect

    moved = legacy_redirect()  # an address from before events had their own
    if moved is not None:
        return moved
    return render_template("errors/404.html", event=served_event()), 404


def too_many_requests(error):
    limit = limiter.current_limit
    retry_after = max(1, int(limit.reset_at - time.time())) if limit is not None else None
    if request.path.startswith("/api/"):
        response = jsonify(error="too_many_requests", detail=str(error.description))
    else:
        # A refused POST saved nothing and its form is gone: the page says so, and where it was.
        page = render_template(
            "errors/429.html",
            event=served_event(),
            posted=request.method == "POST",
            form_url=_same_site_referrer() or request.path,
            retry_after=retry_after,
        )
        response = make_response(page)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response, 429


def _same_site_referrer() -> str | None:
    """The page the request came from, when it is one of ours (its path and query only)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/") or referrer.path.startswith("//"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def served_event():
    """The event an error page names (and offers help for); None when the database can't say."""
    from app.events.services import current_event

    try:
        return current_event()
    except SQLAlchemyError:
        db.session.rollback()
        return None
