"""The attendees' blueprint, and the loaders of the pages behind a personal link."""

from flask import Blueprint, abort

from app.events.services import current_event_or_404
from app.models import AttendeeStatus
from app.registration.tokens import attendee_for_manage_token

bp = Blueprint("registration", __name__)


def attendee_or_404(token: str):
    """The person a personal link names, under their own event's address only."""
    attendee = attendee_for_manage_token(token)
    if attendee is None or attendee.event_id != current_event_or_404().id:
        abort(404)
    return attendee


def badge_holder_or_404(token: str):
    """Only a confirmed attendee has a badge: waiting and cancelled people are not let in."""
    attendee = attendee_or_404(token)
    if attendee.status != AttendeeStatus.CONFIRMED:
        abort(404)
    return attendee
