"""Counting places: what is taken and free, for the event and each day part, and where
someone stands on a waiting list. The decisions that use these counts take the event's
lock first (see app/core/locking.py)."""

from sqlalchemy import func, literal, select, union_all

from app.extensions import db
from app.models import Attendee, AttendeePart, AttendeeStatus, DayPart, Event, PartStatus


def places_left(event: Event) -> dict:
    """Free places for the event ("event") and for each day part id (None: no limit)."""
    taken = places_taken(event)
    left = {"event": free_places(event.capacity, taken["event"])}
    for part in event.day_parts:
        left[part.id] = free_places(part.capacity, taken[part.id])
    return left


def places_taken(event: Event, leaving_out: int | None = None) -> dict:
    """Confirmed places, for the event and per day part, in one query (it runs under the
    event's lock: every round trip there is one more wait for everyone registering).
    leaving_out: an attendee whose places are being decided, not yet taken."""
    per_part = (
        select(AttendeePart.day_part_id, func.count())
        .where(
            AttendeePart.day_part_id.in_([part.id for part in event.day_parts]),  # no join
            AttendeePart.status == PartStatus.CONFIRMED,
            AttendeePart.attendee_id != (leaving_out or 0),
        )
        .group_by(AttendeePart.day_part_id)
    )
    whole_event = select(literal(None).label("day_part_id"), func.count()).where(
        Attendee.event_id == event.id,
        Attendee.status == AttendeeStatus.CONFIRMED,
        Attendee.id != (leaving_out or 0),
    )
    counts = dict(db.session.execute(union_all(per_part, whole_event)).all())
    taken = {part.id: counts.get(part.id, 0) for part in event.day_parts}
    taken["event"] = counts.get(None, 0)
    return taken


def free_places(capacity: int | None, taken: int) -> int | None:
    """None when there is no limit."""
    return None if capacity is None else max(capacity - taken, 0)


def take_place_if_free(attendee: Attendee, part: DayPart, taken: dict) -> bool:
    """True when the attendee, admitted to the day, finds a free place in the part;
    ``taken`` (from places_taken) then counts it."""
    room = attendee.status == AttendeeStatus.CONFIRMED and free_places(part.capacity, taken[part.id]) != 0
    if room:
        taken[part.id] += 1
    return room


def confirmed_attendees(event_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Attendee)
        .filter_by(event_id=event_id, status=AttendeeStatus.CONFIRMED)
    )


def confirmed_in_part(part_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AttendeePart)
        .filter_by(day_part_id=part_id, status=PartStatus.CONFIRMED)
    )


def waiting_list_position(attendee_part: AttendeePart) -> int:
    """1 for the next person in line for that day part."""
    return 1 + db.session.scalar(
        select(func.count())
        .select_from(AttendeePart)
        .join(Attendee)
        .where(
            AttendeePart.day_part_id == attendee_part.day_part_id,
            AttendeePart.status == PartStatus.WAITLISTED,
            AttendeePart.id < attendee_part.id,
            Attendee.status != AttendeeStatus.CANCELLED,
        )
    )


def event_waiting_list_position(attendee: Attendee) -> int:
    """1 for the next person in line for the day itself."""
    return 1 + db.session.scalar(
        select(func.count())
        .select_from(Attendee)
        .where(
            Attendee.event_id == attendee.event_id,
            Attendee.status == AttendeeStatus.WAITLISTED,
            Attendee.id < attendee.id,
        )
    )
