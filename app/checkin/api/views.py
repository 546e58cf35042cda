"""The check-in JSON API, used by the desk page and by any other desk client.

Every route needs a desk device's bearer token (see auth.py); requests are validated
with the models of schemas.py, from which the spec served at /api/v1/openapi.json is made.
Errors answer JSON (errors.py).
"""

from contextlib import nullcontext

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import force_locale
from pydantic import BaseModel, ValidationError

from app.checkin import points, queries
from app.checkin import services as checkin
from app.checkin.api.auth import device_required, rate_limit_key
from app.checkin.api.errors import api_error
from app.checkin.api.openapi import SPEC
from app.checkin.api.schemas import CheckInRequest, LanguageQuery, ReinstateRequest, ScanRequest, SearchQuery
from app.checkin.api.serializers import (
    check_in_json,
    outcome_json,
    point_outcome_json,
    point_scan_json,
    search_result_json,
)
from app.core.db_limits import RefusedInput
from app.core.openapi import describe
from app.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")


# A desk scans every couple of seconds; this stops a runaway client, not a busy desk.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)
csrf.exempt(bp)  # token-authenticated, no cookies: CSRF does not apply


def _valid(model: type[BaseModel], data):
    """``data`` as ``model``, or a 400 whose detail names the field and what is wrong."""
    try:
        if isinstance(data, dict):  # the query string
            return model.model_validate(data)
        return model.model_validate_json(data)
    except ValidationError as error:
        raise RefusedInput(describe(error)) from None


def _json_body(model: type[BaseModel]):
    if not request.is_json:
        raise RefusedInput("send a JSON object, with Content-Type: application/json")
    return _valid(model, request.get_data())


def _outcome_answer(outcome: checkin.ScanOutcome | points.PointOutcome, language: str | None):
    if outcome.request_id_reused:
        return api_error(409, "conflict", "this request_id was already used for another check-in")
    as_json = point_outcome_json if isinstance(outcome, points.PointOutcome) else outcome_json
    with force_locale(language) if language else nullcontext():
        return jsonify(as_json(g.event, outcome))


def _answer_language() -> str | None:
    """?lang= for the answer's message (checked before anything is done); None: the
    visitor's language (session), else Italian."""
    return _valid(LanguageQuery, request.args.to_dict()).lang


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


# A 6-character typed code may stand for the signed QR here: only a paired desk can try codes,
# rate-limited, and the screen shows whose code it is; a QR is made by anyone, so it stays signed.
@bp.post("/scan")
@device_required
def scan():
    data, language = _json_body(ScanRequest), _answer_language()
    code, request_id, scanned_at = data.code[:200], data.request_id, data.scanned_at
    if data.point in (None, points.DOOR):  # the door's check-in, as before: no query more
        return _outcome_answer(checkin.scan(g.event, code, g.device, request_id, scanned_at), language)
    point = points.point_named(g.event, data.point)  # of this desk's event only
    if point is None:
        names = ", ".join(p.key for p in points.points_of(g.event))
        # Like another event's id: not found here (a well-formed key the event has not).
        return api_error(
            404, "not_found", f"'point' is not a check-in point of this event (its points: {names})"
        )
    outcome = points.scan_at_point(g.event, point, code, g.device, request_id, scanned_at)
    return _outcome_answer(outcome, language)


@bp.post("/checkins")
@device_required
def check_in():
    data, language = _json_body(CheckInRequest), _answer_language()
    outcome = checkin.check_in_attendee(g.event, data.attendee_id, g.device, data.request_id, data.scanned_at)
    if outcome is None:
        return api_error(404, "not_found")
    return _outcome_answer(outcome, language)


@bp.post("/checkins/<int:check_in_id>/undo")
@device_required
def undo(check_in_id):
    undone = checkin.undo_check_in(check_in_id, g.event, actor=f"desk:{g.device.name}")
    if undone is None:
        return api_error(404, "not_found")
    return jsonify(ok=True, check_in=check_in_json(g.event, undone))


@bp.post("/point-scans/<int:scan_id>/undo")
@device_required
def undo_point_scan(scan_id):
    undone = points.undo_point_scan(scan_id, g.event, actor=f"desk:{g.device.name}")
    if undone is None:
        return api_error(404, "not_found")
    return jsonify(ok=True, check_in=point_scan_json(g.event, undone))


@bp.post("/attendees/<int:attendee_id>/reinstate")
@device_required
def reinstate(attendee_id):
    """Someone who cancelled and came anyway: taken back and checked in, in one step. Never
    queued offline by the desk: it needs the server's count of places."""
    data, language = _json_body(ReinstateRequest), _answer_language()
    outcome = checkin.reinstate_and_check_in(
        g.event, attendee_id, g.device, data.request_id, data.reason.strip(), data.scanned_at
    )
    if outcome is None:
        return api_error(404, "not_found")
    return _outcome_answer(outcome, language)


@bp.get("/attendees")
@device_required
def search():
    query = _valid(SearchQuery, request.args.to_dict())
    text = query.q.strip()[:100]
    if len(text) < 2:
        return jsonify(results=[])
    return jsonify(
        results=[search_result_json(g.event, a) for a in queries.search_attendees(g.event, text, query.limit)]
    )


@bp.get("/counters")
@device_required
def counters():
    return jsonify(queries.counters(g.event))
