"""The world café tables at work: each table's roster per round, and who is actually there
(ticked by name or by scanning a badge at the table). Who facilitates which table:
facilitators.py.
"""

import enum
from dataclasses import dataclass

from sqlalchemy import select, text

from app.checkin.badges import BadgeCheck, verify_badge
from app.checkin.points import seat_in_round
from app.core.transactions import commit_keeping_loaded
from app.extensions import db
from app.models import (
    Attendee,
    AttendeeStatus,
    CafeTable,
    CheckIn,
    Event,
    SeatAssignment,
    TableAttendance,
    utcnow,
)
from app.worldcafe.services import published_run_id  # the assignment the tables work from

# ---- Rounds and the roster --------------------------------------------------------------


def attendance_rounds(event: Event) -> list[int]:
    """Rounds of the café, from 1 (a café without rounds has one)."""
    return list(range(1, max(event.cafe_rounds or 1, 1) + 1))


@dataclass(frozen=True)
class RosterEntry:
    attendee: Attendee
    small_table: int | None  # 0-based, when the theme has small tables
    on_roster: bool  # False: not seated here by the assignment, but marked at this table
    checked_in: bool  # at the desk
    present: bool  # at this table, in this round
    walk_up: bool = False  # added at the table from their badge

    @property
    def small_table_letter(self) -> str:
        return "" if self.small_table is None else chr(ord("A") + self.small_table)


def roster(table: CafeTable, round: int) -> list[RosterEntry]:
    """The table's list for the round, the only people a tick may change: those seated here
    by the published assignment and those marked here (walk-ups added from their badge, or
    people seated here before a newer assignment), all with a confirmed registration; with
    the desk's check-in and the table's own attendance. People without a seat here come last."""
    seats = _seats_here(table, round)
    marks = _marks_here(table, round)
    ids = set(seats) | set(marks)
    if not ids:
        return []
    attendees = db.session.scalars(select(Attendee).where(Attendee.id.in_(ids))).all()
    checked_in = _checked_in(ids)
    entries = [
        _entry(attendee, seats.get(attendee.id), marks.get(attendee.id), checked_in) for attendee in attendees
    ]
    return sorted(entries, key=_roster_order)


def _entry(
    attendee: Attendee, seat: SeatAssignment | None, mark: TableAttendance | None, checked_in
) -> RosterEntry:
    return RosterEntry(
        attendee=attendee,
        small_table=seat.small_table if seat is not None else None,
        on_roster=seat is not None,
        checked_in=attendee.id in checked_in,
        present=mark is not None and mark.present,
        walk_up=mark is not None and mark.walk_up,
    )


def _roster_order(entry: RosterEntry):
    """The table's own people first, by small table, then by name."""
    small_table = entry.small_table if entry.small_table is not None else 99
    return (
        not entry.on_roster,
        small_table,
        entry.attendee.last_name.lower(),
        entry.attendee.first_name.lower(),
    )


def _confirmed_of(table: CafeTable):
    """SQL: the attendee is of the table's event, with a confirmed registration."""
    return (Attendee.event_id == table.event_id) & (Attendee.status == AttendeeStatus.CONFIRMED)


def _seats_here(table: CafeTable, round: int, attendee_id: int | None = None) -> dict[int, SeatAssignment]:
    """Seats at the table in the round of the event's published assignment, by attendee id."""
    query = (
        select(SeatAssignment)
        .join(Attendee, Attendee.id == SeatAssignment.attendee_id)
        .where(
            SeatAssignment.run_id == published_run_id(table.event_id),
            SeatAssignment.cafe_table_id == table.id,
            SeatAssignment.round == round,
            _confirmed_of(table),
        )
    )
    if attendee_id is not None:
        query = query.where(SeatAssignment.attendee_id == attendee_id)
    return {seat.attendee_id: seat for seat in db.session.scalars(query)}


def _marks_here(table: CafeTable, round: int, attendee_id: int | None = None) -> dict[int, TableAttendance]:
    """Attendance marks made at the table in the round, by attendee id."""
    query = (
        select(TableAttendance)
        .join(Attendee, Attendee.id == TableAttendance.attendee_id)
        .where(
            TableAttendance.cafe_table_id == table.id, TableAttendance.round == round, _confirmed_of(table)
        )
        .execution_options(populate_existing=True)  # read after the table's lock
    )
    if attendee_id is not None:
        query = query.where(TableAttendance.attendee_id == attendee_id)
    return {mark.attendee_id: mark for mark in db.session.scalars(query)}


def _checked_in(attendee_ids) -> set[int]:
    return set(
        db.session.scalars(
            select(CheckIn.attendee_id).where(
                CheckIn.attendee_id.in_(attendee_ids), CheckIn.undone_at.is_(None)
            )
        )
    )


# ---- Attendance at the table ------------------------------------------------------------


class AttendanceResult(enum.Enum):
    PRESENT = "present"
    ABSENT = "absent"
    WALK_UP = "walk_up"  # present, not seated here: added from their badge
    NOT_ON_ROSTER = "not_on_roster"  # a tick for someone not on the table's list
    NOT_CHECKED_IN = "not_checked_in"  # a walk-up must check in at the desk first
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    UNKNOWN_ATTENDEE = "unknown_attendee"
    UNKNOWN_CODE = "unknown_code"  # a typed code no badge of the event has
    NOT_A_BADGE = "malformed"
    FORGED = "forged"
    REVOKED = "revoked"
    OTHER_EVENT = "other_event"

    @property
    def marked(self) -> bool:
        return self in (AttendanceResult.PRESENT, AttendanceResult.ABSENT, AttendanceResult.WALK_UP)


_BADGE_REFUSALS = {
    BadgeCheck.MALFORMED: AttendanceResult.NOT_A_BADGE,
    BadgeCheck.FORGED: AttendanceResult.FORGED,
    BadgeCheck.REVOKED: AttendanceResult.REVOKED,
    BadgeCheck.OTHER_EVENT: AttendanceResult.OTHER_EVENT,
    BadgeCheck.UNKNOWN_ATTENDEE: AttendanceResult.UNKNOWN_ATTENDEE,
    BadgeCheck.UNKNOWN_CODE: AttendanceResult.UNKNOWN_CODE,
}

_NO_PLACE = {
    AttendeeStatus.WAITLISTED: AttendanceResult.WAITLISTED,
    AttendeeStatus.CANCELLED: AttendanceResult.CANCELLED,
}


@dataclass(frozen=True)
class AttendanceOutcome:
    result: AttendanceResult
    attendee: Attendee | None = None
    # A walk-up seated at another table in this round: its name, so the table can send them.
    seated_at: str | None = None


def set_presence(table: CafeTable, attendee_id: int, round: int, present: bool, marked_by: str):
    """Tick (or untick) someone on the table's list for the round (see ``roster``). Anyone
    else, of this event or another, is refused with NOT_ON_ROSTER and nothing is written:
    people not seated here join the table only from their badge (``scan_presence``)."""
    _lock_table(table.id)
    seated = bool(_seats_here(table, round, attendee_id))
    mark = _marks_here(table, round, attendee_id).get(attendee_id)
    if not seated and mark is None:
        _end_transaction()
        return AttendanceOutcome(AttendanceResult.NOT_ON_ROSTER)
    walk_up = not seated and mark.walk_up
    return _mark(table, db.session.get(Attendee, attendee_id), round, present, marked_by, mark, walk_up)


def scan_presence(table: CafeTable, code: str, round: int, marked_by: str) -> AttendanceOutcome:
    """A badge scanned at the table (camera or scanner), or the code under its QR typed, with
    the desk's checks: its holder is present here. Someone not on the table's list is added
    as a walk-up, if their registration is confirmed and they are checked in at the desk;
    otherwise refused with the reason, nothing written."""
    verification = verify_badge(code, table.event_id)
    if verification.check is not BadgeCheck.VALID:
        return AttendanceOutcome(_BADGE_REFUSALS[verification.check], verification.attendee)
    attendee = verification.attendee
    if attendee.status in _NO_PLACE:
        return AttendanceOutcome(_NO_PLACE[attendee.status], attendee)
    _lock_table(table.id)
    seated = bool(_seats_here(table, round, attendee.id))
    mark = _marks_here(table, round, attendee.id).get(attendee.id)
    if not seated and mark is None and not _checked_in([attendee.id]):
        _end_transaction()
        return AttendanceOutcome(AttendanceResult.NOT_CHECKED_IN, attendee)
    walk_up = not seated and (mark is None or mark.walk_up)
    outcome = _mark(table, attendee, round, True, marked_by, mark, walk_up)
    if outcome.result is AttendanceResult.WALK_UP:
        seat = seat_in_round(table.event_id, attendee.id, round)
        if seat is not None and seat.table_id != table.id:
            return AttendanceOutcome(outcome.result, attendee, seated_at=seat.table_name)
    return outcome


def _mark(table, attendee, round, present, marked_by, mark, walk_up) -> AttendanceOutcome:
    if mark is None:
        mark = TableAttendance(cafe_table_id=table.id, attendee_id=attendee.id, round=round)
        db.session.add(mark)
    mark.present, mark.walk_up, mark.marked_by, mark.marked_at = present, walk_up, marked_by, utcnow()
    db.session.commit()
    if not present:
        return AttendanceOutcome(AttendanceResult.ABSENT, attendee)
    return AttendanceOutcome(AttendanceResult.WALK_UP if walk_up else AttendanceResult.PRESENT, attendee)


def _end_transaction() -> None:
    """Nothing written: release the table's lock."""
    commit_keeping_loaded()


def _lock_table(table_id: int) -> None:
    """Serialise attendance changes at one table (two devices ticking the same person)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(CafeTable.id).where(CafeTable.id == table_id).with_for_update())
    else:  # SQLite: the database's single write lock
        db.session.execute(text("UPDATE cafe_tables SET id = id WHERE id = :id"), {"id": table_id})
