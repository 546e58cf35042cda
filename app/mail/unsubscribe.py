"""Stopping announcements: the link every announcement carries (List-Unsubscribe, RFC 8058).

The link names the person with a signed token of its own (not the personal link's: that one
is revoked and resent, and must never be what a mail provider's robot posts to). Stopping
touches announcements only: the messages about their own registration (confirmation, table,
reminder, ...) still go out.
"""

import hmac

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, update

from app.core.urls import external_url
from app.extensions import db
from app.models import Attendee, MailKind, MessageStatus, OutboxMessage, utcnow


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="stop-announcements")


def unsubscribe_token(attendee: Attendee) -> str:
    return _serializer().dumps([attendee.event_id, attendee.id])


def unsubscribe_url(attendee: Attendee) -> str:
    """The absolute link (from PUBLIC_URL, never the request's Host) for the List-Unsubscribe header."""
    return external_url("unsubscribe.stop", token=unsubscribe_token(attendee))


def attendee_for_unsubscribe_token(token: str) -> Attendee | None:
    """The attendee the token names; None for a forged, altered or stale one.

    Only the exact text unsubscribe_token() wrote is accepted (as for the personal link)."""
    try:
        event_id, attendee_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(attendee_id, int) or not isinstance(event_id, int):
        return None
    expected = _serializer().dumps([event_id, attendee_id])
    if not hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace")):
        return None
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event_id:
        return None
    return attendee


def stop_announcements(attendee: Attendee) -> None:
    """No more announcements for this person from now on, not even those already waiting in
    the outbox (queued, or failed and waiting for an organiser's retry); commits. Asking
    again (the provider's robot and the person both, a retry) keeps the first date."""
    db.session.execute(
        update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.announcements_stopped_at.is_(None))
        .values(announcements_stopped_at=utcnow())
    )
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.attendee_id == attendee.id,
            OutboxMessage.kind == MailKind.ANNOUNCEMENT,
            OutboxMessage.status.in_([MessageStatus.QUEUED, MessageStatus.FAILED]),
        )
    )
    db.session.commit()
    db.session.refresh(attendee)


def resume_announcements(attendee: Attendee) -> None:
    """They changed their mind: announcements from now on reach them again; commits."""
    db.session.execute(
        update(Attendee).where(Attendee.id == attendee.id).values(announcements_stopped_at=None)
    )
    db.session.commit()
    db.session.refresh(attendee)
