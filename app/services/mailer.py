"""The outbox: messages are written with the change that causes them, then delivered.

A request only adds rows to ``outbox_messages`` inside its own transaction, so it never
waits for, or fails because of, the mail server. ``deliver_due()`` (run by
``flask mail send``) sends what is due over one SMTP connection and retries failures
with back-off.
"""

import contextlib
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mail import Message
from sqlalchemy import select

from ..extensions import db, mail
from ..models import Attendee, MessageStatus, OutboxMessage, utcnow
from .tokens import manage_token
from .urls import external_url

SUBJECTS = {
    "confirmation": _l("Your registration for %(event)s"),
    "waitlisted": _l("You are on the waiting list for %(event)s"),
    "manage_link": _l("Your personal link for %(event)s"),
    "updated": _l("Your registration for %(event)s has changed"),
    "cancelled": _l("Your registration for %(event)s is cancelled"),
    "promoted": _l("Good news: a place for you at %(event)s"),
}
MAX_ATTEMPTS = 8


def enqueue(kind: str, attendee: Attendee, **context) -> OutboxMessage:
    """Render a message in the attendee's language and add it to the outbox (no commit)."""
    with force_locale(attendee.language):
        context.update(
            attendee=attendee,
            event=attendee.event,
            manage_url=external_url("registration.manage", token=manage_token(attendee)),
        )
        message = OutboxMessage(
            attendee=attendee,
            kind=kind,
            recipient=attendee.email,
            subject=str(SUBJECTS[kind] % {"event": attendee.event.display_name}),
            body_text=render_template(f"emails/{kind}.txt", **context),
            body_html=render_template(f"emails/{kind}.html", **context),
        )
    db.session.add(message)
    return message


def _retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def deliver_due(limit: int = 200) -> tuple[int, int]:
    """Send due messages over one connection; returns (sent, failed attempts)."""
    if current_app.config["MAIL_CATCH"]:
        return 0, 0  # caught: shown at /dev/mail, never sent
    now = utcnow()
    due = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    if not due:
        return 0, 0
    sent = failed = 0
    try:
        connection = mail.connect()
        connection.__enter__()
    except OSError as error:
        for message in due:
            _record_failure(message, error)
        db.session.commit()
        return 0, len(due)
    try:
        for message in due:
            try:
                connection.send(_to_mail(message))
            except Exception as error:  # one bad message must not stop the others
                _record_failure(message, error)
                failed += 1
            else:
                message.status, message.sent_at = MessageStatus.SENT, utcnow()
                message.attempts += 1
                sent += 1
            db.session.commit()
    finally:
        with contextlib.suppress(Exception):
            connection.__exit__(None, None, None)
    return sent, failed


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
    else:
        message.next_attempt_at = utcnow() + _retry_delay(message.attempts)


def _to_mail(message: OutboxMessage) -> Message:
    return Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
