"""The reminder before the day: once per confirmed attendee, however often it is run.

It carries the attendee's badge (QR and PDF) and the calendar file, like the
confirmation. Sent with `flask mail reminders` or the button on the announcements page.
"""

from sqlalchemy import exists, func, select

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import Attendee, AttendeeStatus, Event, MailKind, OutboxMessage


def _due(event: Event):
    already = exists().where(
        OutboxMessage.attendee_id == Attendee.id, OutboxMessage.kind == MailKind.REMINDER
    )
    return (Attendee.event_id == event.id, Attendee.status == AttendeeStatus.CONFIRMED, ~already)


def reminders_due(event: Event) -> int:
    """Confirmed attendees who have not had the reminder yet."""
    return db.session.scalar(select(func.count()).select_from(Attendee).where(*_due(event)))


def queue_reminders(event: Event) -> int:
    # Under the event's lock: two clicks, or the command and a click, at once queue each
    # reminder once (the second finds the first's messages once it gets the lock).
    lock_event(event.id)
    attendees = db.session.scalars(select(Attendee).where(*_due(event)).order_by(Attendee.id)).all()
    for attendee in attendees:
        mailer.enqueue(MailKind.REMINDER, attendee)
    db.session.commit()
    return len(attendees)
