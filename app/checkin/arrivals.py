"""Who is expected and not yet here: the arrivals list, live on the day (it shrinks as the
desks scan), and the same list after the day, the no-shows.

Expected: a confirmed attendee of the event. Arrived: a check-in in force (an undone one
does not count); with a day part chosen that has its own check-in (lunch, the world café:
app/checkin/points.py), a scan in force at its point instead (at the café, or a facilitator's
presence mark). The per-part counts beside the list: point_counts.py. Tables are the
published world café assignment's, one per round.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, func, select

from app.extensions import db
from app.models import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    CheckIn,
    DayPartKind,
    Event,
    PartStatus,
    PointKind,
    PointScan,
    SeatAssignment,
    TableAttendance,
    localized,
)
from app.worldcafe.services import published_run_id


@dataclass
class ArrivalFilter:
    day_part_id: int | None = None  # confirmed for this part of the day
    table_id: int | None = None  # seated at this table (published assignment, any round)
    organisation: str = ""  # part of the organisation's name, any case


@dataclass
class ExpectedPerson:
    id: int
    name: str
    organisation: str | None
    tables: list[str] = field(default_factory=list)  # see one_per_round


@dataclass
class Arrivals:
    expected: int  # everyone the filters select
    arrived: int
    not_arrived: list[ExpectedPerson]  # the first NAMES_SHOWN of them by name
    after_the_day: bool  # the list is now the no-shows

    @property
    def waiting(self) -> int:
        """How many of those expected have not arrived (more than the names shown, maybe)."""
        return self.expected - self.arrived


# Names a list shows at most. Every open arrivals page asks again every few seconds: with
# 30,000 expected, sending everyone not arrived took 6 s a poll. The counts stay exact; the
# filters (day part, table, organisation) narrow the names down.
NAMES_SHOWN = 200


def arrivals(event: Event, filters: ArrivalFilter, now: datetime | None = None) -> Arrivals:
    """The people the filters select, counted, and the first of them not arrived, by name,
    with their tables: three statements, whatever the size of the event."""
    selected = _selected(event, filters)
    in_force = _arrived_condition(event, filters.day_part_id)
    expected, arrived = db.session.execute(
        select(func.count(), func.count(case((in_force, 1)))).where(*selected)
    ).one()
    names = {table.id: localized(table.name) for table in event.tables}
    people: dict[int, ExpectedPerson] = {}
    for person_id, first_name, last_name, organisation, table_id in db.session.execute(
        _not_arrived_rows(event, selected, in_force, NAMES_SHOWN)
    ):
        person = people.get(person_id)
        if person is None:
            person = people[person_id] = ExpectedPerson(person_id, f"{first_name} {last_name}", organisation)
        if table_id is not None:
            person.tables.append(names[table_id])
    for person in people.values():
        person.tables = one_per_round(person.tables)
    return Arrivals(
        expected=expected,
        arrived=arrived,
        not_arrived=list(people.values()),
        after_the_day=is_after_the_day(event, now),
    )


def one_per_round(tables: list[str]) -> list[str]:
    """A person's tables, one per round; one when every round is at the same table (the
    "stay" rotation): there is nothing to tell apart."""
    return tables[:1] if len(set(tables)) == 1 else tables


def is_after_the_day(event: Event, now: datetime | None = None) -> bool:
    """True once the event's date is past, in the event's own time zone (``now``: aware)."""
    zone = ZoneInfo(event.timezone)
    return (now or datetime.now(zone)).astimezone(zone).date() > event.date


def _arrived_condition(event: Event, day_part_id: int | None):
    """SQL on Attendee: arrived at the door, or at the chosen part's own point."""
    part = next((p for p in event.day_parts if p.id == day_part_id), None) if day_part_id else None
    if part is None or not part.check_in:
        return exists().where(CheckIn.attendee_id == Attendee.id, CheckIn.undone_at.is_(None))
    at_point = exists().where(
        PointScan.attendee_id == Attendee.id,
        PointScan.kind == PointKind.PART,
        PointScan.day_part_id == part.id,
        PointScan.undone_at.is_(None),
    )
    if part.kind != DayPartKind.WORLD_CAFE:
        return at_point
    # The attendee is of the event, so are the tables they are marked at.
    return at_point | exists().where(TableAttendance.attendee_id == Attendee.id, TableAttendance.present)


def _selected(event: Event, filters: ArrivalFilter) -> list:
    """The conditions on Attendee that the filters make: confirmed, of the event, and..."""
    conditions = [Attendee.event_id == event.id, Attendee.status == AttendeeStatus.CONFIRMED]
    if filters.day_part_id:
        conditions.append(
            exists().where(
                AttendeePart.attendee_id == Attendee.id,
                AttendeePart.day_part_id == filters.day_part_id,
                AttendeePart.status == PartStatus.CONFIRMED,
            )
        )
    if filters.table_id:
        conditions.append(
            exists().where(
                SeatAssignment.attendee_id == Attendee.id,
                SeatAssignment.run_id == published_run_id(event.id),
                SeatAssignment.cafe_table_id == filters.table_id,
            )
        )
    organisation = filters.organisation.strip()
    if organisation:
        conditions.append(Attendee.organisation_name.icontains(organisation, autoescape=True))
    return conditions


def _not_arrived_rows(event: Event, selected: list, in_force, limit: int):
    """The first `limit` people not arrived by name, one row per round they are seated in
    (one row when not seated), in that order."""
    people = (
        select(Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.organisation_name)
        .where(*selected, ~in_force)
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id)
        .limit(limit)
        .subquery()
    )
    seat = (SeatAssignment.attendee_id == people.c.id) & (SeatAssignment.run_id == published_run_id(event.id))
    return (
        select(*people.c, SeatAssignment.cafe_table_id)
        .select_from(people)
        .outerjoin(SeatAssignment, seat)
        .order_by(people.c.last_name, people.c.first_name, people.c.id, SeatAssignment.round)
    )
