"""The check-in JSON API, used by the desk page and by any other desk client.

Every route needs a desk device's bearer token (see auth.py); the spec is served at
/api/v1/openapi.json.
"""

from contextlib import nullcontext
from datetime import UTC, datetime

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import force_locale

from ..extensions import csrf, limiter
from ..services import checkin
from .auth import device_required, rate_limit_key
from .openapi import SPEC
from .serializers import check_in_json, outcome_json, search_result_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")


# A desk scans every couple of seconds; this stops a runaway client, not a busy desk.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)
csrf.exempt(bp)  # token-authenticated, no cookies: CSRF does not apply


def _body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _request_id(data) -> str | None:
    value = data.get("request_id")
    return value[:64] if isinstance(value, str) and value.strip() else None


def _scanned_at(data) -> datetime | None:
    value = data.get("scanned_at")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _bad_request(detail: str):
    return jsonify(error="bad_request", detail=detail), 400


def _in_language():
    """Messages in ?lang= when given, else the visitor's language (session), else Italian."""
    lang = request.args.get("lang")
    return force_locale(lang) if lang in ("it", "en") else nullcontext()


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)


@bp.get("/me")
@device_required
def me():
    return jsonify(
        desk=g.device.name,
        event={"name": g.event.display_name, "slug": g.event.slug},
        language=g.event.languages[0] if g.event.languages else "it",
    )


@bp.post("/scan")
@device_required
def scan():
    data = _body()
    code = data.get("code")
    if not isinstance(code, str):
        return _bad_request("'code' (the scanned text) is required")
    outcome = checkin.scan(g.event, code[:200], g.device, _request_id(data), _scanned_at(data))
    with _in_language():
        return jsonify(outcome_json(g.event, outcome))


@bp.post("/checkins")
@device_required
def check_in():
    data = _body()
    attendee_id = data.get("attendee_id")
    if not isinstance(attendee_id, int) or isinstance(attendee_id, bool):
        return _bad_request("'attendee_id' (an integer) is required")
    outcome = checkin.check_in_attendee(g.event, attendee_id, g.device, _request_id(data), _scanned_at(data))
    if outcome is None:
        return jsonify(error="not_found"), 404
    with _in_language():
        return jsonify(outcome_json(g.event, outcome))


@bp.post("/checkins/<int:check_in_id>/undo")
@device_required
def undo(check_in_id):
    undone = checkin.undo_check_in(check_in_id, g.event, actor=f"desk:{g.device.name}")
    if undone is None:
        return jsonify(error="not_found"), 404
    return jsonify(ok=True, check_in=check_in_json(g.event, undone))


@bp.get("/attendees")
@device_required
def search():
    text = request.args.get("q", "").strip()[:100]
    limit = min(request.args.get("limit", 20, type=int) or 20, 50)
    if len(text) < 2:
        return jsonify(results=[])
    return jsonify(
        results=[search_result_json(g.event, a) for a in checkin.search_attendees(g.event, text, limit)]
    )


@bp.get("/counters")
@device_required
def counters():
    return jsonify(checkin.counters(g.event))
