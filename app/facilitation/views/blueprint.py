"""The ``facilitators`` blueprint and what all its pages share.

Every route with a table id in its URL is checked in ``_load_table`` before the view runs:
a facilitator of another table gets 403, a missing table 404. JSON bodies are read through
the models of app/facilitation/schemas.py; a refused one is a 400 whose JSON says why.
"""

from typing import TypeVar

from flask import Blueprint, abort, flash, g, jsonify, make_response, redirect, request, url_for
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from app.core.db_limits import contains_nul
from app.core.openapi import describe
from app.events.services import current_event_or_404
from app.facilitation import attendance, notes, photos
from app.facilitation.facilitators import table_to_facilitate
from app.facilitation.views.messages import photo_refusal
from app.models import Role
from app.reporting.report import round_title
from app.staff.roles import roles_required

bp = Blueprint("facilitators", __name__, url_prefix="/facilitators")
JSON_MAX_BYTES = 2 * 2**20
Model = TypeVar("Model", bound=BaseModel)


@bp.url_value_preprocessor
def _limit_request_size(endpoint, values):
    # Runs before CSRF reads the form: a body past the limit is refused unread (413).
    photo_upload = endpoint == "facilitators.photos_page"
    request.max_content_length = photos.max_photo_bytes() + 256 * 1024 if photo_upload else JSON_MAX_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    if request.endpoint == "facilitators.photos_page":
        flash(photo_refusal(photos.PhotoResult.TOO_LARGE), "error")
        return redirect(url_for(".photos_page", **request.view_args))
    return jsonify(error="too_large"), 413


@bp.before_request
@roles_required(Role.FACILITATOR, Role.ADMIN)
def require_facilitator_role():
    """Every page is for facilitators and admins."""


@bp.before_request
def _load_table():
    """The table in the URL, if it is of the event being served and the current user may
    work at it (a table of another event is 404, as a missing one)."""
    table_id = (request.view_args or {}).get("table_id")
    if table_id is None:
        return
    event = current_event_or_404()
    table, allowed = table_to_facilitate(current_user, table_id)
    if table is None or table.event_id != event.id:
        abort(404)
    if not allowed:
        abort(403)
    g.table, g.event = table, event


@bp.after_request
def _not_stored(response):
    # Names and notes: never kept by a shared cache (the notes page's own offline copy
    # lives in its service worker's cache, on the facilitator's device).
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def round_or_404(round: int, with_summary: bool) -> int:
    """A round of the table's event (or the closing summary, where notes are concerned)."""
    allowed = attendance.attendance_rounds(g.event)
    if round not in allowed and not (with_summary and round == notes.SUMMARY_ROUND):
        abort(404)
    return round


def nav(active: str, round: int | None = None) -> dict:
    """What the table's pages need to draw their navigation (templates/facilitation/_nav.html)."""
    rounds = attendance.attendance_rounds(g.event)
    return {
        "table": g.table,
        "event": g.event,
        "rounds": rounds,
        "note_rounds": [*rounds, notes.SUMMARY_ROUND],
        "round_title": round_title,
        "active": active,
        "round": round,
    }


# ---- JSON in and out ------------------------------------------------------------------------


def refuse(detail: str):
    """Stop the request with a 400 the page's script can read."""
    abort(make_response(jsonify(error="bad_request", detail=detail), 400))


def json_body(model: type[Model]) -> Model:
    """The request's JSON body as ``model``, or a 400 whose detail says what is wrong."""
    if not request.is_json:
        refuse("send a JSON object, with Content-Type: application/json")
    if contains_nul(request.get_json(silent=True)):  # keys too: no column can store it
        refuse("the text holds a NUL character")
    return valid(model, request.get_data())


def valid(model: type[Model], data: bytes | dict) -> Model:
    """``data`` (a JSON text, or a query string's values) as ``model``, or a 400."""
    try:
        return model.model_validate(data) if isinstance(data, dict) else model.model_validate_json(data)
    except ValidationError as error:
        refuse(describe(error))


def json_answer(answer: BaseModel, status: int = 200, **dump_options):
    return jsonify(answer.model_dump(mode="json", **dump_options)), status
