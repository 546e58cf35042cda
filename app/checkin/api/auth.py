"""Bearer-token authentication of desk devices for the JSON API."""

from functools import wraps

from flask import g, jsonify, request
from flask_limiter.util import get_remote_address

from app.checkin.desks import device_for_token


def authenticated_device():
    """The active desk device whose token this request carries, or None; looked up once
    per request (the rate limit's key and the view both ask)."""
    if "device" not in g:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        g.device = device_for_token(token)
    return g.device


def rate_limit_key() -> str:
    """Per desk device, proved by its token (desks share the venue's one address); a caller
    without a valid token is counted by its address, so it cannot pick a fresh key."""
    device = authenticated_device()
    return f"desk:{device.id}" if device is not None else "client:" + get_remote_address()


def device_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        device = authenticated_device()
        if device is None:
            response = jsonify(error="unauthorized", detail="a valid desk device token is required")
            response.headers["WWW-Authenticate"] = 'Bearer realm="noiday-desk"'
            return response, 401
        g.event = device.event
        return view(*args, **kwargs)

    return wrapped
