"""An organiser lets someone in over capacity: a walk-in at the door when the day, or a
part of it they chose, is full. Counted under the event's lock, as every registration, and
written in the audit log with who did it, which part and how many places were taken then."""

import enum

from app.checkin.services import walk_in_check_in
from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import (
    Attendee,
    AttendeeStatus,
    AuditAction,
    CheckIn,
    MailKind,
    PartStatus,
    localized,
)
from app.registration.audit import audit
from app.registration.places import places_taken


class AdmitResult(enum.Enum):
    ADMITTED = "admitted"  # confirmed over capacity and checked in
    NOTHING_WAITING = "nothing_waiting"  # already in (a double click, another organiser)
    CANCELLED = "cancelled"  # nothing done: a cancelled registration is reinstated instead


def waits_for_a_place(attendee: Attendee) -> bool:
    """On the day's waiting list, or admitted but waiting for a part (lunch was full)."""
    return attendee.status == AttendeeStatus.WAITLISTED or (
        attendee.status == AttendeeStatus.CONFIRMED
        and any(part.status == PartStatus.WAITLISTED for part in attendee.parts)
    )


def admit_over_capacity(attendee: Attendee, admitted_by: str, desk_name: str) -> AdmitResult:
    """Confirm the attendee in the day and every part they wait for, whatever is full, and
    check them in at that desk (they are at the door); audited, and commits."""
    event = attendee.event
    lock_event(event.id)
    db.session.expire_all()  # what the others committed before we got the lock
    if attendee.status == AttendeeStatus.CANCELLED:
        db.session.rollback()
        return AdmitResult.CANCELLED
    if not waits_for_a_place(attendee):
        db.session.rollback()
        return AdmitResult.NOTHING_WAITING
    overridden = _take_places_over_capacity(attendee)
    if not _is_checked_in(attendee):
        walk_in_check_in(attendee, desk_name)
    audit(admitted_by, AuditAction.CAPACITY_OVERRIDDEN, attendee, desk=desk_name, overridden=overridden)
    mailer.enqueue(MailKind.CONFIRMATION, attendee)  # their badge, if they have an e-mail
    db.session.commit()
    return AdmitResult.ADMITTED


def _take_places_over_capacity(attendee: Attendee) -> list[dict]:
    """Under the lock: confirm what they wait for; returns, for each, its capacity and the
    places taken at that moment (the audit log's record of how far over it went)."""
    event = attendee.event
    taken = places_taken(event, leaving_out=attendee)
    overridden = []
    if attendee.status == AttendeeStatus.WAITLISTED:
        overridden.append({"part": "day", "capacity": event.capacity, "taken": taken["event"]})
        attendee.status = AttendeeStatus.CONFIRMED
    for attendee_part in attendee.parts:
        if attendee_part.status == PartStatus.WAITLISTED:
            part = attendee_part.day_part
            overridden.append(
                {
                    "part": localized(part.name),
                    "day_part_id": part.id,
                    "capacity": part.capacity,
                    "taken": taken[part.id],
                }
            )
            attendee_part.status = PartStatus.CONFIRMED
    return overridden


def _is_checked_in(attendee: Attendee) -> bool:
    return (
        db.session.scalar(
            db.select(CheckIn.id).where(CheckIn.attendee_id == attendee.id, CheckIn.undone_at.is_(None))
        )
        is not None
    )
