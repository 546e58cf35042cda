"""Taking a cancellation back: by the attendee (their link, or registering again with the
same address), by an organiser, or at the desk for someone who cancelled and came anyway.

The same row comes back, with the parts of the day it had chosen (kept in the audit entry of
its cancellation) or those of a new form. Places are counted under the event's lock, as for
every registration: a place where one is free, else the waiting list. The personal link
stays the same (a cancelled registration's link is how it is taken back).
"""

import enum

from sqlalchemy import select

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    AuditAction,
    AuditEntry,
    MailKind,
    PartStatus,
    utcnow,
)
from app.registration.attendee_details import RegistrationData, apply_details, chosen_parts
from app.registration.audit import audit
from app.registration.cancellation import THE_ATTENDEE
from app.registration.places import free_places, places_taken, take_place_if_free
from app.registration.privacy import is_anonymised


class Reinstated(enum.Enum):
    CONFIRMED = "confirmed"  # a place at the event (a full part of the day: its waiting list)
    WAITLISTED = "waitlisted"  # the day is full: on its waiting list
    NOT_CANCELLED = "not_cancelled"  # nothing done: not cancelled (a double click, two tabs)
    CLOSED = "closed"  # nothing done: registration is closed, only staff can take it back
    ERASED = "erased"  # nothing done: their data was deleted, nobody is left to bring back

    @property
    def done(self) -> bool:
        return self in (Reinstated.CONFIRMED, Reinstated.WAITLISTED)


def reinstate(
    attendee: Attendee, by: str | None = None, reason: str | None = None, data: RegistrationData | None = None
) -> Reinstated:
    """Give a cancelled registration back, and commit. by: the staff member who did it (None:
    the attendee themself); data: a new form's answers (registering again)."""
    result = reinstate_under_lock(attendee, by, reason, data)
    if result.done:
        db.session.commit()
    else:
        db.session.rollback()  # ends the transaction that may hold the event's lock
    return result


def reinstate_under_lock(
    attendee: Attendee,
    by: str | None = None,
    reason: str | None = None,
    data: RegistrationData | None = None,
    **details,
) -> Reinstated:
    """reinstate's work under the event's lock, without the commit (the caller's, e.g. the
    desk's check-in in the same transaction). details: more for the audit entry."""
    if attendee.status != AttendeeStatus.CANCELLED:
        return Reinstated.NOT_CANCELLED
    if by is None and not attendee.event.registration_is_open():
        return Reinstated.CLOSED
    lock_event(attendee.event_id)
    db.session.refresh(attendee)
    if attendee.status != AttendeeStatus.CANCELLED:  # someone else was quicker
        return Reinstated.NOT_CANCELLED
    if attendee.email is not None and is_anonymised(attendee):
        return Reinstated.ERASED
    _write_back(attendee, data)
    waiting = _waitlist_what_is_full(attendee)
    if attendee.email is not None:  # a walk-in without an address gets no message
        mailer.enqueue(MailKind.WAITLISTED if waiting else MailKind.CONFIRMATION, attendee)
    audit(by or THE_ATTENDEE, AuditAction.REGISTRATION_REINSTATED, attendee, reason=reason or "", **details)
    return Reinstated.WAITLISTED if attendee.status == AttendeeStatus.WAITLISTED else Reinstated.CONFIRMED


def _write_back(attendee: Attendee, data: RegistrationData | None) -> None:
    """The row confirmed again with every place it chooses (decided next), flushed."""
    if data is not None:
        apply_details(attendee, data)
        attendee.consent_privacy_at = utcnow()  # given again on the new form
        attendee.privacy_version = attendee.event.privacy_version
        part_ids = data.day_part_ids
    else:
        part_ids = parts_chosen_before_cancelling(attendee)
    attendee.status = AttendeeStatus.CONFIRMED
    attendee.cancelled_at = None
    attendee.parts = [
        AttendeePart(day_part=part, status=PartStatus.CONFIRMED)
        for part in chosen_parts(attendee.event, part_ids)
    ]
    db.session.flush()


def parts_chosen_before_cancelling(attendee: Attendee) -> list[int]:
    """The day part ids their last cancellation noted; every part of the day for one
    cancelled before cancellations noted them."""
    details = db.session.scalar(
        select(AuditEntry.details)
        .where(
            AuditEntry.attendee_id == attendee.id,
            AuditEntry.action == AuditAction.REGISTRATION_CANCELLED,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if details and isinstance(details.get("day_parts"), list):
        return details["day_parts"]
    return [part.id for part in attendee.event.day_parts]


def _waitlist_what_is_full(attendee: Attendee) -> bool:
    """Under the lock, as signing up: the day, and each part, with no place left puts them
    on its waiting list. True when they wait for anything."""
    taken = places_taken(attendee.event, leaving_out=attendee)
    if free_places(attendee.event.capacity, taken["event"]) == 0:
        attendee.status = AttendeeStatus.WAITLISTED
    for attendee_part in attendee.parts:
        if not take_place_if_free(attendee, attendee_part.day_part, taken):
            attendee_part.status = PartStatus.WAITLISTED
    db.session.flush()
    return attendee.status == AttendeeStatus.WAITLISTED or any(
        part.status == PartStatus.WAITLISTED for part in attendee.parts
    )
