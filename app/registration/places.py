"""Counting places: what is taken and free, for the event and each day part, and where
someone stands on a waiting list. The decisions that use these counts take the event's
lock first (see app/core/locking.py)."""

from sqlalchemy import func, literal, select, union_all, update

from app.extensions import db
from app.models import Attendee, AttendeePart, AttendeeStatus, DayPart, Event, PartStatus


def places_left(event: Event) -> dict:
    """Free places for the event ("event") and for each day part id (None: no limit)."""
    taken = places_taken(event)
    left = {"event": free_places(event.capacity, taken["event"])}
    for part in event.day_parts:
        left[part.id] = free_places(part.capacity, taken[part.id])
    return left


def places_taken(event: Event, leaving_out: Attendee | None = None) -> dict:
    """Confirmed places, for the event and per day part, in one query of the counters the
    database keeps (migration 0016): one row each, however many are registered. It runs
    under the event's lock, where they are exact. leaving_out: an attendee whose places are
    being decided, not yet taken (the query flushes them first, so what they hold now is
    what the counters include, and is taken off)."""
    per_part = select(DayPart.id, DayPart.confirmed_places).where(DayPart.event_id == event.id)
    whole_event = select(literal(None), Event.confirmed_places).where(Event.id == event.id)
    counts = dict(db.session.execute(union_all(per_part, whole_event)).all())
    taken = {part.id: counts.get(part.id, 0) for part in event.day_parts}
    taken["event"] = counts.get(None, 0)
    if leaving_out is not None:
        _take_off_own_places(taken, leaving_out)
    return taken


def _take_off_own_places(taken: dict, attendee: Attendee) -> None:
    if attendee.status == AttendeeStatus.CONFIRMED:
        taken["event"] -= 1
    for attendee_part in attendee.parts:
        if attendee_part.status == PartStatus.CONFIRMED:
            taken[attendee_part.day_part_id] -= 1


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
    """The event's counter (see places_taken): exact under its lock."""
    return db.session.scalar(select(Event.confirmed_places).where(Event.id == event_id))


def confirmed_in_part(part_id: int) -> int:
    return db.session.scalar(select(DayPart.confirmed_places).where(DayPart.id == part_id))


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


# ---- The counters checked against the rows they count ---------------------------------


def _real_counts():
    """(what, id, counter, real COUNT) of every event and day part."""
    per_event = (
        select(Attendee.event_id.label("id"), func.count().label("real"))
        .where(Attendee.status == AttendeeStatus.CONFIRMED)
        .group_by(Attendee.event_id)
        .subquery()
    )
    per_part = (
        select(AttendeePart.day_part_id.label("id"), func.count().label("real"))
        .where(AttendeePart.status == PartStatus.CONFIRMED)
        .group_by(AttendeePart.day_part_id)
        .subquery()
    )
    events = select(
        literal("event"), Event.id, Event.confirmed_places, func.coalesce(per_event.c.real, 0)
    ).outerjoin(per_event, per_event.c.id == Event.id)
    parts = select(
        literal("day_part"), DayPart.id, DayPart.confirmed_places, func.coalesce(per_part.c.real, 0)
    ).outerjoin(per_part, per_part.c.id == DayPart.id)
    return union_all(events, parts)


def miscounted_places() -> list[tuple]:
    """Counters that disagree with a real COUNT of the confirmed rows, as (what, id,
    counter, count); empty when every one is right. One query: one snapshot of both."""
    return [row for row in db.session.execute(_real_counts()).all() if row[2] != row[3]]


def recount_places(event: Event) -> list[tuple]:
    """Set the event's counters to the real counts, under its lock, and commit; returns
    what was wrong (as miscounted_places)."""
    from app.core.locking import lock_event

    lock_event(event.id)
    wrong = [row for row in miscounted_places() if _belongs_to(row, event)]
    for what, row_id, _counter, real in wrong:
        model = Event if what == "event" else DayPart
        db.session.execute(update(model).where(model.id == row_id).values(confirmed_places=real))
    db.session.commit()
    return wrong


def _belongs_to(row: tuple, event: Event) -> bool:
    what, row_id = row[0], row[1]
    return row_id == event.id if what == "event" else row_id in {part.id for part in event.day_parts}
