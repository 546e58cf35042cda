"""JSON shapes of the check-in API (their models, which the OpenAPI document shows, are in schemas.py)."""

from flask import url_for
from flask_babel import gettext as _

from app.checkin.badges import PARTICIPANT_TYPE_LABELS
from app.checkin.points import PointOutcome
from app.checkin.scan_statements import ScannedAttendee
from app.checkin.services import ScanOutcome, ScanResult, has_lunch, local_time
from app.models import Attendee, CheckIn, Event, PointScan, localized
from app.worldcafe.services import published_seats


def _small_table(index: int | None) -> str | None:
    """Small tables are lettered for people: A, B, C..."""
    return None if index is None else chr(ord("A") + index % 26)


REASONS = {
    ScanResult.CHECKED_IN: lambda o: _("Welcome, %(name)s!", name=o.attendee.first_name),
    ScanResult.ALREADY_CHECKED_IN: lambda o: _(
        "Already checked in at %(time)s at %(desk)s",
        time=local_time(o.attendee.event, o.check_in.checked_in_at),
        desk=o.check_in.desk_name,
    ),
    ScanResult.MALFORMED: lambda o: _("This is not a badge of ours."),
    ScanResult.FORGED: lambda o: _("Forged or damaged badge: the signature does not match."),
    ScanResult.REVOKED: lambda o: _("Old badge: a newer one was issued. Search the person by name."),
    ScanResult.OTHER_EVENT: lambda o: _("This badge is for another event."),
    ScanResult.UNKNOWN_ATTENDEE: lambda o: _("This registration no longer exists."),
    ScanResult.UNKNOWN_CODE: lambda o: _("No badge of this event has this code: check it, or search."),
    ScanResult.CANCELLED: lambda o: _("This registration was cancelled."),
    ScanResult.WAITLISTED: lambda o: _("On the waiting list: no confirmed place."),
    ScanResult.NOT_FOR_PART: lambda o: _("Not registered for %(point)s.", point=o.point.name),
}

# At a point other than the door, what differs from the door's words.
POINT_REASONS = {
    ScanResult.ALREADY_CHECKED_IN: lambda o: _(
        "Already scanned for %(point)s at %(time)s at %(desk)s",
        point=o.point.name,
        time=local_time(o.attendee.event, o.scan.scanned_at),
        desk=o.scan.desk_name,
    ),
}


def _point_welcome(outcome: PointOutcome) -> str:
    if outcome.point.kind == "exit":
        return _("Goodbye, %(name)s!", name=outcome.attendee.first_name)
    if outcome.seat is not None:
        return _("Go to table %(table)s", table=_seat_place(outcome.seat))
    if outcome.point.is_cafe:
        return _("No table assigned: ask an organiser.")
    return _("Welcome to %(point)s, %(name)s!", point=outcome.point.name, name=outcome.attendee.first_name)


def _seat_place(seat) -> str:
    letter = _small_table(seat.small_table)
    return f"{seat.table_name} · {letter}" if letter else seat.table_name


def check_in_json(event: Event, check_in: CheckIn | None) -> dict | None:
    return None if check_in is None else _record_json(event, check_in, check_in.checked_in_at)


def _record_json(event: Event, record: CheckIn | PointScan, at) -> dict:
    return {
        "id": record.id,
        "at": at.isoformat() + "Z",
        "at_local": local_time(event, at),
        "desk": record.desk_name,
        "undone_at": record.undone_at.isoformat() + "Z" if record.undone_at else None,
    }


def _tables(attendee: Attendee | ScannedAttendee) -> list[tuple]:
    """(round, the table's name, small table index) of each published seat at a table."""
    if isinstance(attendee, ScannedAttendee):  # read with the scan
        return attendee.tables
    return [(s.round, s.cafe_table.name, s.small_table) for s in published_seats(attendee) if s.cafe_table_id]


def point_scan_json(event: Event, scan: PointScan | None) -> dict | None:
    """A point scan in the shape of a check-in, so that a desk shows and undoes it alike."""
    return None if scan is None else _record_json(event, scan, scan.scanned_at)


def point_outcome_json(event: Event, outcome: PointOutcome) -> dict:
    show_attendee = outcome.attendee is not None and outcome.result is not ScanResult.UNKNOWN_ATTENDEE
    if outcome.result is ScanResult.CHECKED_IN:
        message = _point_welcome(outcome)
    else:
        message = POINT_REASONS.get(outcome.result, REASONS[outcome.result])(outcome)
        if outcome.seat is not None:  # scanned twice at the café: where to go, again
            message += " · " + _("Go to table %(table)s", table=_seat_place(outcome.seat))
    seat = outcome.seat
    return {
        "result": outcome.result.colour,
        "reason": outcome.result.value,
        "message": message,
        "attendee": attendee_json(outcome.attendee) if show_attendee else None,
        "check_in": point_scan_json(event, outcome.scan),
        "point": {"key": outcome.point.key, "kind": outcome.point.kind, "name": outcome.point.name},
        "seat": None
        if seat is None
        else {"round": seat.round, "name": seat.table_name, "small_table": _small_table(seat.small_table)},
    }


def attendee_json(attendee: Attendee | ScannedAttendee) -> dict:
    return {
        "id": attendee.id,
        "name": attendee.full_name,
        "organisation": attendee.organisation_name,
        "participant_type_label": str(PARTICIPANT_TYPE_LABELS.get(attendee.participant_type, "")),
        "status": attendee.status,
        "tables": [
            {"round": round, "name": localized(name), "small_table": _small_table(small_table)}
            for round, name, small_table in _tables(attendee)
        ],
        "lunch": attendee.lunch if isinstance(attendee, ScannedAttendee) else has_lunch(attendee),
        "dietary_needs": attendee.dietary_needs,
        "accessibility_needs": attendee.accessibility_needs,
        "badge_pdf_url": url_for("desk.badge_pdf", attendee_id=attendee.id),
    }


def outcome_json(event: Event, outcome: ScanOutcome) -> dict:
    show_attendee = outcome.attendee is not None and outcome.result not in (ScanResult.UNKNOWN_ATTENDEE,)
    return {
        "result": outcome.result.colour,
        "reason": outcome.result.value,
        "message": REASONS[outcome.result](outcome),
        "attendee": attendee_json(outcome.attendee) if show_attendee else None,
        "check_in": check_in_json(event, outcome.check_in),
    }


def search_result_json(event: Event, attendee: Attendee) -> dict:
    current = next((c for c in attendee.check_ins if c.undone_at is None), None)
    return {
        "id": attendee.id,
        "name": attendee.full_name,
        "email": attendee.email,
        "organisation": attendee.organisation_name,
        "status": attendee.status,
        "check_in": check_in_json(event, current),
        "badge_pdf_url": url_for("desk.badge_pdf", attendee_id=attendee.id),
    }
