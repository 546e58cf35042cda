"""OpenAPI 3.1 description of the check-in API, served at /api/v1/openapi.json."""

_ATTENDEE = {
    "type": ["object", "null"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "organisation": {"type": ["string", "null"]},
        "participant_type_label": {"type": "string"},
        "status": {"type": "string", "enum": ["confirmed", "waitlisted", "cancelled"]},
        "tables": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "round": {"type": "integer"},
                    "name": {"type": "string"},
                    "small_table": {"type": ["string", "null"]},
                },
            },
        },
        "lunch": {"type": "boolean"},
        "dietary_needs": {"type": ["string", "null"]},
        "accessibility_needs": {"type": ["string", "null"]},
        "badge_pdf_url": {"type": "string"},
    },
}
_CHECK_IN = {
    "type": ["object", "null"],
    "properties": {
        "id": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "at_local": {"type": "string", "description": "HH:MM at the venue"},
        "desk": {"type": "string"},
        "undone_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
_OUTCOME = {
    "type": "object",
    "required": ["result", "reason", "message", "attendee", "check_in"],
    "properties": {
        "result": {"type": "string", "enum": ["green", "amber", "red"]},
        "reason": {
            "type": "string",
            "enum": [
                "checked_in",
                "already_checked_in",
                "malformed",
                "forged",
                "revoked",
                "other_event",
                "unknown_attendee",
                "cancelled",
                "waitlisted",
            ],
        },  # fmt: skip
        "message": {"type": "string", "description": "What to tell the person, in the desk's language"},
        "attendee": _ATTENDEE,
        "check_in": _CHECK_IN,
    },
}
_ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}}
_REQUEST_ID = {
    "type": "string",
    "maxLength": 64,
    "description": "Made by the client (a UUID); the same id sent again never checks in twice.",
}
_SCANNED_AT = {"type": "string", "format": "date-time", "description": "When the desk scanned (UTC)"}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _responses(ok_schema, *errors):
    answers = {"200": {"description": "OK", **_json(ok_schema)}}
    answers["401"] = {"description": "Missing or revoked desk token", **_json(_ERROR)}
    for code in errors:
        answers[code] = {"description": {"400": "Bad request", "404": "Not found"}[code], **_json(_ERROR)}
    return answers


SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "Noi Day check-in API",
        "version": "1",
        "description": "Scan badges, search attendees, undo check-ins and read counters. "
        "Each desk device authenticates with the bearer token an admin created for it.",
    },
    "servers": [{"url": "/api/v1"}],
    "components": {"securitySchemes": {"deskToken": {"type": "http", "scheme": "bearer"}}},
    "security": [{"deskToken": []}],
    "paths": {
        "/me": {
            "get": {
                "summary": "The desk this token belongs to",
                "responses": _responses({"type": "object"}),
            }
        },
        "/scan": {
            "post": {
                "summary": "Check in the holder of a scanned badge (idempotent on request_id)",
                "requestBody": _json(
                    {
                        "type": "object",
                        "required": ["code"],
                        "properties": {
                            "code": {"type": "string"},
                            "request_id": _REQUEST_ID,
                            "scanned_at": _SCANNED_AT,
                        },
                    }
                ),
                "responses": _responses(_OUTCOME, "400"),
            }
        },
        "/checkins": {
            "post": {
                "summary": "Check in an attendee found by a search (forgotten badge)",
                "requestBody": _json(
                    {
                        "type": "object",
                        "required": ["attendee_id"],
                        "properties": {
                            "attendee_id": {"type": "integer"},
                            "request_id": _REQUEST_ID,
                            "scanned_at": _SCANNED_AT,
                        },
                    }
                ),
                "responses": _responses(_OUTCOME, "400", "404"),
            }
        },
        "/checkins/{check_in_id}/undo": {
            "post": {
                "summary": "Undo a check-in (kept in the audit log)",
                "parameters": [
                    {"name": "check_in_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": _responses(
                    {"type": "object", "properties": {"ok": {"type": "boolean"}, "check_in": _CHECK_IN}},
                    "404",
                ),
            }
        },
        "/attendees": {
            "get": {
                "summary": "Search attendees by name, e-mail or organisation (at least 2 characters)",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}},
                ],
                "responses": _responses({"type": "object", "properties": {"results": {"type": "array"}}}),
            }
        },
        "/counters": {
            "get": {
                "summary": "Checked in against expected, in total and per table",
                "responses": _responses({"type": "object"}),
            }
        },
        "/openapi.json": {
            "get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OK"}}}
        },
    },
}
