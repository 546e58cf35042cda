"""OpenAPI 3.1 description of the check-in API, served at /api/v1/openapi.json, generated
from the models in schemas.py (the ones the views validate requests with)."""

from pydantic import BaseModel

from app.checkin.api import schemas
from app.core.openapi import SchemaComponents, json_content, path_parameter, query_parameters

_COMPONENTS = SchemaComponents(
    [
        (schemas.ScanRequest, "validation"),
        (schemas.CheckInRequest, "validation"),
        (schemas.ReinstateRequest, "validation"),
        (schemas.Error, "serialization"),
        (schemas.Me, "serialization"),
        (schemas.Outcome, "serialization"),
        (schemas.Undone, "serialization"),
        (schemas.SearchResults, "serialization"),
        (schemas.Counters, "serialization"),
    ]
)
_AN_ERROR = json_content(_COMPONENTS.ref(schemas.Error))

ERROR_DESCRIPTIONS = {
    "400": "Bad request: the body or the query does not match this document (see detail)",
    "401": "Missing or revoked desk token",
    "404": "No such attendee, check-in, point scan or check-in point at this desk's event",
    "409": "This request_id was already used for another person's check-in",
    "429": "Too many requests from this desk: wait for Retry-After seconds",
}

# A check-in made from a search can be undone (schemathesis follows the link).
_UNDO_LINK = {
    "UndoTheCheckIn": {
        "operationId": "undoCheckIn",
        "parameters": {"check_in_id": "$response.body#/check_in/id"},
    }
}


def _responses(ok: type[BaseModel], *errors: str, links: dict | None = None) -> dict:
    ok_answer = {"description": "OK", **json_content(_COMPONENTS.ref(ok))}
    answers = {"200": {**ok_answer, "links": links} if links else ok_answer}
    for code in sorted({"401", "429", *errors}):
        answers[code] = {"description": ERROR_DESCRIPTIONS[code], **_AN_ERROR}
    return answers


_CHECK_IN_ID = path_parameter("check_in_id", schemas.DatabaseId)
_ATTENDEE_ID = path_parameter("attendee_id", schemas.DatabaseId)
_SCAN_ID = path_parameter("scan_id", schemas.DatabaseId)

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
        "schemas": _COMPONENTS.schemas,
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
                "summary": "Check in the holder of a scanned badge or typed code (idempotent on request_id)",
                "parameters": query_parameters(schemas.LanguageQuery),
                "requestBody": _COMPONENTS.body(schemas.ScanRequest),
                "responses": _responses(schemas.Outcome, "400", "404", "409"),
            }
        },
        "/checkins": {
            "post": {
                "operationId": "checkIn",
                "summary": "Check in an attendee found by a search (forgotten badge)",
                "parameters": query_parameters(schemas.LanguageQuery),
                "requestBody": _COMPONENTS.body(schemas.CheckInRequest),
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
        "/point-scans/{scan_id}/undo": {
            "post": {
                "operationId": "undoPointScan",
                "summary": "Undo a scan at a point other than the door (kept in the audit log)",
                "parameters": [_SCAN_ID],
                "responses": _responses(schemas.Undone, "404"),
            }
        },
        "/attendees": {
            "get": {
                "operationId": "searchAttendees",
                "summary": "Search attendees by name, e-mail or organisation (at least 2 characters)",
                "parameters": query_parameters(schemas.SearchQuery),
                "responses": _responses(schemas.SearchResults, "400"),
            }
        },
        "/attendees/{attendee_id}/reinstate": {
            "post": {
                "operationId": "reinstateAndCheckIn",
                "summary": "Take back a cancelled registration and check the person in, in one step "
                "(a place if one is free, else the waiting list; idempotent on request_id)",
                "parameters": [_ATTENDEE_ID, *query_parameters(schemas.LanguageQuery)],
                "requestBody": _COMPONENTS.body(schemas.ReinstateRequest),
                "responses": _responses(schemas.Outcome, "400", "404", "409"),
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
                    "200": {"description": "OK", **json_content({"type": "object"})},
                    "429": {"description": ERROR_DESCRIPTIONS["429"], **_AN_ERROR},
                },
            }
        },
    },
}
