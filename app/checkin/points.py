"""Check-in points other than the door: a day part with its own entrance (the event file's
``check_in: true`` on the part: lunch, the world café) and, with ``exit_scans: true``, the
exit. The desk chooses the point it scans for and sends it with each scan; without one the
scan is the door's (services.scan, untouched: every client of before keeps working).

A point scan is kept in point_scans, apart from the door's check-ins: being at lunch is not
coming through the door, and the counts stay apart. Like the door: the attendee's row lock
for the transaction, and a partial unique index, one scan in force per attendee and point,
so two desks scanning one badge at one point at once make one record and one "already";
the same request_id twice records once.

At the world café the answer names the person's table for the round in progress (by the
venue's clock within the part's times, else the first): the café's entrance desk has no
table of its own, it tells them where to go.
"""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.checkin.badges import BadgeCheck, verify_badge
from app.checkin.services import BADGE_REFUSALS, ScanResult, lock_attendee, mark_undone, plausible_scan_time
from app.core.transactions import commit_keeping_loaded
from app.extensions import db
from app.models import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    DayPart,
    DayPartKind,
    DeskDevice,
    Event,
    PartStatus,
    PointKind,
    PointScan,
    SeatAssignment,
)
from app.worldcafe.services import published_run_id

DOOR = "door"
EXIT = "exit"


@dataclass(frozen=True)
class Point:
    """Where a desk scans: the door, a day part's own entrance, or the exit."""

    key: str  # "door", "exit", or the day part's key
    day_part: DayPart | None = None

    @property
    def kind(self) -> str:
        if self.day_part is not None:
            return PointKind.PART.value
        return EXIT if self.key == EXIT else DOOR

    @property
    def is_cafe(self) -> bool:
        return self.day_part is not None and self.day_part.kind == DayPartKind.WORLD_CAFE

    @property
    def name(self) -> str:
        if self.day_part is not None:
            return self.day_part.display_name
        return str(_l("Exit") if self.key == EXIT else _l("Door"))


def points_of(event: Event) -> list[Point]:
    """The event's check-in points, in the order the desk offers them: the door first. Read
    from the database: a desk's event may be a copy from before the event file changed."""
    parts = db.session.scalars(
        select(DayPart).where(DayPart.event_id == event.id, DayPart.check_in).order_by(DayPart.position)
    ).all()
    points = [Point(DOOR)] + [Point(part.key, part) for part in parts]
    if exit_scans_on(event):
        points.append(Point(EXIT))
    return points


def point_named(event: Event, key: str | None) -> Point | None:
    """The event's point of this key (None or "door": the door); None if it has no such point.
    One query (none for the door)."""
    if key in (None, DOOR):
        return Point(DOOR)
    if key == EXIT:
        return Point(EXIT) if exit_scans_on(event) else None
    part = db.session.scalars(
        select(DayPart).where(DayPart.event_id == event.id, DayPart.key == key, DayPart.check_in)
    ).first()
    return Point(key, part) if part is not None else None


def exit_scans_on(event: Event) -> bool:
    """Read afresh: a desk's event may be a copy from before the event file changed."""
    return bool(db.session.scalar(select(Event.exit_scans).where(Event.id == event.id)))


@dataclass
class Seat:
    round: int
    table_id: int
    table_name: str
    small_table: int | None


@dataclass
class PointOutcome:
    """What a scan at a point did; ``request_id_reused`` as ScanOutcome's (the API answers 409)."""

    result: ScanResult
    point: Point
    attendee: Attendee | None = None
    scan: PointScan | None = None
    seat: Seat | None = None  # the world café: where to go in the round
    request_id_reused: bool = False


def scan_at_point(
    event: Event, point: Point, code: str, device: DeskDevice, request_id: str | None, scanned_at=None
) -> PointOutcome:
    """Record that the badge's holder is at the point (not the door: services.scan)."""
    verification = verify_badge(code, event)
    if verification.check is BadgeCheck.VALID:
        # Desks scanning one person take turns, as at the door; read again under the lock:
        # a badge reissued meanwhile is refused as replaced.
        lock_attendee(verification.attendee.id)
        db.session.expire(verification.attendee)
        verification = verify_badge(code, event)
    if verification.check is not BadgeCheck.VALID:
        commit_keeping_loaded()  # nothing written: ends the transaction, releases the lock
        return PointOutcome(BADGE_REFUSALS[verification.check], point, verification.attendee)
    attendee = verification.attendee
    attendee_id = attendee.id
    outcome = _answer_without_writing(event, point, attendee, request_id)
    if outcome is not None:
        commit_keeping_loaded()
        return outcome
    scan = PointScan(
        event_id=event.id,
        attendee_id=attendee.id,
        kind=PointKind.PART if point.day_part else PointKind.EXIT,
        day_part_id=point.day_part.id if point.day_part else None,
        desk_device_id=device.id,
        desk_name=device.name,
        request_id=request_id,
        scanned_at=plausible_scan_time(scanned_at),
    )
    seat = _cafe_seat(event, point, attendee.id, scan.scanned_at)
    if seat is not None:
        scan.cafe_table_id, scan.round = seat.table_id, seat.round
    db.session.add(scan)
    try:
        db.session.commit()
    except IntegrityError:  # another desk won the race (SQLite), or this request was recorded
        db.session.rollback()
        attendee = db.session.get(Attendee, attendee_id, populate_existing=True)
        return _recorded(event, point, attendee, _scan_in_force(point, attendee_id, request_id), request_id)
    return PointOutcome(ScanResult.CHECKED_IN, point, attendee, scan, seat)


def _answer_without_writing(event, point, attendee, request_id) -> PointOutcome | None:
    current = _scan_in_force(point, attendee.id, None)
    if current is not None:
        return _recorded(event, point, attendee, current, request_id)
    if attendee.status == AttendeeStatus.CANCELLED:
        return PointOutcome(ScanResult.CANCELLED, point, attendee)
    if attendee.status != AttendeeStatus.CONFIRMED:
        return PointOutcome(ScanResult.WAITLISTED, point, attendee)
    if point.day_part is not None and not _confirmed_for(attendee.id, point.day_part.id):
        return PointOutcome(ScanResult.NOT_FOR_PART, point, attendee)
    return None


def _recorded(event, point, attendee, scan, request_id) -> PointOutcome:
    """Recorded already: this very request answers as the first time did (a replay); another
    desk's scan is "already"; another person's scan under this request_id is refused."""
    if scan is not None and scan.attendee_id != attendee.id:
        return PointOutcome(ScanResult.ALREADY_CHECKED_IN, point, attendee, request_id_reused=True)
    same_request = scan is not None and request_id is not None and scan.request_id == request_id
    seat = _seat_of_scan(scan) if scan is not None else None
    result = ScanResult.CHECKED_IN if same_request else ScanResult.ALREADY_CHECKED_IN
    return PointOutcome(result, point, attendee, scan, seat)


def _scan_in_force(point: Point, attendee_id: int, request_id: str | None) -> PointScan | None:
    """The attendee's scan in force at the point; else, given one, this request_id's."""
    query = select(PointScan).where(PointScan.attendee_id == attendee_id, PointScan.undone_at.is_(None))
    if point.day_part is not None:
        query = query.where(PointScan.kind == PointKind.PART, PointScan.day_part_id == point.day_part.id)
    else:
        query = query.where(PointScan.kind == PointKind.EXIT)
    scan = db.session.scalars(query.execution_options(populate_existing=True)).first()
    if scan is None and request_id:
        scan = db.session.scalars(select(PointScan).filter_by(request_id=request_id)).first()
    return scan


def _confirmed_for(attendee_id: int, day_part_id: int) -> bool:
    return (
        db.session.scalar(
            select(AttendeePart.id).where(
                AttendeePart.attendee_id == attendee_id,
                AttendeePart.day_part_id == day_part_id,
                AttendeePart.status == PartStatus.CONFIRMED,
            )
        )
        is not None
    )


# ---- The world café: which table, in which round ---------------------------------------


def current_round(event: Event, part: DayPart, moment: datetime) -> int:
    """The café's round at ``moment`` (naive UTC): the part's times cut in equal rounds, by
    the venue's clock on the day; before, after or without times, the first or last."""
    rounds = max(event.cafe_rounds or 1, 1)
    if rounds == 1 or part.starts_at is None or part.ends_at is None:
        return 1
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(event.timezone))
    if local.date() != event.date:
        return 1
    start, end, now = (_minutes(t) for t in (part.starts_at, part.ends_at, local.time()))
    if end <= start or now < start:
        return 1
    return min(rounds, 1 + int((now - start) * rounds // (end - start)))


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _cafe_seat(event: Event, point: Point, attendee_id: int, moment: datetime) -> Seat | None:
    if not point.is_cafe:
        return None
    return seat_in_round(event.id, attendee_id, current_round(event, point.day_part, moment))


def seat_in_round(event_id: int, attendee_id: int, round: int) -> Seat | None:
    """The attendee's table in the round of the published assignment, if seated."""
    seat = db.session.scalars(
        select(SeatAssignment).where(
            SeatAssignment.attendee_id == attendee_id,
            SeatAssignment.run_id == published_run_id(event_id),
            SeatAssignment.round == round,
            SeatAssignment.cafe_table_id.is_not(None),
        )
    ).first()
    if seat is None:
        return None
    return Seat(round, seat.cafe_table_id, seat.cafe_table.display_name, seat.small_table)


def _seat_of_scan(scan: PointScan) -> Seat | None:
    if scan.cafe_table_id is None or scan.round is None:
        return None
    return seat_in_round(scan.event_id, scan.attendee_id, scan.round)


# ---- Undo ------------------------------------------------------------------------------


def undo_point_scan(scan_id: int, event: Event, actor: str) -> PointScan | None:
    """Undo a point scan (a wrong person scanned); the audit log keeps who and when."""
    scan = db.session.get(PointScan, scan_id)
    if scan is None or scan.event_id != event.id:
        return None
    mark_undone(scan, actor, {"point_scan_id": scan.id, "point": scan.kind, "desk": scan.desk_name})
    return scan
