"""The waiting lists move: free places go to the people waiting, first come first served,
and each person promoted is told by e-mail.

Groups registered all or nothing (groups.py) move up together: a group's place in line is
its first member's, and it is promoted whole when the places free are enough for all its
members waiting. A group that does not fit does not block those behind it: a smaller group
or a single person behind it takes the places it cannot (as pretix's waiting list does),
and the group keeps its place in line for the next places freed. A group registered
as many as fit waits as single people do.
"""

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    DayPart,
    Event,
    GroupPolicy,
    MailKind,
    PartStatus,
)
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
        promoted |= _promote_in_part(event, part)
    admitted = _admit_to_the_day(event)
    promoted |= admitted
    if admitted:
        db.session.flush()
        for part in event.day_parts:
            promoted |= _promote_in_part(event, part)
    return promoted


def notify_promoted(attendees) -> None:
    for attendee in sorted(attendees, key=lambda a: a.id):
        mailer.enqueue(MailKind.PROMOTED, attendee)


def _admit_to_the_day(event: Event) -> set[Attendee]:
    """The first people waiting for the day itself, as many as it has free places."""
    free = free_places(event.capacity, confirmed_attendees(event.id))
    if free == 0:
        return set()
    waiting = (
        select(Attendee).filter_by(event_id=event.id, status=AttendeeStatus.WAITLISTED).order_by(Attendee.id)
    )
    together = event.group_policy == GroupPolicy.ALL_OR_NOTHING
    if not together and free is not None:
        waiting = waiting.limit(free)
    admitted = _first_that_fit(
        db.session.scalars(waiting).all(), free, group_of=lambda a: a.group_id, together=together
    )
    for attendee in admitted:
        attendee.status = AttendeeStatus.CONFIRMED
    return set(admitted)


def _promote_in_part(event: Event, part: DayPart) -> set[Attendee]:
    free = free_places(part.capacity, confirmed_in_part(part.id))
    if free == 0:
        return set()
    together = event.group_policy == GroupPolicy.ALL_OR_NOTHING
    query = (
        select(AttendeePart)
        .join(Attendee)
        .where(
            AttendeePart.day_part_id == part.id,
            AttendeePart.status == PartStatus.WAITLISTED,
            Attendee.status == AttendeeStatus.CONFIRMED,
        )
        .options(contains_eager(AttendeePart.attendee))  # their group, without a query each
        .order_by(AttendeePart.id)
    )
    if not together and free is not None:
        query = query.limit(free)
    next_in_line = _first_that_fit(
        db.session.scalars(query).all(), free, group_of=lambda p: p.attendee.group_id, together=together
    )
    for attendee_part in next_in_line:
        attendee_part.status = PartStatus.CONFIRMED
    db.session.flush()
    return {attendee_part.attendee for attendee_part in next_in_line}


def _first_that_fit(line: list, free: int | None, *, group_of, together: bool) -> list:
    """Those in line (in order) that the free places take (None: no limit). together: the
    members of one group are one entry, at its first member's place, taken whole or passed
    over (those behind it may still fit)."""
    if free is None:
        return list(line)
    if not together:
        return list(line[:free])
    entries: dict = {}
    for position, row in enumerate(line):
        key = group_of(row)
        entries.setdefault(("group", key) if key is not None else ("single", position), []).append(row)
    taken = []
    for rows in entries.values():  # in order of first appearance: the line's order
        if len(rows) <= free:
            taken += rows
            free -= len(rows)
        if free == 0:
            break
    return taken
