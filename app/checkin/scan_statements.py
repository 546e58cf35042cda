"""The badge scan's own statements, in SQLAlchemy Core: the busiest request of the day.

A scan reads one person and writes one row. Loading them as ORM objects (the attendee,
its parts, check-ins, seats and tables, then a unit-of-work flush) was most of a scan's
CPU time; these statements answer tuples and write with one INSERT. What the desk's
answer shows of the person is a ``ScannedAttendee`` (the ORM paths answer with an
``Attendee``; the serializer reads the same attribute names from both).
"""

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, insert, select, text

from app.extensions import db
from app.models import (
    Attendee,
    AttendeePart,
    CafeTable,
    CheckIn,
    DayPart,
    DayPartKind,
    Event,
    PartStatus,
    SeatAssignment,
    utcnow,
)
from app.worldcafe.services import published_run_id


@dataclass
class ScannedAttendee:
    """The scanned person as the desk's answer shows them, read under their row lock."""

    id: int
    event_id: int
    first_name: str
    last_name: str
    organisation_name: str | None
    participant_type: str
    status: str
    dietary_needs: str | None
    accessibility_needs: str | None
    badge_version: int
    lunch: bool
    event: Event | None = None  # the desk's event (the scan is refused for any other)
    # (round, the table's name as in the event file, small table index), by round
    tables: list[tuple[int, object, int | None]] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class ScannedCheckIn:
    """The scanned person's check-in in force, as read with them."""

    id: int
    attendee_id: int
    checked_in_at: object
    desk_name: str
    request_id: str | None
    undone_at: None = None


Scanned = tuple[ScannedAttendee | None, ScannedCheckIn | None]


def read_for_scan(attendee_id: int, lock: bool = True) -> Scanned:
    """The attendee (None if there is none), with their check-in in force, their lunch and
    their published seats, under their row lock (``lock``: tests/test_checkin_race.py turns
    it off). PostgreSQL: one statement, SELECT ... FOR UPDATE OF attendees. After waiting
    for the lock it re-reads only the attendee's row, so a check-in that the desk holding
    the lock just made stays unseen: that scan's INSERT is then refused by the unique index
    and the service answers from the row it finds (services._after_conflict). SQLite: the
    database's write lock first (lock_attendee), then the read, which sees every commit."""
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if lock and not postgresql:
        lock_attendee(attendee_id)
    rows = connection.execute(_scan_read(lock and postgresql), {"attendee_id": attendee_id}).all()
    if not rows:
        return None, None
    first = rows[0]
    attendee = ScannedAttendee(*first[:11])
    attendee.tables = [(r.round, r.table_name, r.small_table) for r in rows if r.table_name is not None]
    check_in = ScannedCheckIn(first.check_in_id, attendee_id, *first[12:15]) if first.check_in_id else None
    return attendee, check_in


def lock_attendee(attendee_id: int) -> None:
    """Hold the attendee's row lock until the transaction ends, so that desks checking in
    one person take turns. PostgreSQL: SELECT ... FOR UPDATE. SQLite: a no-op UPDATE,
    which takes the database's single write lock."""
    # On the session's connection: no ORM result to build (half of this statement's CPU).
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_lock_statement(), {"attendee_id": attendee_id})
    else:
        connection.execute(text("UPDATE attendees SET id = id WHERE id = :id"), {"id": attendee_id})


# Statements are built once per process: building one and computing its key for
# SQLAlchemy's cache of compiled statements was a fifth of a scan's CPU time.
@cache
def _lock_statement() -> Select:
    return select(Attendee.id).where(Attendee.id == bindparam("attendee_id")).with_for_update()


@cache
def _scan_read(for_update: bool) -> Select:
    lunch = exists().where(
        AttendeePart.attendee_id == Attendee.id,
        AttendeePart.status == PartStatus.CONFIRMED,
        AttendeePart.day_part_id == DayPart.id,
        DayPart.kind == DayPartKind.LUNCH,
    )
    statement = (
        select(
            # In ScannedAttendee's order, then ScannedCheckIn's (its attendee is this one).
            Attendee.id,
            Attendee.event_id,
            Attendee.first_name,
            Attendee.last_name,
            Attendee.organisation_name,
            Attendee.participant_type,
            Attendee.status,
            Attendee.dietary_needs,
            Attendee.accessibility_needs,
            Attendee.badge_version,
            lunch.label("lunch"),
            CheckIn.id.label("check_in_id"),
            CheckIn.checked_in_at,
            CheckIn.desk_name,
            CheckIn.request_id,
            SeatAssignment.round,
            SeatAssignment.small_table,
            CafeTable.name.label("table_name"),  # NOT NULL: None when no seat or no table
        )
        .select_from(Attendee)
        .outerjoin(CheckIn, and_(CheckIn.attendee_id == Attendee.id, CheckIn.undone_at.is_(None)))
        .outerjoin(
            SeatAssignment,
            and_(SeatAssignment.attendee_id == Attendee.id, SeatAssignment.run_id == published_run_id()),
        )
        .outerjoin(CafeTable, CafeTable.id == SeatAssignment.cafe_table_id)
        .where(Attendee.id == bindparam("attendee_id"))
        .order_by(SeatAssignment.round)
    )
    return statement.with_for_update(of=Attendee) if for_update else statement


def insert_check_in(values: dict) -> int:
    """Write one check-in; its id. The unique indexes (one in force per attendee, one per
    request_id) raise IntegrityError, which the caller answers."""
    values = {**values, "recorded_at": utcnow()}
    return db.session.connection().execute(_insert_statement(), values).scalar_one()


@cache
def _insert_statement():
    columns = ("event_id", "attendee_id", "desk_device_id", "desk_name", "request_id", "method")
    values = {name: bindparam(name) for name in (*columns, "checked_in_at", "recorded_at")}
    return insert(CheckIn).values(values).returning(CheckIn.id)
