"""The reminder before the day: once per confirmed attendee, however often it is run."""

from sqlalchemy import exists, select

from ..extensions import db
from ..models import Attendee, AttendeeStatus, Event, OutboxMessage
from . import mailer


def queue_reminders(event: Event) -> int:
    already = exists().where(OutboxMessage.attendee_id == Attendee.id, OutboxMessage.kind == "reminder")
    attendees = db.session.scalars(
        select(Attendee)
        .where(Attendee.event_id == event.id, Attendee.status == AttendeeStatus.CONFIRMED, ~already)
        .order_by(Attendee.id)
    ).all()
    for attendee in attendees:
        mailer.enqueue("reminder", attendee)
    db.session.commit()
    return len(attendees)
