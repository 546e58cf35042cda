"""Bearer-token authentication of desk devices for the JSON API."""

from functools import wraps

from flask import g, jsonify, request

from ..services.desks import device_for_token


def device_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        device = device_for_token(token)
        if device is None:
            response = jsonify(error="unauthorized", detail="a valid desk device token is required")
            response.headers["WWW-Authenticate"] = 'Bearer realm="noiday-desk"'
            return response, 401
        g.device = device
        g.event = device.event
        return view(*args, **kwargs)

    return wrapped
