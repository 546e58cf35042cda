"""Deliver the outbox: claim due messages, send them over one SMTP connection, record the outcome.

Claiming is one conditional UPDATE (status queued -> sending, stamped with this run's
token), so several senders on several machines never take the same message. Each message
is built while the server answers the one before (one thread sends, one message at a time).
Outcomes are recorded in groups (RECORD_EVERY messages, and at least every RECORD_WITHIN),
in one statement a group: a commit a message cost half as much as building it on PostgreSQL.
If a sender dies before a group is recorded, the claims expire after CLAIM_TIMEOUT and those
messages are sent again with the same Message-ID, which mail systems use to drop the duplicate:
nothing is ever lost.

What retrying cannot fix (a message that cannot be built, a mailbox the server refuses
for good) fails at once, with its reason, and the rest of the batch goes on; what it can
(the server down or busy) is retried with back-off. An error that stops a run records what
was sent and gives its other claimed messages back, so none waits in ``sending`` for the
claim to expire.
"""

import contextlib
import logging
import smtplib
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from functools import lru_cache

from flask import current_app
from flask_babel import force_locale
from flask_mail import Connection
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from app.checkin.badge_codes import with_badge_code
from app.core.transactions import keeping_loaded
from app.core.urls import external_url
from app.extensions import db, mail
from app.mail.headers import UnsafeHeader, one_line, recipient_address
from app.mail.outbox import QR_CID, bodies
from app.mail.unsubscribe import unsubscribe_url
from app.models import (
    Attendee,
    AttendeePart,
    Event,
    MailKind,
    MessageStatus,
    OutboxMessage,
    TablePreference,
    utcnow,
)
from app.registration.calendar import event_ics
from app.registration.tokens import manage_token
from app.worldcafe.services import load_published_seats

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=10)
# Outcomes are committed by groups: at most this many messages, or this many seconds, a group.
RECORD_EVERY = 50
RECORD_WITHIN = 1.0

log = logging.getLogger(__name__)


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


def claim_due(limit: int, claim: str | None = None) -> list[OutboxMessage]:
    """Take up to limit due messages for this run (status sending, claimed_by=claim); commits."""
    now = utcnow()
    claim = claim or uuid.uuid4().hex
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
                selectinload(Attendee.preferences).joinedload(TablePreference.cafe_table),  # confirmations
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
    claim = uuid.uuid4().hex
    try:
        return _deliver(claim_due(limit, claim))
    except BaseException:
        _release(claim)
        raise


def _deliver(messages: list[OutboxMessage]) -> tuple[int, int]:
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
    # The batch loaded by claim_due() stays loaded through the commits that record each
    # group, instead of being queried again message by message.
    with keeping_loaded():
        try:
            sent, failed = _send_each(connection, messages)
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException, AttributeError):
                connection.host.quit()
            db.session.expire_all()  # the next batch reads everything afresh
    return sent, failed


def _send_each(connection: TimeoutConnection, messages: list[OutboxMessage]) -> tuple[int, int]:
    """Build each message while the server answers the one before: the connection is used by
    one thread, one message at a time, and everything else (building, recording) stays here."""
    sent = unrecorded = 0
    recorded_at = time.monotonic()
    in_flight: tuple[OutboxMessage, Future] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp") as smtp:
        try:
            for message in [*messages, None]:
                email = _built(message) if message is not None else None
                if in_flight is not None:
                    sent += _record_sending(connection, *in_flight)
                    in_flight = None
                if email is not None:
                    in_flight = (message, smtp.submit(connection.host.send_message, email))
                unrecorded += 1
                if unrecorded >= RECORD_EVERY or time.monotonic() - recorded_at >= RECORD_WITHIN:
                    db.session.commit()  # one UPDATE for the group (executemany)
                    unrecorded, recorded_at = 0, time.monotonic()
        finally:
            # Also when the run stops (an error, SIGTERM): what the server took is recorded,
            # the message in flight too once it answers, before deliver_due gives the rest
            # back; a message cut off mid-send stays `sending`.
            if in_flight is not None and isinstance(in_flight[1].exception(), Exception | None):
                sent += _record_sending(connection, *in_flight)
            db.session.commit()
    return sent, len(messages) - sent


def _built(message: OutboxMessage) -> EmailMessage | None:
    """The message to send, or None when it cannot be built (then failed for good, no commit)."""
    try:
        return build_email(message)
    except Exception as error:  # bad data or a bug: the same every time, and the others must still go
        log.exception("outbox message %s cannot be built", message.id)
        _give_up(message, f"not built: {type(error).__name__}: {error}")
        return None


def _record_sending(connection: TimeoutConnection, message: OutboxMessage, sending: Future) -> bool:
    """Wait for the server's answer and record it (no commit); True once the server took it."""
    try:
        sending.result()
    except Exception as error:
        if _retrying_may_help(error):
            _record_failure(message, error)
        else:
            _give_up(message, f"{type(error).__name__}: {error}")
        if isinstance(error, OSError | smtplib.SMTPServerDisconnected) or not isinstance(
            error, smtplib.SMTPException
        ):
            _reconnect(connection)  # the connection is gone, or in a state we cannot know
        return False
    message.status, message.sent_at = MessageStatus.SENT, utcnow()
    message.attempts += 1
    message.last_error = None
    return True


def _retrying_may_help(error: Exception) -> bool:
    """Yes for a server away or busy (4xx) and for a refused sender (the server's setup,
    the same for every message); no when the server refused this message or these
    recipients for good (5xx), or when the message cannot be sent at all."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return False  # e.g. an international address and a server without SMTPUTF8
    return isinstance(error, OSError | smtplib.SMTPException)


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


def _give_up(message: OutboxMessage, reason: str) -> None:
    """Failed for good: retrying would give the same. An admin can send it again once mended."""
    message.attempts += 1
    message.last_error = reason[:500]
    message.claimed_by = None
    message.status = MessageStatus.FAILED


def _release(claim: str) -> None:
    """After an error that stopped the run: its unfinished messages are due again at once."""
    try:
        db.session.rollback()
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claimed_by == claim, OutboxMessage.status == MessageStatus.SENDING)
            .values(status=MessageStatus.QUEUED, claimed_by=None, claimed_at=None),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()
    except Exception:  # the database itself is away: the claim expires after CLAIM_TIMEOUT
        log.exception("could not give back the messages of an interrupted mail run")
        db.session.rollback()


class _MailPolicy(EmailPolicy):
    """Python's default e-mail policy, but the List-Unsubscribe link is written as it is (the
    default would write a long URL as RFC 2047 encoded words, which no mail program follows),
    and the headers every message repeats are parsed once per process."""

    def fold(self, name, value):
        if name.lower() == "list-unsubscribe":
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if name.lower() == "list-unsubscribe":
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)

    def header_store_parse(self, name, value):
        # The MIME structure's headers ("Content-Type: application/pdf", ...) and the sender
        # are the same in every message: each is parsed once, not once a message (parsing
        # headers was a fifth of building a confirmation). Parsed headers are immutable, so
        # messages can share them.
        if isinstance(value, str) and name.lower() in _REPEATED_HEADERS and "boundary=" not in value:
            return name, _parsed_header(name, value)
        return super().header_store_parse(name, value)

    def header_max_count(self, name):
        # The standard policy builds a header class to answer this, for every header set.
        return _header_max_count(name.lower())


_REPEATED_HEADERS = {
    "content-type", "content-transfer-encoding", "content-disposition", "content-id", "mime-version",
    "from", "auto-submitted",
}  # fmt: skip
MAIL_POLICY = _MailPolicy()


@lru_cache(maxsize=128)
def _parsed_header(name: str, value: str):
    return EmailPolicy.header_store_parse(MAIL_POLICY, name, value)[1]


@lru_cache(maxsize=128)
def _header_max_count(name: str):
    return EmailPolicy.header_max_count(MAIL_POLICY, name)


def _add_unsubscribe(email: EmailMessage, attendee: Attendee) -> None:
    """RFC 8058 one-click unsubscribe: announcements only, never a message about their registration."""
    url = unsubscribe_url(attendee)
    if not url.isascii() or one_line(url) != url or " " in url or len(url) > 900:
        raise UnsafeHeader(f"the unsubscribe link cannot be a header: {url!r}")
    email["List-Unsubscribe"] = f"<{url}>"
    email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message: text and HTML alternatives, the QR inline, the PDF and .ics attached.
    Raises (mail_headers.UnsafeHeader, or whatever a bug raises) when it cannot be built."""
    email = EmailMessage(policy=MAIL_POLICY)
    # The one place headers are made: stored text is made safe here, whatever its road in.
    email["Subject"] = one_line(message.subject)
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = recipient_address(message.recipient)
    email["Date"] = format_datetime(datetime.now(UTC))  # "+0000": the zone is known (RFC 5322)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    if message.kind == MailKind.ANNOUNCEMENT and message.attendee is not None:
        _add_unsubscribe(email, message.attendee)
    body_text, body_html = bodies(message)  # rendered now when it was queued without them
    email.set_content(with_badge_code(body_text, message.attendee))
    email.add_alternative(with_badge_code(body_html, message.attendee), subtype="html")
    attendee = message.attendee
    if attendee is None or not message.attachments:
        return email
    from app.checkin import badge_pdf, badges
    from app.checkin.badge_content import badge_for

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
            manage_url = external_url(
                "registration.manage", token=manage_token(attendee), event_slug=attendee.event.slug
            )
            email.add_attachment(
                event_ics(attendee, manage_url, attendee.language),
                maintype="text",
                subtype="calendar",
                filename="event.ics",
                params={"charset": "utf-8", "method": "PUBLISH"},  # non-ASCII survives ("Città")
            )
    return email
