"""Signed, revocable links for attendees."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..extensions import db
from ..models import Attendee


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="manage-registration")


def manage_token(attendee: Attendee) -> str:
    """A token naming the attendee and the current link version (bumped to revoke)."""
    return _serializer().dumps([attendee.id, attendee.manage_token_version])


def attendee_for_manage_token(token: str) -> Attendee | None:
    try:
        attendee_id, version = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.manage_token_version != version:
        return None
    return attendee


def revoke_manage_links(attendee: Attendee) -> None:
    attendee.manage_token_version += 1
