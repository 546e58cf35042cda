"""The world café tables at work: who facilitates which table, each table's roster per
round, and who is actually there (ticked by name or by scanning a badge at the table).
"""

import enum
from dataclasses import dataclass

from sqlalchemy import select, text

from ..extensions import db
from ..models import (
    Attendee,
    CafeTable,
    CheckIn,
    Event,
    Role,
    SeatAssignment,
    TableAttendance,
    TableFacilitator,
    User,
    utcnow,
)
from .badges import BadgeCheck, verify_badge_token
from .world_cafe import published_run  # the assignment the tables work from

__all__ = ["published_run"]  # re-exported for the report and the views

# ---- Who may work at a table ----------------------------------------------------------


def may_facilitate(user, table: CafeTable) -> bool:
    """Admins work at every table; a facilitator only at the tables assigned to them."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.FACILITATOR:
        return False
    return (
        db.session.scalar(select(TableFacilitator.id).filter_by(cafe_table_id=table.id, user_id=user.id))
        is not None
    )


def tables_for(user, event: Event) -> list[CafeTable]:
    """The tables the user may open: all of them for an admin, their own for a facilitator."""
    if user.role == Role.ADMIN:
        return list(event.tables)
    query = (
        select(CafeTable)
        .join(TableFacilitator, TableFacilitator.cafe_table_id == CafeTable.id)
        .where(TableFacilitator.user_id == user.id, CafeTable.event_id == event.id)
        .order_by(CafeTable.position)
    )
    return db.session.scalars(query).all()


def facilitators_by_table(event: Event) -> dict[int, list[User]]:
    query = (
        select(TableFacilitator)
        .join(CafeTable, CafeTable.id == TableFacilitator.cafe_table_id)
        .join(User, User.id == TableFacilitator.user_id)
        .where(CafeTable.event_id == event.id)
        .order_by(User.name)
    )
    found: dict[int, list[User]] = {table.id: [] for table in event.tables}
    for link in db.session.scalars(query):
        found.setdefault(link.cafe_table_id, []).append(link.user)
    return found


def facilitator_candidates() -> list[User]:
    return db.session.scalars(
        select(User).filter_by(role=Role.FACILITATOR, active=True).order_by(User.name)
    ).all()


def assign_facilitator(table: CafeTable, user: User) -> bool:
    """Put a facilitator in charge of a table; False if they already were (or not a facilitator)."""
    if user.role != Role.FACILITATOR or may_facilitate(user, table):
        return False
    db.session.add(TableFacilitator(cafe_table_id=table.id, user_id=user.id))
    db.session.commit()
    return True


def remove_facilitator(table: CafeTable, user: User) -> bool:
    link = db.session.scalars(
        select(TableFacilitator).filter_by(cafe_table_id=table.id, user_id=user.id)
    ).first()
    if link is None:
        return False
    db.session.delete(link)
    db.session.commit()
    return True


# ---- Rounds and the roster --------------------------------------------------------------


def attendance_rounds(event: Event) -> list[int]:
    """Rounds of the café, from 1 (a café without rounds has one)."""
    return list(range(1, max(event.cafe_rounds or 1, 1) + 1))


@dataclass(frozen=True)
class RosterEntry:
    attendee: Attendee
    small_table: int | None  # 0-based, when the theme has small tables
    on_roster: bool  # False: not assigned here, but marked present at this table
    checked_in: bool  # at the desk
    present: bool  # at this table, in this round

    @property
    def small_table_letter(self) -> str:
        return "" if self.small_table is None else chr(ord("A") + self.small_table)


def roster(table: CafeTable, round: int) -> list[RosterEntry]:
    """Who sits at the table in the round (the published assignment), with the desk's
    check-in and the table's own attendance; people marked present here without a seat
    here come last."""
    run = published_run(table_event(table))
    seats = {}
    if run is not None:
        query = select(SeatAssignment).where(
            SeatAssignment.run_id == run.id,
            SeatAssignment.cafe_table_id == table.id,
            SeatAssignment.round == round,
        )
        seats = {seat.attendee_id: seat for seat in db.session.scalars(query)}
    marks = {
        mark.attendee_id: mark.present
        for mark in db.session.scalars(select(TableAttendance).filter_by(cafe_table_id=table.id, round=round))
    }
    ids = set(seats) | {attendee_id for attendee_id, present in marks.items() if present}
    if not ids:
        return []
    attendees = db.session.scalars(select(Attendee).where(Attendee.id.in_(ids))).all()
    checked_in = set(
        db.session.scalars(
            select(CheckIn.attendee_id).where(CheckIn.attendee_id.in_(ids), CheckIn.undone_at.is_(None))
        )
    )
    entries = [
        RosterEntry(
            attendee=attendee,
            small_table=seats[attendee.id].small_table if attendee.id in seats else None,
            on_roster=attendee.id in seats,
            checked_in=attendee.id in checked_in,
            present=marks.get(attendee.id, False),
        )
        for attendee in attendees
    ]
    entries.sort(
        key=lambda e: (
            not e.on_roster,
            e.small_table if e.small_table is not None else 99,
            e.attendee.last_name.lower(),
            e.attendee.first_name.lower(),
        )
    )
    return entries


def table_event(table: CafeTable) -> Event:
    return db.session.get(Event, table.event_id)


# ---- Attendance at the table ------------------------------------------------------------


class AttendanceResult(enum.Enum):
    PRESENT = "present"
    ABSENT = "absent"
    PRESENT_NOT_ON_ROSTER = "present_not_on_roster"  # marked, but seated elsewhere (or nowhere)
    UNKNOWN_ATTENDEE = "unknown_attendee"
    NOT_A_BADGE = "malformed"
    FORGED = "forged"
    REVOKED = "revoked"
    OTHER_EVENT = "other_event"

    @property
    def marked(self) -> bool:
        return self in (
            AttendanceResult.PRESENT,
            AttendanceResult.ABSENT,
            AttendanceResult.PRESENT_NOT_ON_ROSTER,
        )


_BADGE_REFUSALS = {
    BadgeCheck.MALFORMED: AttendanceResult.NOT_A_BADGE,
    BadgeCheck.FORGED: AttendanceResult.FORGED,
    BadgeCheck.REVOKED: AttendanceResult.REVOKED,
    BadgeCheck.OTHER_EVENT: AttendanceResult.OTHER_EVENT,
    BadgeCheck.UNKNOWN_ATTENDEE: AttendanceResult.UNKNOWN_ATTENDEE,
}


@dataclass(frozen=True)
class AttendanceOutcome:
    result: AttendanceResult
    attendee: Attendee | None = None


def set_presence(table: CafeTable, attendee_id: int, round: int, present: bool, marked_by: str):
    """Tick (or untick) one person as present at the table in the round."""
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != table.event_id:
        return AttendanceOutcome(AttendanceResult.UNKNOWN_ATTENDEE)
    _lock_table(table.id)
    mark = db.session.scalars(
        select(TableAttendance)
        .filter_by(cafe_table_id=table.id, attendee_id=attendee.id, round=round)
        .execution_options(populate_existing=True)
    ).first()
    if mark is None:
        mark = TableAttendance(cafe_table_id=table.id, attendee_id=attendee.id, round=round)
        db.session.add(mark)
    mark.present, mark.marked_by, mark.marked_at = present, marked_by, utcnow()
    db.session.commit()
    if not present:
        return AttendanceOutcome(AttendanceResult.ABSENT, attendee)
    seated_here = any(entry.attendee.id == attendee.id and entry.on_roster for entry in roster(table, round))
    result = AttendanceResult.PRESENT if seated_here else AttendanceResult.PRESENT_NOT_ON_ROSTER
    return AttendanceOutcome(result, attendee)


def scan_presence(table: CafeTable, code: str, round: int, marked_by: str) -> AttendanceOutcome:
    """A badge scanned at the table (camera or scanner): its holder is present here."""
    verification = verify_badge_token(code, table.event_id)
    if verification.check is not BadgeCheck.VALID:
        return AttendanceOutcome(_BADGE_REFUSALS[verification.check], verification.attendee)
    return set_presence(table, verification.attendee.id, round, True, marked_by)


def _lock_table(table_id: int) -> None:
    """Serialise attendance changes at one table (two devices ticking the same person)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(CafeTable.id).where(CafeTable.id == table_id).with_for_update())
    else:  # SQLite: the database's single write lock
        db.session.execute(text("UPDATE cafe_tables SET id = id WHERE id = :id"), {"id": table_id})
