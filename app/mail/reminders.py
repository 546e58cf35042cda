"""The reminder before the day: once per confirmed attendee, however often it is run.

It carries the attendee's badge (QR and PDF) and the calendar file, like the
confirmation. Sent with `flask mail reminders`, or from the announcements page, which first
shows who will get it (reminder_plan, the same list queue_reminders then sends to).
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import exists, func, select

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import Attendee, AttendeeStatus, Event, MailKind, OutboxMessage


class ReminderPlanChanged(Exception):
    """The people due a reminder are not those the organiser confirmed (someone registered,
    cancelled, or the reminder was just sent from elsewhere)."""


@dataclass
class ReminderPlan:
    attendees: list[Attendee]  # confirmed, with an address, not reminded yet

    @property
    def fingerprint(self) -> str:
        """Names this list: the confirmation sends it back, and queue_reminders checks it."""
        ids = ",".join(str(attendee_id) for attendee_id in sorted(a.id for a in self.attendees))
        return hashlib.sha256(ids.encode()).hexdigest()[:16]


def _due(event: Event):
    already = exists().where(
        OutboxMessage.attendee_id == Attendee.id, OutboxMessage.kind == MailKind.REMINDER
    )
    return (
        Attendee.event_id == event.id,
        Attendee.status == AttendeeStatus.CONFIRMED,
        Attendee.email.is_not(None),  # a walk-in without e-mail cannot be reminded
        ~already,
    )


def reminders_due(event: Event) -> int:
    """Confirmed attendees who have not had the reminder yet."""
    return db.session.scalar(select(func.count()).select_from(Attendee).where(*_due(event)))


def reminder_plan(event: Event) -> ReminderPlan:
    """Who the reminder would go to now, by surname."""
    by_surname = (Attendee.last_name, Attendee.first_name, Attendee.id)
    return ReminderPlan(db.session.scalars(select(Attendee).where(*_due(event)).order_by(*by_surname)).all())


def queue_reminders(event: Event, expected: str | None = None) -> int:
    """Queue the reminder for everyone due; returns how many. With ``expected`` (the
    fingerprint of the plan shown), only if that is still who is due, else
    ReminderPlanChanged; with nobody left due it queues nothing and returns 0."""
    # Under the event's lock: two clicks, or the command and a click, at once queue each
    # reminder once (the second finds the first's messages once it gets the lock).
    lock_event(event.id)
    plan = reminder_plan(event)
    if expected is not None and plan.attendees and plan.fingerprint != expected:
        db.session.rollback()
        raise ReminderPlanChanged()
    for attendee in plan.attendees:
        mailer.enqueue(MailKind.REMINDER, attendee)
    db.session.commit()
    return len(plan.attendees)
