"""OpenAPI 3.1 description of the check-in API, served at /api/v1/openapi.json, generated
from the models in schemas.py (the ones the views validate requests with)."""

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from app.checkin.api import schemas

_MODELS = [
    (schemas.ScanRequest, "validation"),
    (schemas.CheckInRequest, "validation"),
    (schemas.Error, "serialization"),
    (schemas.Me, "serialization"),
    (schemas.Outcome, "serialization"),
    (schemas.Undone, "serialization"),
    (schemas.SearchResults, "serialization"),
    (schemas.Counters, "serialization"),
]
_REFS, _DEFINITIONS = models_json_schema(_MODELS, ref_template="#/components/schemas/{model}")

ERROR_DESCRIPTIONS = {
    "400": "Bad request: the body or the query does not match this document (see detail)",
    "401": "Missing or revoked desk token",
    "404": "No such attendee or check-in at this desk's event",
    "409": "This request_id was already used for another person's check-in",
    "429": "Too many requests from this desk: wait for Retry-After seconds",
}


def _ref(model: type[BaseModel], mode="serialization") -> dict:
    return _REFS[(model, mode)]


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _body(model: type[BaseModel]) -> dict:
    return {"required": True, **_json(_ref(model, "validation"))}


# A check-in made from a search can be undone (schemathesis follows the link).
_UNDO_LINK = {
    "UndoTheCheckIn": {
        "operationId": "undoCheckIn",
        "parameters": {"check_in_id": "$response.body#/check_in/id"},
    }
}


def _responses(ok: type[BaseModel], *errors: str, links: dict | None = None) -> dict:
    answers = {"200": {"description": "OK", **_json(_ref(ok)), **({"links": links} if links else {})}}
    for code in sorted({"401", "429", *errors}):
        answers[code] = {"description": ERROR_DESCRIPTIONS[code], **_json(_ref(schemas.Error))}
    return answers


def _query(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema()
    parameters = []
    for name, field in schema["properties"].items():
        if field.get("default", "") is None:
            del field["default"]  # absent, not the text "None"
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in schema.get("required", []),
                "description": field.pop("description", ""),
                "schema": field,
            }
        )
    return parameters


_CHECK_IN_ID = {
    "name": "check_in_id",
    "in": "path",
    "required": True,
    "schema": TypeAdapter(schemas.DatabaseId).json_schema(),
}

SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "Noi Day check-in API",
        "version": "1",
        "description": "Scan badges, search attendees, undo check-ins and read counters. "
        "Each desk device authenticates with the bearer token an admin created for it. "
        "Every error answers JSON: {error, detail}.",
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"deskToken": {"type": "http", "scheme": "bearer"}},
        "schemas": _DEFINITIONS["$defs"],
    },
    "security": [{"deskToken": []}],
    "paths": {
        "/me": {
            "get": {
                "operationId": "me",
                "summary": "The desk this token belongs to",
                "responses": _responses(schemas.Me),
            },
        },
        "/scan": {
            "post": {
                "operationId": "scan",
                "summary": "Check in the holder of a scanned badge (idempotent on request_id)",
                "parameters": _query(schemas.LanguageQuery),
                "requestBody": _body(schemas.ScanRequest),
                "responses": _responses(schemas.Outcome, "400", "409"),
            }
        },
        "/checkins": {
            "post": {
                "operationId": "checkIn",
                "summary": "Check in an attendee found by a search (forgotten badge)",
                "parameters": _query(schemas.LanguageQuery),
                "requestBody": _body(schemas.CheckInRequest),
                "responses": _responses(schemas.Outcome, "400", "404", "409", links=_UNDO_LINK),
            }
        },
        "/checkins/{check_in_id}/undo": {
            "post": {
                "operationId": "undoCheckIn",
                "summary": "Undo a check-in (kept in the audit log)",
                "parameters": [_CHECK_IN_ID],
                "responses": _responses(schemas.Undone, "404"),
            }
        },
        "/attendees": {
            "get": {
                "operationId": "searchAttendees",
                "summary": "Search attendees by name, e-mail or organisation (at least 2 characters)",
                "parameters": _query(schemas.SearchQuery),
                "responses": _responses(schemas.SearchResults, "400"),
            }
        },
        "/counters": {
            "get": {
                "operationId": "counters",
                "summary": "Checked in against expected, in total and per table",
                "responses": _responses(schemas.Counters),
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {"description": "OK", **_json({"type": "object"})},
                    "429": {"description": ERROR_DESCRIPTIONS["429"], **_json(_ref(schemas.Error))},
                },
            }
        },
    },
}
