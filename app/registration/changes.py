"""An attendee changes their registration: details and the parts of the day they attend.

As signing up, the change is counted under the event's lock and committed at once, with
its e-mail and those of the people it lets in from a waiting list.
"""

from sqlalchemy import select

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import Attendee, AttendeePart, AttendeeStatus, DayPart, MailKind, PartStatus
from app.registration.attendee_details import RegistrationData, apply_details, chosen_parts
from app.registration.places import places_taken, take_place_if_free
from app.registration.signup import RegistrationError
from app.registration.waiting_lists import notify_promoted, promote_waiting


def update_registration(attendee: Attendee, data: RegistrationData) -> Attendee:
    """Change details and choices; places kept stay kept, new ones are taken if free."""
    if attendee.status == AttendeeStatus.CANCELLED:
        raise RegistrationError(RegistrationError.Reason.CANCELLED)
    lock_event(attendee.event_id)
    if data.email != attendee.email and _email_taken(attendee.event_id, data.email):
        db.session.rollback()
        raise RegistrationError(RegistrationError.Reason.DUPLICATE_EMAIL)
    db.session.refresh(attendee)
    apply_details(attendee, data)
    _change_parts(attendee, chosen_parts(attendee.event, data.day_part_ids))
    promoted = promote_waiting(attendee.event)
    mailer.enqueue(MailKind.UPDATED, attendee)
    notify_promoted(promoted - {attendee})
    db.session.commit()
    return attendee


def _change_parts(attendee: Attendee, chosen: list[DayPart]) -> None:
    """Leave the parts no longer chosen (freeing their places), then join each new one."""
    chosen_ids = {part.id for part in chosen}
    for attendee_part in list(attendee.parts):
        if attendee_part.day_part_id not in chosen_ids:
            attendee.parts.remove(attendee_part)
    db.session.flush()
    taken = places_taken(attendee.event)
    for part in chosen:
        if attendee.part(part.id) is None:
            _add_part(attendee, part, taken)
    db.session.flush()


def _add_part(attendee: Attendee, part: DayPart, taken: dict) -> None:
    """Take a place in the part if one is free (``taken`` counts it), else join its waiting list."""
    room = take_place_if_free(attendee, part, taken)
    attendee.parts.append(
        AttendeePart(day_part=part, status=PartStatus.CONFIRMED if room else PartStatus.WAITLISTED)
    )


def _email_taken(event_id: int, email: str) -> bool:
    return db.session.scalar(select(Attendee.id).filter_by(event_id=event_id, email=email)) is not None
