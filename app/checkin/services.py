"""Check-in: one service for the scan, the manual check-in from a search, and the undo.

A QR ``scan()`` is 4 database round trips on PostgreSQL: BEGIN, one statement reading the
attendee under their row lock (SELECT ... FOR UPDATE OF attendees, with their check-in in
force, lunch and published seats), the INSERT, COMMIT (scan_statements.py, in Core: no ORM
objects on the busiest request). SQLite takes its write lock first with a statement of its
own. One more for the desk device when this worker has not seen its token lately
(desks.py); none when the badge's signature or event is wrong. More only when a race ends
on the index: after waiting for the lock, PostgreSQL re-reads only the attendee's row, so a
check-in the other desk just made is unseen, and the unique index refuses the second row
(_after_conflict answers "already"). A typed badge code, a check-in from a search and a
reinstatement take the ORM path: the lock (lock_attendee), then the attendee read afresh
(load_for_check_in), which sees the other desk's check-in. The row lock serialises desks
and any change to the attendee (cancelled, badge reissued); the partial unique index allows
one check-in in force per attendee, so two desks scanning one badge at once get one
check-in and one "already". tests/test_checkin_race.py proves the lock by reading without it.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from app.checkin import scan_statements
from app.checkin.badge_codes import typed_badge_code
from app.checkin.badges import BadgeCheck, badge_token_claims, holder_check, verify_badge
from app.checkin.scan_statements import ScannedAttendee, ScannedCheckIn, lock_attendee
from app.core.transactions import commit_keeping_loaded
from app.extensions import db
from app.models import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    AuditAction,
    AuditEntry,
    CafeTable,
    CheckIn,
    CheckInMethod,
    DayPart,
    DayPartKind,
    DeskDevice,
    Event,
    PartStatus,
    PointScan,
    SeatAssignment,
    utcnow,
)
from app.registration.reinstatement import reinstate_under_lock
from app.worldcafe.services import published_run_id


class ScanResult(enum.Enum):
    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    MALFORMED = "malformed"
    FORGED = "forged"
    REVOKED = "revoked"
    OTHER_EVENT = "other_event"
    UNKNOWN_ATTENDEE = "unknown_attendee"
    UNKNOWN_CODE = "unknown_code"  # a typed code no badge of the event has
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    # At a check-in point of a day part (app/checkin/points.py): no confirmed place in it.
    NOT_FOR_PART = "not_for_part"

    @property
    def colour(self) -> str:
        if self is ScanResult.CHECKED_IN:
            return "green"
        return "amber" if self is ScanResult.ALREADY_CHECKED_IN else "red"


BADGE_REFUSALS = {
    BadgeCheck.MALFORMED: ScanResult.MALFORMED,
    BadgeCheck.FORGED: ScanResult.FORGED,
    BadgeCheck.REVOKED: ScanResult.REVOKED,
    BadgeCheck.OTHER_EVENT: ScanResult.OTHER_EVENT,
    BadgeCheck.UNKNOWN_ATTENDEE: ScanResult.UNKNOWN_ATTENDEE,
    BadgeCheck.UNKNOWN_CODE: ScanResult.UNKNOWN_CODE,
}


@dataclass
class ScanOutcome:
    """What a scan or a check-in from a search did.

    ``request_id_reused``: the request_id (made by the client) names another person's
    check-in. Nobody was checked in now and that check-in is not this desk's to see
    (``check_in`` is None); the API answers 409. A flag, not a ScanResult, because it is
    never a reason of a 200 answer (the OpenAPI reason enum is made from ScanResult).
    """

    result: ScanResult
    # A QR scan's are what it read (ScannedAttendee, ScannedCheckIn), the other paths' ORM objects.
    attendee: Attendee | ScannedAttendee | None = None
    check_in: CheckIn | ScannedCheckIn | None = None
    request_id_reused: bool = False


def scan(event: Event, code: str, device: DeskDevice, request_id: str | None, scanned_at=None) -> ScanOutcome:
    """Check in the holder of a scanned badge, or of the code typed from under its QR (same
    checks, recorded as CheckInMethod.CODE); the same request_id twice checks in once."""
    if typed_badge_code(code) is not None:
        return _scan_typed_code(event, code, device, request_id, scanned_at)
    claims = badge_token_claims(code, event)
    if isinstance(claims, BadgeCheck):  # not a genuine badge of this event: nothing to read
        return ScanOutcome(BADGE_REFUSALS[claims])
    attendee_id, version = claims
    attendee, current = scan_statements.read_for_scan(attendee_id)
    verification = holder_check(attendee, event, version)
    if verification.attendee is not None:
        attendee.event = event  # theirs (checked): the answer shows times in its time zone
    if verification.check is not BadgeCheck.VALID:
        commit_keeping_loaded()  # nothing written: ends the transaction, releases the lock
        return ScanOutcome(BADGE_REFUSALS[verification.check], verification.attendee)
    answer = _answer_without_writing(attendee, current, request_id)
    if answer is not None:
        commit_keeping_loaded()
        return answer
    values = _check_in_values(attendee, device, None, request_id, CheckInMethod.SCAN, scanned_at)
    try:
        check_in_id = scan_statements.insert_check_in(values)
        commit_keeping_loaded()
    except IntegrityError:
        # Another desk won the race, or this request was already recorded.
        db.session.rollback()
        return _after_conflict(attendee_id, request_id)
    check_in = ScannedCheckIn(
        check_in_id, attendee_id, values["checked_in_at"], values["desk_name"], request_id
    )
    return ScanOutcome(ScanResult.CHECKED_IN, attendee, check_in)


def _scan_typed_code(event: Event, code: str, device, request_id, scanned_at) -> ScanOutcome:
    """The code names the attendee (one query), whose row is then locked and read afresh: a
    badge reissued meanwhile has another code, and its old one is refused as replaced."""
    verification = verify_badge(code, event)
    attendee = _lock_and_load(verification.attendee.id) if verification.valid else None
    if attendee is None or attendee.badge_code != typed_badge_code(code):
        commit_keeping_loaded()  # nothing written: ends the transaction, releases the lock
        if not verification.valid:
            return ScanOutcome(BADGE_REFUSALS[verification.check], verification.attendee)
        return ScanOutcome(ScanResult.REVOKED if attendee else ScanResult.UNKNOWN_ATTENDEE, attendee)
    return _check_in_locked(attendee, device, request_id, scanned_at, CheckInMethod.CODE)


def check_in_attendee(
    event: Event,
    attendee_id: int,
    device: DeskDevice | None,
    request_id: str | None,
    scanned_at=None,
    method=CheckInMethod.SEARCH,
    desk_name: str | None = None,
) -> ScanOutcome | None:
    """Check in someone found by a search (forgotten badge); None if unknown or of another event."""
    attendee = _lock_and_load(attendee_id)
    if attendee is None or attendee.event_id != event.id:
        db.session.rollback()
        return None
    return _check_in_locked(attendee, device, request_id, scanned_at, method, desk_name)


def walk_in_check_in(attendee: Attendee, desk_name: str | None) -> CheckIn:
    """The check-in of someone just registered, confirmed, at the desk: new, so nobody can
    have checked them in. Added to their registration's transaction; the caller commits."""
    check_in = CheckIn(
        event_id=attendee.event_id,
        attendee_id=attendee.id,
        desk_name=desk_name or "desk",
        method=CheckInMethod.WALK_IN,
        checked_in_at=utcnow(),
    )
    db.session.add(check_in)
    return check_in


def reinstate_and_check_in(
    event: Event, attendee_id: int, device: DeskDevice, request_id: str | None, reason: str, scanned_at=None
) -> ScanOutcome | None:
    """Someone who cancelled and came anyway: their registration taken back (a place if one
    is free, else the waiting list, counted under the event's lock) and, with a place,
    checked in, in one transaction; the audit log keeps the desk and the reason. The same
    request_id twice does it once. None if unknown or of another event."""
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        db.session.rollback()
        return None
    reinstate_under_lock(attendee, by=f"desk:{device.name}", reason=reason, request_id=request_id)
    attendee = _lock_and_load(attendee_id)  # the event's lock first, then the attendee's
    return _check_in_locked(attendee, device, request_id, scanned_at, CheckInMethod.SEARCH)


def undo_check_in(check_in_id: int, event: Event, actor: str) -> CheckIn | None:
    """Undo a check-in (a wrong person scanned); kept in the audit log with who and when."""
    check_in = db.session.get(CheckIn, check_in_id)
    if check_in is None or check_in.event_id != event.id:
        return None
    mark_undone(check_in, actor, {"check_in_id": check_in.id, "desk": check_in.desk_name})
    return check_in


def mark_undone(record: CheckIn | PointScan, actor: str, details: dict) -> None:
    """A check-in, or a scan at another point (points.py), marked undone, not deleted, and
    committed; the audit log says who undid it. Undoing it again changes nothing."""
    if record.undone_at is not None:
        return
    record.undone_at, record.undone_by = utcnow(), actor
    entry = AuditEntry(
        event_id=record.event_id,
        actor=actor,
        action=AuditAction.CHECK_IN_UNDONE,
        attendee_id=record.attendee_id,
        details=details,
    )
    db.session.add(entry)
    db.session.commit()


def _lock_and_load(attendee_id: int) -> Attendee | None:
    """Two statements, not one SELECT ... FOR UPDATE with joins: after waiting for a lock,
    PostgreSQL re-reads only the locked row, so a joined check-in made by the desk that
    held the lock would stay unseen. Read after the lock, it is seen. (The QR scan takes
    the one statement and lets the unique index catch that case: scan_statements.py.)"""
    lock_attendee(attendee_id)
    return load_for_check_in(attendee_id)


def load_for_check_in(attendee_id: int) -> Attendee | None:
    """The attendee with its parts, its check-in in force and its published seats, read
    afresh: under the lock, this sees what the desk that held it before wrote."""
    return db.session.scalars(_attendee_for_check_in(), {"attendee_id": attendee_id}).unique().first()


@cache
def _attendee_for_check_in() -> Select:
    return (
        select(Attendee)
        .outerjoin(CheckIn, (CheckIn.attendee_id == Attendee.id) & CheckIn.undone_at.is_(None))
        .outerjoin(
            SeatAssignment,
            (SeatAssignment.attendee_id == Attendee.id) & (SeatAssignment.run_id == published_run_id()),
        )
        .outerjoin(CafeTable, CafeTable.id == SeatAssignment.cafe_table_id)
        .where(Attendee.id == bindparam("attendee_id"))
        .order_by(SeatAssignment.round)  # contains_eager keeps the rows' order
        .options(
            contains_eager(Attendee.check_ins),
            # Of the seats, tables and day parts only what the desk's answer shows: every
            # column is work for the driver and the ORM on each of the joined rows.
            contains_eager(Attendee.published_seats)
            .load_only(SeatAssignment.round, SeatAssignment.cafe_table_id, SeatAssignment.small_table)
            .contains_eager(SeatAssignment.cafe_table)
            .load_only(CafeTable.name),
            joinedload(Attendee.parts).joinedload(AttendeePart.day_part).load_only(DayPart.kind),
        )
        .execution_options(populate_existing=True)
    )


def _check_in_locked(attendee, device, request_id, scanned_at, method, desk_name=None) -> ScanOutcome:
    """Under the attendee's lock: answer without writing if that is the answer, else write
    the check-in; the unique indexes have the last word."""
    current = next((c for c in attendee.check_ins if c.undone_at is None), None)
    answer = _answer_without_writing(attendee, current, request_id)
    if answer is not None:
        commit_keeping_loaded()  # nothing written: ends the transaction, releases the lock
        return answer
    check_in = CheckIn(**_check_in_values(attendee, device, desk_name, request_id, method, scanned_at))
    db.session.add(check_in)
    try:
        commit_keeping_loaded()
    except IntegrityError:
        # Another desk won the race (SQLite), or this request was already recorded.
        db.session.rollback()
        return _after_conflict(attendee.id, request_id)
    return ScanOutcome(ScanResult.CHECKED_IN, attendee, check_in)


def _answer_without_writing(attendee, current, request_id: str | None) -> ScanOutcome | None:
    """Checked in already (``current``: the check-in in force), cancelled or waiting: the
    answer; None if the check-in is to be made."""
    if current is not None:
        return _recorded(attendee, current, request_id)
    if attendee.status == AttendeeStatus.CANCELLED:
        return ScanOutcome(ScanResult.CANCELLED, attendee)
    if attendee.status != AttendeeStatus.CONFIRMED:
        return ScanOutcome(ScanResult.WAITLISTED, attendee)
    return None


def _check_in_values(attendee, device, desk_name, request_id, method, scanned_at) -> dict:
    return {
        "event_id": attendee.event_id,
        "attendee_id": attendee.id,
        "desk_device_id": device.id if device else None,
        "desk_name": device.name if device else (desk_name or "desk"),
        "request_id": request_id,
        "method": method,
        "checked_in_at": plausible_scan_time(scanned_at),
    }


def _after_conflict(attendee_id: int, request_id: str | None) -> ScanOutcome:
    """The insert was refused by an index: the check-in in force, or this request_id's."""
    attendee = db.session.get(Attendee, attendee_id, populate_existing=True)
    current = db.session.scalars(
        select(CheckIn).where(CheckIn.attendee_id == attendee_id, CheckIn.undone_at.is_(None))
    ).first()
    if current is None and request_id:
        current = db.session.scalars(select(CheckIn).filter_by(request_id=request_id)).first()
    return _recorded(attendee, current, request_id)


def _recorded(attendee: Attendee, check_in: CheckIn | None, request_id: str | None) -> ScanOutcome:
    """The answer when a check-in is already recorded: this very request's answers as it did
    the first time (a replay), another desk's is "already", and another person's under this
    request_id is refused."""
    if check_in is not None and check_in.attendee_id != attendee.id:
        return ScanOutcome(ScanResult.ALREADY_CHECKED_IN, attendee, request_id_reused=True)
    same_request = check_in is not None and request_id is not None and check_in.request_id == request_id
    return ScanOutcome(
        ScanResult.CHECKED_IN if same_request else ScanResult.ALREADY_CHECKED_IN, attendee, check_in
    )


def plausible_scan_time(scanned_at: datetime | None) -> datetime:
    """The desk's own time for a scan replayed after the network came back, if believable."""
    now = utcnow()
    if scanned_at is None or not (now - timedelta(hours=24) <= scanned_at <= now + timedelta(minutes=2)):
        return now
    return min(scanned_at, now)


def has_lunch(attendee: Attendee) -> bool:
    return any(
        p.status == PartStatus.CONFIRMED and p.day_part.kind == DayPartKind.LUNCH for p in attendee.parts
    )


def local_time(event: Event, moment: datetime) -> str:
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(event.timezone)).strftime("%H:%M")
