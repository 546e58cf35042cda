"""Deliver the outbox: claim due messages, send them over one SMTP connection, record the outcome.

Claiming is one conditional UPDATE (status queued -> sending, stamped with this run's
token), so several senders on several machines never take the same message. A message
is marked sent right after the server accepts it. If a sender dies between the two, the
claim expires after CLAIM_TIMEOUT and the message is sent again with the same
Message-ID, which mail systems use to drop the duplicate: nothing is ever lost.
"""

import contextlib
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app
from flask_babel import force_locale
from flask_mail import Connection
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db, mail
from ..models import Attendee, AttendeePart, Event, MessageStatus, OutboxMessage, utcnow
from .calendar import event_ics
from .mailer import QR_CID
from .tokens import manage_token
from .transactions import keeping_loaded
from .urls import external_url
from .world_cafe import load_published_seats

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=10)


class TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout: a mail server that accepts and never
    answers must not block the sender forever."""

    def configure_host(self):
        # Read the app's config each time (not the state copied at start-up).
        config = current_app.config
        smtp = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        host = smtp(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
        if config["MAIL_USE_TLS"]:
            host.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return host


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... up to an hour between attempts."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def claim_due(limit: int) -> list[OutboxMessage]:
    now = utcnow()
    claim = uuid.uuid4().hex
    due = or_(
        and_(OutboxMessage.status == MessageStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.claimed_at < now - CLAIM_TIMEOUT),
    )
    candidates = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    ids = list(db.session.scalars(candidates))
    if not ids:
        db.session.rollback()
        return []
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), due)  # re-checked under the row lock
        .values(status=MessageStatus.SENDING, claimed_at=now, claimed_by=claim),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    # With what building them reads (badge, calendar), in a few queries for the whole batch.
    claimed = (
        select(OutboxMessage)
        .filter_by(claimed_by=claim)
        .order_by(OutboxMessage.id)
        .options(
            selectinload(OutboxMessage.attendee).options(
                joinedload(Attendee.event).selectinload(Event.programme),
                selectinload(Attendee.parts).joinedload(AttendeePart.day_part),
            )
        )
    )
    messages = list(db.session.scalars(claimed))
    load_published_seats([m.attendee for m in messages if m.attendee is not None and m.attachments])
    return messages


def deliver_due(limit: int = 500) -> tuple[int, int]:
    """Send what is due over one connection; returns (sent, failed attempts)."""
    if current_app.config["MAIL_CATCH"]:
        return 0, 0  # caught: shown at /dev/mail, never sent
    messages = claim_due(limit)
    if not messages:
        return 0, 0
    try:
        connection = TimeoutConnection(mail.state)
        connection.host = connection.configure_host()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _record_failure(message, error)
        db.session.commit()
        return 0, len(messages)
    # Each message is recorded (committed) as soon as it is sent; the batch loaded by
    # claim_due() stays loaded through those commits instead of being queried again message by message.
    with keeping_loaded():
        try:
            sent, failed = _send_each(connection, messages)
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException, AttributeError):
                connection.host.quit()
            db.session.expire_all()  # the next batch reads everything afresh
    return sent, failed


def _send_each(connection: TimeoutConnection, messages: list[OutboxMessage]) -> tuple[int, int]:
    sent = failed = 0
    for message in messages:
        try:
            email = build_email(message)
            connection.host.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            _record_failure(message, error)
            failed += 1
            if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                _reconnect(connection)
        else:
            message.status, message.sent_at = MessageStatus.SENT, utcnow()
            message.attempts += 1
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed


def _reconnect(connection: TimeoutConnection) -> None:
    # If the server is still away, the next messages fail too and are retried later.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.host = connection.configure_host()


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    message.claimed_by = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
    else:
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = utcnow() + retry_delay(message.attempts)


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message: text and HTML alternatives, the QR inline, the PDF and .ics attached."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message.message_id
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    attendee = message.attendee
    if attendee is None or not message.attachments:
        return email
    from . import badge_pdf, badges
    from .badge_content import badge_for

    with force_locale(attendee.language):
        if "qr_inline" in message.attachments:
            html_part = email.get_payload()[1]
            html_part.add_related(
                badges.qr_png(badges.badge_token(attendee)), "image", "png", cid=f"<{QR_CID}>"
            )
        if "badge_pdf" in message.attachments:
            pdf = badge_pdf.badge_pdf(badge_for(attendee))
            email.add_attachment(pdf, maintype="application", subtype="pdf", filename="badge.pdf")
        if "ics" in message.attachments:
            manage_url = external_url("registration.manage", token=manage_token(attendee))
            email.add_attachment(
                event_ics(attendee, manage_url, attendee.language),
                maintype="text",
                subtype="calendar",
                filename="event.ics",
                params={"method": "PUBLISH"},
            )
    return email
