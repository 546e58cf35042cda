"""Who is where, counted: per day part, those expected (confirmed for it), those arrived,
and the exit's count. Read by the arrivals page (every few seconds), the desk's counters
and the report of the day.

Arrived, for a part with its own check-in (app/checkin/points.py): a scan in force at its
point, or, at the world café, a facilitator's presence mark at a table (any round); for a
part without one: a check-in at the door. "Expected" is the part's place counter, kept by
the database's triggers (migration 0016), not a count over the attendees. The arrived counts
are one grouped statement off indexes (point_scans by event and point, check_ins by event,
attendee_parts by attendee and part), whatever the size of the event.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, literal, select, union_all

from app.checkin.points import exit_scans_on
from app.extensions import db
from app.models import (
    AttendeePart,
    CafeTable,
    CheckIn,
    DayPart,
    DayPartKind,
    Event,
    PartStatus,
    PointKind,
    PointScan,
    TableAttendance,
    localized,
)

# In the grouped statement, beside the day parts' ids (from 1): the door and the exit.
DOOR, EXIT = 0, -1


@dataclass(frozen=True)
class PartCount:
    key: str  # the day part's key; "exit" for the exit
    name: str
    own_check_in: bool  # arrived counts the part's own point, not the door
    expected: int
    arrived: int

    @property
    def not_yet(self) -> int:
        return max(self.expected - self.arrived, 0)


def part_counts(event: Event) -> list[PartCount]:
    """Per day part, in the event's order, then the exit when the event scans it (expected
    there: checked in at the door; arrived: left)."""
    parts = db.session.execute(
        select(DayPart.id, DayPart.key, DayPart.name, DayPart.kind, DayPart.check_in)
        .add_columns(DayPart.confirmed_places)
        .where(DayPart.event_id == event.id)
        .order_by(DayPart.position)
    ).all()
    arrived = _arrived_by_part(event, parts)
    counts = [
        PartCount(p.key, localized(p.name), p.check_in, p.confirmed_places, arrived.get(p.id, 0))
        for p in parts
    ]
    if exit_scans_on(event):
        counts.append(PartCount("exit", _("Exit"), True, arrived.get(DOOR, 0), arrived.get(EXIT, 0)))
    return counts


def _arrived_by_part(event: Event, parts) -> dict:
    """{day part id: arrived, EXIT: left, DOOR: checked in}: one statement."""
    at_the_door_only = [p.id for p in parts if not p.check_in]
    cafe = next((p.id for p in parts if p.check_in and p.kind == DayPartKind.WORLD_CAFE), None)
    in_force = PointScan.undone_at.is_(None)
    rows = [
        select(PointScan.day_part_id.label("part"), PointScan.attendee_id.label("who")).where(
            PointScan.event_id == event.id, PointScan.kind == PointKind.PART, in_force
        ),
        select(literal(EXIT).label("part"), PointScan.attendee_id).where(
            PointScan.event_id == event.id, PointScan.kind == PointKind.EXIT, in_force
        ),
    ]
    if cafe is not None:
        rows.append(
            select(literal(cafe).label("part"), TableAttendance.attendee_id)
            .join(CafeTable, CafeTable.id == TableAttendance.cafe_table_id)
            .where(CafeTable.event_id == event.id, TableAttendance.present)
        )
    door = CheckIn.event_id == event.id, CheckIn.undone_at.is_(None)
    rows.append(select(literal(DOOR).label("part"), CheckIn.attendee_id).where(*door))
    if at_the_door_only:
        rows.append(
            select(AttendeePart.day_part_id, CheckIn.attendee_id)
            .join(AttendeePart, AttendeePart.attendee_id == CheckIn.attendee_id)
            .where(*door, AttendeePart.day_part_id.in_(at_the_door_only))
            .where(AttendeePart.status == PartStatus.CONFIRMED)
        )
    everyone = union_all(*rows).subquery()
    return dict(
        db.session.execute(
            select(everyone.c.part, func.count(func.distinct(everyone.c.who))).group_by(everyone.c.part)
        ).all()
    )
