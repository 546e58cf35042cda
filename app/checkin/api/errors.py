"""Errors under /api/ answer JSON, {"error": <code>, "detail": <sentence>}, as the OpenAPI
document says; the desk's script reads the status and the JSON, never an HTML page."""

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"


def is_api_request() -> bool:
    """Under /api/, matched by a route or not (an unmatched path has no blueprint)."""
    return request.path.startswith(API_PREFIX)


def api_error(status: int, error: str, detail: str | None = None, headers=None):
    """The JSON answer for an error; ``error`` is a stable code, ``detail`` plain words."""
    body = {"error": error} if detail is None else {"error": error, "detail": detail}
    response = jsonify(body)
    response.status_code = status
    for name, value in headers or ():
        response.headers[name] = value
    return response


def api_http_error(error: HTTPException):
    """Any HTTP error (404, 405, 400...) as JSON, keeping its headers (Allow on a 405)."""
    code = (error.name or "error").lower().replace(" ", "_").replace("'", "")
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return api_error(error.code or 500, code, str(error.description or error.name), headers)
