"""Check-in: one service for the scan, the manual check-in from a search, and the undo.

``scan()`` costs 4 queries: the desk device, the attendee's row lock, the attendee with its
parts, published seats and check-in in force, and the insert (more only when a race ends on
the index). The attendee's row is locked for the transaction, and a partial unique index
allows one check-in in force per attendee, so two desks scanning one badge at once get one
check-in and one "already".
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.checkin.badges import BadgeCheck, attendee_id_in_token, verify_badge_token
from app.core.transactions import commit_keeping_loaded
from app.extensions import db
from app.models import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    AuditEntry,
    CafeTable,
    CheckIn,
    DayPartKind,
    DeskDevice,
    Event,
    PartStatus,
    SeatAssignment,
    utcnow,
)
from app.worldcafe.services import published_run_id

# Tests turn this off to show the race the lock prevents (tests/test_checkin_race.py).
ROW_LOCKS = True


def _decided_to_check_in(attendee: Attendee) -> None:
    """Called between reading "not checked in yet" and writing the check-in (a test hook)."""


class ScanResult(enum.Enum):
    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    MALFORMED = "malformed"
    FORGED = "forged"
    REVOKED = "revoked"
    OTHER_EVENT = "other_event"
    UNKNOWN_ATTENDEE = "unknown_attendee"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"

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
}


@dataclass
class ScanOutcome:
    result: ScanResult
    attendee: Attendee | None = None
    check_in: CheckIn | None = None


def scan(event: Event, code: str, device: DeskDevice, request_id: str | None, scanned_at=None) -> ScanOutcome:
    """Check in the holder of a scanned badge; the same request_id twice checks in once."""
    attendee_id = attendee_id_in_token(code)
    # Lock and load the attendee first; holding the reference keeps it in the session's
    # (weak) identity map, where the verification below finds it without a query.
    locked = _load_locked(attendee_id) if attendee_id is not None else None  # noqa: F841
    verification = verify_badge_token(code, event)
    if verification.check is not BadgeCheck.VALID:
        commit_keeping_loaded()  # nothing written: ends the transaction, releases the lock
        return ScanOutcome(BADGE_REFUSALS[verification.check], verification.attendee)
    return _check_in_locked(verification.attendee, device, request_id, scanned_at, "scan")


def check_in_attendee(
    event: Event,
    attendee_id: int,
    device: DeskDevice | None,
    request_id: str | None,
    scanned_at=None,
    method="search",
    desk_name: str | None = None,
) -> ScanOutcome | None:
    """Check in someone found by a search (forgotten badge); None if unknown or of another event."""
    attendee = _load_locked(attendee_id)
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
        method="walk_in",
        checked_in_at=utcnow(),
    )
    db.session.add(check_in)
    return check_in


def undo_check_in(check_in_id: int, event: Event, actor: str) -> CheckIn | None:
    """Undo a check-in (a wrong person scanned); kept in the audit log with who and when."""
    check_in = db.session.get(CheckIn, check_in_id)
    if check_in is None or check_in.event_id != event.id:
        return None
    if check_in.undone_at is None:
        check_in.undone_at, check_in.undone_by = utcnow(), actor
        db.session.add(
            AuditEntry(
                event_id=event.id,
                actor=actor,
                action="check_in_undone",
                attendee_id=check_in.attendee_id,
                details={"check_in_id": check_in.id, "desk": check_in.desk_name},
            )
        )
        db.session.commit()
    return check_in


def _load_locked(attendee_id: int) -> Attendee | None:
    """Lock the attendee's row, then load it with its parts and its check-in in force.

    Two statements, not one SELECT ... FOR UPDATE with joins: after waiting for a lock,
    PostgreSQL re-reads only the locked row, so a joined check-in made by the desk that
    held the lock would stay unseen. Read after the lock, it is seen.
    """
    if ROW_LOCKS:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(select(Attendee.id).where(Attendee.id == attendee_id).with_for_update())
        else:  # SQLite: the database's single write lock
            db.session.execute(text("UPDATE attendees SET id = id WHERE id = :id"), {"id": attendee_id})
    query = (
        select(Attendee)
        .outerjoin(CheckIn, (CheckIn.attendee_id == Attendee.id) & CheckIn.undone_at.is_(None))
        .outerjoin(
            SeatAssignment,
            (SeatAssignment.attendee_id == Attendee.id) & (SeatAssignment.run_id == published_run_id()),
        )
        .outerjoin(CafeTable, CafeTable.id == SeatAssignment.cafe_table_id)
        .where(Attendee.id == attendee_id)
        .order_by(SeatAssignment.round)  # contains_eager keeps the rows' order
        .options(
            contains_eager(Attendee.check_ins),
            contains_eager(Attendee.published_seats).contains_eager(SeatAssignment.cafe_table),
            joinedload(Attendee.parts).joinedload(AttendeePart.day_part),
        )
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(query).unique().first()


def _check_in_locked(attendee, device, request_id, scanned_at, method, desk_name=None) -> ScanOutcome:
    current = next((c for c in attendee.check_ins if c.undone_at is None), None)
    if current is not None:
        commit_keeping_loaded()
        same_request = request_id is not None and current.request_id == request_id
        return ScanOutcome(
            ScanResult.CHECKED_IN if same_request else ScanResult.ALREADY_CHECKED_IN, attendee, current
        )
    if attendee.status != AttendeeStatus.CONFIRMED:
        commit_keeping_loaded()
        cancelled = attendee.status == AttendeeStatus.CANCELLED
        return ScanOutcome(ScanResult.CANCELLED if cancelled else ScanResult.WAITLISTED, attendee)
    _decided_to_check_in(attendee)
    check_in = CheckIn(
        event_id=attendee.event_id,
        attendee_id=attendee.id,
        desk_device_id=device.id if device else None,
        desk_name=device.name if device else (desk_name or "desk"),
        request_id=request_id,
        method=method,
        checked_in_at=_plausible(scanned_at),
    )
    db.session.add(check_in)
    try:
        commit_keeping_loaded()
    except IntegrityError:
        # Another desk won the race (SQLite), or this request was already recorded.
        db.session.rollback()
        return _after_conflict(attendee.id, request_id)
    return ScanOutcome(ScanResult.CHECKED_IN, attendee, check_in)


def _after_conflict(attendee_id: int, request_id: str | None) -> ScanOutcome:
    attendee = db.session.get(Attendee, attendee_id, populate_existing=True)
    current = db.session.scalars(
        select(CheckIn).where(CheckIn.attendee_id == attendee_id, CheckIn.undone_at.is_(None))
    ).first()
    if current is None and request_id:
        current = db.session.scalars(select(CheckIn).filter_by(request_id=request_id)).first()
    same_request = current is not None and request_id is not None and current.request_id == request_id
    return ScanOutcome(
        ScanResult.CHECKED_IN if same_request else ScanResult.ALREADY_CHECKED_IN, attendee, current
    )


def _plausible(scanned_at: datetime | None) -> datetime:
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


def search_attendees(event: Event, text: str, limit: int = 20) -> list[Attendee]:
    """Name, e-mail or organisation, as the desk types; every word must match somewhere."""
    query = select(Attendee).where(Attendee.event_id == event.id)
    for word in text.split()[:5]:
        query = query.where(
            Attendee.first_name.icontains(word, autoescape=True)
            | Attendee.last_name.icontains(word, autoescape=True)
            | Attendee.email.icontains(word, autoescape=True)
            | Attendee.organisation_name.icontains(word, autoescape=True)
        )
    query = query.options(selectinload(Attendee.check_ins)).order_by(Attendee.last_name, Attendee.first_name)
    return db.session.scalars(query.limit(limit)).all()


def counters(event: Event) -> dict:
    """Checked in against expected (confirmed attendees), in total and per world café table."""
    expected = db.session.scalar(
        select(func.count())
        .select_from(Attendee)
        .filter_by(event_id=event.id, status=AttendeeStatus.CONFIRMED)
    )
    checked_in = db.session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
    )
    return {"checked_in": checked_in, "expected": expected, "tables": _table_counters(event)}


def _table_counters(event: Event) -> list[dict]:
    """Per world café table of the published assignment: seated people, and those checked in."""
    from app.worldcafe.services import published_run  # the assignment builds on check-in, not the reverse

    run = published_run(event)
    if run is None:
        return []
    active = CheckIn.undone_at.is_(None) & (CheckIn.attendee_id == SeatAssignment.attendee_id)
    rows = db.session.execute(
        select(SeatAssignment.cafe_table_id, func.count(), func.count(CheckIn.id))
        .outerjoin(CheckIn, active)
        .where(SeatAssignment.run_id == run.id, SeatAssignment.round == 1)
        .group_by(SeatAssignment.cafe_table_id)
    ).all()
    counts = {table_id: (expected, checked_in) for table_id, expected, checked_in in rows}
    return [
        {
            "name": table.display_name,
            "expected": counts.get(table.id, (0, 0))[0],
            "checked_in": counts.get(table.id, (0, 0))[1],
        }
        for table in event.tables
    ]
