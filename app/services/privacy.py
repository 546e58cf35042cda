"""Personal data: an attendee's own copy, deletion on request, and anonymisation after the event.

Anonymising keeps what the report needs (participant type, organisation, day parts,
table, check-in) and removes who the person was. Outbox messages are deleted whole:
their bodies hold names and links.
"""

from datetime import timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import (
    Attendee,
    AttendeeStatus,
    Event,
    OutboxMessage,
    localized,
    utcnow,
)
from .registration import cancel_registration

ANONYMOUS = "—"


def personal_data(attendee: Attendee) -> dict:
    """Everything we hold about the attendee, as they can download it."""
    return {
        "event": localized(attendee.event.name, attendee.language),
        "first_name": attendee.first_name,
        "last_name": attendee.last_name,
        "email": attendee.email,
        "phone": attendee.phone,
        "organisation": attendee.organisation_name,
        "participant_type": attendee.participant_type,
        "language": attendee.language,
        "status": attendee.status,
        "dietary_needs": attendee.dietary_needs,
        "accessibility_needs": attendee.accessibility_needs,
        "consent": {
            "privacy_notice_version": attendee.privacy_version,
            "privacy_given_at": attendee.consent_privacy_at.isoformat() + "Z",
            "photos": attendee.consent_photos,
        },
        "day_parts": [
            {"part": localized(p.day_part.name, attendee.language), "status": p.status}
            for p in attendee.parts
        ],
        "table_preferences": [localized(p.cafe_table.name, attendee.language) for p in attendee.preferences],
        "registered_at": attendee.created_at.isoformat() + "Z",
        "check_ins": [
            {"at": c.checked_in_at.isoformat() + "Z", "desk": c.desk_name, "undone": c.undone_at is not None}
            for c in attendee.check_ins
        ],
        "messages": [
            {"subject": m.subject, "status": m.status, "created_at": m.created_at.isoformat() + "Z"}
            for m in db.session.scalars(select(OutboxMessage).filter_by(attendee_id=attendee.id))
        ],
    }


def delete_registration(attendee: Attendee) -> None:
    """The attendee's own deletion: cancel (freeing the places), then anonymise at once."""
    cancel_registration(attendee)
    _anonymise(attendee)
    db.session.commit()


def purge(after_days: int, now=None) -> int:
    """Anonymise attendees of events that ended more than ``after_days`` days ago."""
    now = now or utcnow()
    cutoff = (now - timedelta(days=after_days)).date()
    events = db.session.scalars(select(Event).where(Event.date < cutoff)).all()
    count = 0
    for event in events:
        attendees = db.session.scalars(
            select(Attendee).where(
                Attendee.event_id == event.id, Attendee.email.not_like("anonymous-%@invalid")
            )
        ).all()
        for attendee in attendees:
            _anonymise(attendee)
            count += 1
        db.session.commit()
    return count


def is_anonymised(attendee: Attendee) -> bool:
    return attendee.email.startswith("anonymous-") and attendee.email.endswith("@invalid")


def _anonymise(attendee: Attendee) -> None:
    attendee.first_name, attendee.last_name = ANONYMOUS, ANONYMOUS
    attendee.email = f"anonymous-{attendee.id}@invalid"
    attendee.phone = None
    attendee.dietary_needs = attendee.accessibility_needs = None
    attendee.consent_photos = False
    attendee.manage_token_version += 1  # every link sent so far stops working
    attendee.badge_version = (attendee.badge_version or 1) + 1
    if attendee.status == AttendeeStatus.WAITLISTED:
        attendee.status = AttendeeStatus.CANCELLED
    # Check-ins and seats stay: they are the day's figures, and name nobody any more.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.attendee_id == attendee.id))
