"""Signed, revocable links for attendees."""

import hmac

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import db
from app.models import Attendee


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="manage-registration")


def manage_token(attendee: Attendee) -> str:
    """A token naming the attendee and the current link version (bumped to revoke)."""
    return _token_for(attendee.id, attendee.manage_token_version)


def attendee_for_manage_token(token: str) -> Attendee | None:
    """The attendee a personal link names while it is current; None for anything else.

    Only the exact text manage_token() wrote is accepted: itsdangerous's base64 also reads
    the signature with "=" padding, with other values of its last character's spare bits or
    with non-ASCII characters added. One link, one spelling: whatever is keyed on its text
    (logs, caches, rate limits) never sees one link as several."""
    try:
        attendee_id, version = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not hmac.compare_digest(_token_for(attendee_id, version).encode(), token.encode("utf-8", "replace")):
        return None
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.manage_token_version != version:
        return None
    return attendee


def _token_for(attendee_id: int, version: int) -> str:
    return _serializer().dumps([attendee_id, version])


def revoke_manage_links(attendee: Attendee) -> None:
    attendee.manage_token_version += 1


# ---- The page of a group's contact (app/registration/groups.py) ------------------------


def _group_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="manage-group")


def group_token(group) -> str:
    """A token naming the group and its link's version, as manage_token does a person."""
    return _group_serializer().dumps([group.id, group.manage_token_version])


def group_for_token(token: str):
    """The group a contact's link names while it is current (one spelling only, as
    attendee_for_manage_token); None for anything else."""
    from app.models import RegistrationGroup

    try:
        group_id, version = _group_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(group_id, int) or not isinstance(version, int):
        return None
    expected = _group_serializer().dumps([group_id, version])
    if not hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace")):
        return None
    group = db.session.get(RegistrationGroup, group_id)
    if group is None or group.manage_token_version != version:
        return None
    return group
