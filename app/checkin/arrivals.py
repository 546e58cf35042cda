"""Who is expected and not yet here: the arrivals list, live on the day (it shrinks as the
desks scan), and the same list after the day, the no-shows.

Expected: a confirmed attendee of the event. Arrived: a check-in in force (an undone one
does not count). Tables are the published world café assignment's, one per round.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

from app.extensions import db
from app.models import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    CheckIn,
    Event,
    PartStatus,
    SeatAssignment,
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
    not_arrived: list[ExpectedPerson]
    after_the_day: bool  # the list is now the no-show list


def arrivals(event: Event, filters: ArrivalFilter, now: datetime | None = None) -> Arrivals:
    """The people the filters select, counted, and those of them not arrived: one query.
    Rows carry the table's id, named here once per table: a list polled every few seconds
    by every desk would otherwise decode and translate a name per person and round."""
    names = {table.id: localized(table.name) for table in event.tables}
    people: dict[int, ExpectedPerson] = {}
    arrived: set[int] = set()
    for person_id, first_name, last_name, organisation, is_here, table_id in db.session.execute(
        _expected_rows(event, filters)
    ):
        person = people.get(person_id)
        if person is None:
            person = people[person_id] = ExpectedPerson(person_id, f"{first_name} {last_name}", organisation)
            if is_here:
                arrived.add(person_id)
        if table_id is not None:
            person.tables.append(names[table_id])
    for person in people.values():
        person.tables = one_per_round(person.tables)
    return Arrivals(
        expected=len(people),
        arrived=len(arrived),
        not_arrived=[person for person in people.values() if person.id not in arrived],
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


def _expected_rows(event: Event, filters: ArrivalFilter):
    """One row per person and round (one row when not seated), ordered by name."""
    run_id = published_run_id(event.id)
    seat_in_run = (SeatAssignment.attendee_id == Attendee.id) & (SeatAssignment.run_id == run_id)
    in_force = exists().where(CheckIn.attendee_id == Attendee.id, CheckIn.undone_at.is_(None))
    query = (
        select(
            Attendee.id,
            Attendee.first_name,
            Attendee.last_name,
            Attendee.organisation_name,
            in_force.label("arrived"),
            SeatAssignment.cafe_table_id,
        )
        .select_from(Attendee)
        .outerjoin(SeatAssignment, seat_in_run)
        .where(Attendee.event_id == event.id, Attendee.status == AttendeeStatus.CONFIRMED)
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id, SeatAssignment.round)
    )
    if filters.day_part_id:
        query = query.where(
            exists().where(
                AttendeePart.attendee_id == Attendee.id,
                AttendeePart.day_part_id == filters.day_part_id,
                AttendeePart.status == PartStatus.CONFIRMED,
            )
        )
    if filters.table_id:
        seated = SeatAssignment.__table__.alias("seated")
        query = query.where(
            exists().where(
                seated.c.attendee_id == Attendee.id,
                seated.c.run_id == run_id,
                seated.c.cafe_table_id == filters.table_id,
            )
        )
    organisation = filters.organisation.strip()
    if organisation:
        query = query.where(Attendee.organisation_name.icontains(organisation, autoescape=True))
    return query
