"""What the venue and the caterer need to know a few days before: how many come to each
part of the day, and who asked for what (dietary needs for lunch, accessibility)."""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attendee, AttendeePart, AttendeeStatus, DayPart, DayPartKind, Event, PartStatus


@dataclass(frozen=True)
class PartFigures:
    part: DayPart
    confirmed: int
    waiting: int


@dataclass(frozen=True)
class Need:
    attendee_id: int
    name: str
    organisation: str | None
    text: str


def part_figures(event: Event) -> list[PartFigures]:
    """Per day part, in programme order: confirmed places and the waiting list (of people
    still registered: a cancellation leaves no parts behind)."""
    rows = db.session.execute(
        select(AttendeePart.day_part_id, AttendeePart.status, func.count())
        .join(Attendee, Attendee.id == AttendeePart.attendee_id)
        .where(Attendee.event_id == event.id, Attendee.status != AttendeeStatus.CANCELLED)
        .group_by(AttendeePart.day_part_id, AttendeePart.status)
    ).all()
    counts = {(part_id, status): count for part_id, status, count in rows}
    return [
        PartFigures(
            part,
            counts.get((part.id, PartStatus.CONFIRMED), 0),
            counts.get((part.id, PartStatus.WAITLISTED), 0),
        )
        for part in event.day_parts
    ]


def dietary_needs(event: Event) -> list[Need]:
    """What confirmed lunch guests wrote about diets and allergies, for the caterer."""
    lunch = (
        select(AttendeePart.attendee_id)
        .join(DayPart, DayPart.id == AttendeePart.day_part_id)
        .where(DayPart.kind == DayPartKind.LUNCH, AttendeePart.status == PartStatus.CONFIRMED)
    )
    return _needs(event, Attendee.dietary_needs, Attendee.id.in_(lunch))


def accessibility_needs(event: Event) -> list[Need]:
    """What confirmed attendees wrote about access, for the venue and the facilitators."""
    return _needs(event, Attendee.accessibility_needs)


def _needs(event: Event, column, *conditions) -> list[Need]:
    rows = db.session.execute(
        select(Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.organisation_name, column)
        .where(
            Attendee.event_id == event.id,
            Attendee.status == AttendeeStatus.CONFIRMED,
            func.length(func.trim(func.coalesce(column, ""))) > 0,
            *conditions,
        )
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id)
    ).all()
    return [Need(row[0], f"{row[1]} {row[2]}", row[3], row[4].strip()) for row in rows]
