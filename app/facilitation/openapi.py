"""OpenAPI 3.1 description of the JSON endpoints of the facilitators' pages, served to
facilitators and admins at /facilitators/openapi.json, generated from the models in
schemas.py (the ones the views validate requests with and shape answers through).

These endpoints serve the pages' own scripts: a signed-in session (its cookie) and, to
change anything, the CSRF token of the page (the X-CSRFToken header). What is not the
endpoints' own answers is an HTML page, as everywhere outside /api/: a table that is not
the user's (403), a table, round or event that does not exist (404), a refused CSRF token.
"""

from app.core.openapi import SchemaComponents, json_content, path_parameter, query_parameters
from app.facilitation import schemas

_COMPONENTS = SchemaComponents(
    [
        (schemas.MarkAttendance, "validation"),
        (schemas.ScanBadge, "validation"),
        (schemas.SaveNotes, "validation"),
        (schemas.AttendanceAnswer, "serialization"),
        (schemas.Roster, "serialization"),
        (schemas.NotesState, "serialization"),
        (schemas.SaveAnswer, "serialization"),
        (schemas.Synthesis, "serialization"),
        (schemas.Error, "serialization"),
    ]
)
_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}
_AN_ERROR = json_content(_COMPONENTS.ref(schemas.Error))

ERRORS = {
    "302": {
        "description": "Not signed in (or the session has ended): sent to the staff sign-in page",
        "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
    },
    "400": {
        "description": "Bad request: the body or the query does not match this document (JSON, "
        "see detail), or the CSRF token is missing or wrong (an HTML page)",
        "content": {**_AN_ERROR["content"], **_HTML["content"]},
    },
    "403": {"description": "Not a table of this facilitator", **_HTML},
    "404": {"description": "No such table, round or event", **_HTML},
    # Werkzeug's router, not the view: a save whose path holds a number past the database's
    # range matches no route by POST (the path is the notes page's).
    "405": {"description": "A table id or round past the database's range (no such route)", **_HTML},
    "413": {"description": "The body is larger than 2 MB", **_AN_ERROR},
}


def _answers(ok: type, *errors: str, refused: tuple[str, str] | None = None) -> dict:
    """200 with ``ok``; ``refused`` (status, description): an answer of the same model."""
    answers = {"200": {"description": "OK", **json_content(_COMPONENTS.ref(ok))}}
    if refused is not None:
        status, description = refused
        answers[status] = {"description": description, **json_content(_COMPONENTS.ref(ok))}
    return {**answers, **{status: ERRORS[status] for status in sorted({"302", *errors})}}


_TABLE_ID = path_parameter("table_id", schemas.DatabaseId, "A table the user facilitates")
_ROUND = path_parameter("round", schemas.WholeNumber, "A round of the café, or 0 for the closing summary")
_REFUSED_MARK = ("422", "Refused (not on this table's list, forged badge...): nothing written")
_MARK_ANSWERS = _answers(schemas.AttendanceAnswer, "400", "403", "404", "413", refused=_REFUSED_MARK)
_CONFLICT = ("409", "A conflict: kept as a revision, nothing overwritten")
_CHANGES = [{"session": [], "csrfToken": []}]

_TABLE = "/facilitators/tables/{table_id}"
PATHS = {
    f"{_TABLE}/attendance": {
        "post": {
            "operationId": "markAttendance",
            "summary": "Tick (or untick) someone on the table's list for a round",
            "parameters": [_TABLE_ID],
            "security": _CHANGES,
            "requestBody": _COMPONENTS.body(schemas.MarkAttendance),
            "responses": _MARK_ANSWERS,
        }
    },
    f"{_TABLE}/scan": {
        "post": {
            "operationId": "scanBadge",
            "summary": "A badge scanned, or its code typed, at the table: its holder is present here",
            "parameters": [_TABLE_ID],
            "security": _CHANGES,
            "requestBody": _COMPONENTS.body(schemas.ScanBadge),
            "responses": _MARK_ANSWERS,
        }
    },
    f"{_TABLE}/roster.json": {
        "get": {
            "operationId": "roster",
            "summary": "The table's list for a round, with check-in and presence",
            "parameters": [_TABLE_ID, *query_parameters(schemas.RosterQuery)],
            "responses": _answers(schemas.Roster, "400", "403", "404"),
        }
    },
    f"{_TABLE}/notes/{{round}}.json": {
        "get": {
            "operationId": "notesState",
            "summary": "The sheet of a round as saved, with the conflicts not yet merged",
            "parameters": [_TABLE_ID, _ROUND],
            "responses": _answers(schemas.NotesState, "403", "404"),
        }
    },
    f"{_TABLE}/notes/{{round}}": {
        "get": {
            "operationId": "notesPage",
            "summary": "The notes page itself (HTML), which posts its saves here",
            "parameters": [_TABLE_ID, _ROUND],
            "responses": {
                "200": {"description": "The page", **_HTML},
                **{status: ERRORS[status] for status in ("302", "403", "404")},
            },
        },
        "post": {
            "operationId": "saveNotes",
            "summary": "Save a sheet, based on a version; never overwrites a newer one",
            "parameters": [_TABLE_ID, _ROUND],
            "security": _CHANGES,
            "requestBody": _COMPONENTS.body(schemas.SaveNotes),
            "responses": _answers(schemas.SaveAnswer, "400", "403", "404", "405", "413", refused=_CONFLICT),
        },
    },
    "/synthesis/data.json": {
        "get": {
            "operationId": "synthesis",
            "summary": "Every table's key insights and proposals, for the projector",
            "responses": _answers(schemas.Synthesis, "404"),
        }
    },
    "/facilitators/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {
                "200": {"description": "OK", **json_content({"type": "object"})},
                "302": ERRORS["302"],
            },
        }
    },
}

SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "Noi Day facilitators' pages: JSON endpoints",
        "version": "1",
        "description": "Attendance, notes and the synthesis, as the facilitators' pages use them. "
        "Sign in as a facilitator (or an admin); send the page's CSRF token with every POST. "
        "Errors of these endpoints answer JSON: {error, detail}. "
        "The paths are each event's: under /<event-slug>, as this document is.",
    },
    "components": {
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
        },
        "schemas": _COMPONENTS.schemas,
    },
    "security": [{"session": []}],
    "paths": PATHS,
}
