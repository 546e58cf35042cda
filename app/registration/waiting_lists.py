"""The waiting lists move: free places go to the people waiting, first come first served,
and each person promoted is told by e-mail."""

from sqlalchemy import select

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import Attendee, AttendeePart, AttendeeStatus, DayPart, Event, MailKind, PartStatus
from app.registration.places import confirmed_attendees, confirmed_in_part, free_places


def fill_vacancies(event: Event) -> set[Attendee]:
    """Promote waiting people into free places (after a capacity was raised), and commit."""
    lock_event(event.id)
    promoted = promote_waiting(event)
    notify_promoted(promoted)
    db.session.commit()
    return promoted


def promote_waiting(event: Event) -> set[Attendee]:
    """Give free places to the waiting lists, first come first served. Needs the lock."""
    promoted: set[Attendee] = set()
    # Parts first: people already admitted to the day who wait for lunch, say.
    for part in event.day_parts:
        promoted |= _promote_in_part(part)
    admitted = _admit_to_the_day(event)
    promoted |= admitted
    if admitted:
        db.session.flush()
        for part in event.day_parts:
            promoted |= _promote_in_part(part)
    return promoted


def notify_promoted(attendees) -> None:
    for attendee in sorted(attendees, key=lambda a: a.id):
        mailer.enqueue(MailKind.PROMOTED, attendee)


def _admit_to_the_day(event: Event) -> set[Attendee]:
    """The first people waiting for the day itself, as many as it has free places."""
    free = free_places(event.capacity, confirmed_attendees(event.id))
    waiting = db.session.scalars(
        select(Attendee)
        .filter_by(event_id=event.id, status=AttendeeStatus.WAITLISTED)
        .order_by(Attendee.id)
        .limit(free)
    ).all()
    for attendee in waiting:
        attendee.status = AttendeeStatus.CONFIRMED
    return set(waiting)


def _promote_in_part(part: DayPart) -> set[Attendee]:
    free = free_places(part.capacity, confirmed_in_part(part.id))
    if free == 0:
        return set()
    next_in_line = db.session.scalars(
        select(AttendeePart)
        .join(Attendee)
        .where(
            AttendeePart.day_part_id == part.id,
            AttendeePart.status == PartStatus.WAITLISTED,
            Attendee.status == AttendeeStatus.CONFIRMED,
        )
        .order_by(AttendeePart.id)
        .limit(free)
    ).all()
    for attendee_part in next_in_line:
        attendee_part.status = PartStatus.CONFIRMED
    db.session.flush()
    return {attendee_part.attendee for attendee_part in next_in_line}
