"""Announcements: the organisers write once (in each of the event's languages) and every
chosen attendee gets it by e-mail, in their own language, through the outbox.

All the messages are queued in one transaction with the announcement itself, so a crash
leaves either all of them or none; the form's request id makes a second submission (a
double click, a reload of the answer) find the first instead of sending again.
"""

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.mail import outbox as mailer
from app.mail.unsubscribe import unsubscribe_url
from app.models import (
    Announcement,
    Attendee,
    AttendeeStatus,
    Audience,
    CheckIn,
    Event,
    MailKind,
    MessageStatus,
    OutboxMessage,
    localized,
    utcnow,
)


@dataclass
class AnnouncementText:
    subject: dict[str, str]  # language -> text; empty ones fall back to the event's first language
    body: dict[str, str]
    greeting: bool = True  # start with "Dear <first name>,"; off when the text has its own


def greeting_preview(language: str) -> str:
    """The greeting as the preview shows it, the first name left as a placeholder."""
    with force_locale(language):
        return _("Dear %(name)s,", name=_("(first name)"))


def recipients_query(event: Event, audience: Audience):
    statuses = [AttendeeStatus.CONFIRMED]
    if audience == Audience.WITH_WAITING_LIST:
        statuses.append(AttendeeStatus.WAITLISTED)
    query = select(Attendee).where(Attendee.event_id == event.id, Attendee.status.in_(statuses))
    query = query.where(Attendee.email.is_not(None))  # walk-ins without e-mail: not reachable
    query = query.where(Attendee.announcements_stopped_at.is_(None))  # who asked for none
    if audience == Audience.CHECKED_IN:
        came = select(CheckIn.attendee_id).where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
        query = query.where(Attendee.id.in_(came))
    return query.order_by(Attendee.id)


def recipient_counts(event: Event) -> dict[Audience, int]:
    def count(audience):
        people = recipients_query(event, audience).subquery()
        return db.session.scalar(select(func.count()).select_from(people))

    return {audience: count(audience) for audience in Audience}


def send(
    event: Event, audience: Audience, text: AnnouncementText, request_id: str, sent_by: str
) -> Announcement:
    """Queue the announcement for everyone in the audience, once per request id; commits."""
    earlier = find(request_id)
    if earlier is not None:
        return earlier
    people = db.session.scalars(recipients_query(event, audience)).all()
    announcement = Announcement(
        event_id=event.id,
        audience=audience,
        subject=text.subject,
        body=text.body,
        recipients=len(people),
        request_id=request_id,
        sent_by=sent_by,
    )
    db.session.add(announcement)
    db.session.flush()  # its id, for the messages
    for attendee in people:
        language = attendee.language
        message = mailer.enqueue(
            MailKind.ANNOUNCEMENT,
            attendee,
            subject=localized(text.subject, language),
            paragraphs=paragraphs(localized(text.body, language)),
            greeting=text.greeting,
            unsubscribe_url=unsubscribe_url(attendee),  # also in the body, for people to see
        )
        message.announcement_id = announcement.id
    try:
        db.session.commit()
    except IntegrityError:  # the same form sent twice at once: the other one won
        db.session.rollback()
        return find(request_id)
    return announcement


def find(request_id: str) -> Announcement | None:
    return db.session.scalars(select(Announcement).filter_by(request_id=request_id)).first()


def history(event: Event) -> list[Announcement]:
    return db.session.scalars(
        select(Announcement).filter_by(event_id=event.id).order_by(Announcement.created_at.desc())
    ).all()


@dataclass
class Delivery:
    sent: int = 0
    waiting: int = 0  # queued, or being sent
    failed: int = 0
    failures: list[OutboxMessage] = field(default_factory=list)  # each with its recipient and last_error


def deliveries(announcements: list[Announcement]) -> dict[int, Delivery]:
    """How far each announcement's messages have gone, by announcement id, with the
    messages that failed and why (so the organisers can mend the address and retry)."""
    found = {announcement.id: Delivery() for announcement in announcements}
    rows = db.session.execute(
        select(OutboxMessage.announcement_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.announcement_id.in_(list(found)))
        .group_by(OutboxMessage.announcement_id, OutboxMessage.status)
    )
    for announcement_id, status, count in rows:
        delivery = found[announcement_id]
        if status == MessageStatus.SENT:
            delivery.sent += count
        elif status == MessageStatus.FAILED:
            delivery.failed += count
        else:
            delivery.waiting += count
    with_failures = [announcement_id for announcement_id, d in found.items() if d.failed]
    if with_failures:
        failed = db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.announcement_id.in_(with_failures),
                OutboxMessage.status == MessageStatus.FAILED,
            )
            .order_by(OutboxMessage.id)
        )
        for message in failed:
            found[message.announcement_id].failures.append(message)
    return found


def retry_failed(announcement: Announcement) -> int:
    """Queue again the messages that gave up (the mail server was away for hours, a
    mailbox was full): each gets a fresh round of attempts. Returns how many."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.announcement_id == announcement.id, OutboxMessage.status == MessageStatus.FAILED)
        .values(status=MessageStatus.QUEUED, attempts=0, next_attempt_at=utcnow(), claimed_by=None)
    )
    db.session.commit()
    return result.rowcount


def paragraphs(body: str) -> list[str]:
    """The text as typed, cut into paragraphs at blank lines (line breaks inside stay)."""
    blocks = [block.strip("\n") for block in body.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block.strip()]
