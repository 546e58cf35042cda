"""Cancelling a registration: by the attendee, or by an organiser for them. The freed
places go at once to the next people in line. The audit entry notes the parts of the day
they had chosen, so that taking the cancellation back (reinstatement.py) finds them."""

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import Attendee, AttendeeStatus, AuditAction, MailKind, utcnow
from app.registration.audit import audit
from app.registration.waiting_lists import notify_promoted, promote_waiting

# The audit log's actor when the attendee did it themself.
THE_ATTENDEE = "attendee"


def cancel_registration(attendee: Attendee, cancelled_by: str | None = None) -> None:
    """Cancel and give the freed places to the next people in line. cancelled_by: the
    organiser who did it for them (kept in the audit log); None when they did it (the log
    says "attendee")."""
    if cancel_under_lock(attendee, cancelled_by):
        db.session.commit()
    else:
        db.session.rollback()  # ends the transaction that may hold the event's lock


def cancel_under_lock(attendee: Attendee, cancelled_by: str | None = None) -> bool:
    """cancel_registration's work, under the event's lock, without the commit (the caller's,
    e.g. a deletion that erases the person in the same transaction). False: already cancelled."""
    if attendee.status == AttendeeStatus.CANCELLED:
        return False
    lock_event(attendee.event_id)
    db.session.refresh(attendee)
    if attendee.status == AttendeeStatus.CANCELLED:  # a double click, or two tabs
        return False
    attendee.status = AttendeeStatus.CANCELLED
    attendee.cancelled_at = utcnow()
    day_parts = [part.day_part_id for part in attendee.parts]
    attendee.parts.clear()
    db.session.flush()
    promoted = promote_waiting(attendee.event)
    if attendee.email is not None:  # a walk-in without an address gets no message
        mailer.enqueue(MailKind.CANCELLED, attendee)
    notify_promoted(promoted)
    audit(cancelled_by or THE_ATTENDEE, AuditAction.REGISTRATION_CANCELLED, attendee, day_parts=day_parts)
    return True
