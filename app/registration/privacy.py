"""Personal data: an attendee's own copy, deletion on request, and anonymisation after the event.

Anonymising keeps what the report needs (participant type, a member organisation of the
event's list, day parts, table, check-in) and removes who the person was: every text they
typed (names, e-mail, phone, an organisation of their own, dietary and accessibility
notes), what organisers noted about their needs, and their name wherever the audit log
quotes it. Outbox messages are deleted whole: their bodies hold names and links.
"""

from datetime import timedelta

from sqlalchemy import delete, or_, select

from app.checkin.badge_codes import give_new_badge_code
from app.extensions import db
from app.models import (
    Attendee,
    AttendeeAnswer,
    AttendeeStatus,
    AuditEntry,
    Event,
    OutboxMessage,
    localized,
    utcnow,
)
from app.registration.answers import exported_answers
from app.registration.cancellation import cancel_under_lock

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
            "name_in_published_results": attendee.consent_name_public,
            "announcements_stopped_at": _moment(attendee.announcements_stopped_at),
        },
        "day_parts": [
            {"part": localized(p.day_part.name, attendee.language), "status": p.status}
            for p in attendee.parts
        ],
        "table_preferences": [localized(p.cafe_table.name, attendee.language) for p in attendee.preferences],
        # Every answer held, also to a question the event file no longer asks (by its key).
        "answers": exported_answers(attendee),
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


def _moment(value) -> str | None:
    return value.isoformat() + "Z" if value else None


def delete_registration(attendee: Attendee) -> None:
    """The attendee's own deletion: cancel (freeing the places) and anonymise, in one
    transaction, so a failure leaves them registered as before, never half erased."""
    cancel_under_lock(attendee)
    erase_personal_data(attendee)
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
                Attendee.event_id == event.id,
                or_(Attendee.email.is_(None), Attendee.email.not_like("anonymous-%@invalid")),
            )
        ).all()
        audit_log = _audit_log(event.id)  # read once for all of the event's attendees
        for attendee in attendees:
            erase_personal_data(attendee, audit_log)
            count += 1
        db.session.commit()
    return count


def is_anonymised(attendee: Attendee) -> bool:
    email = attendee.email or ""  # None: a walk-in without e-mail, not yet anonymised
    return email.startswith("anonymous-") and email.endswith("@invalid")


def erase_personal_data(attendee: Attendee, audit_log: list[AuditEntry] | None = None) -> None:
    """Remove who the attendee was from their row, the audit log and the outbox; keep the
    day's figures. The caller commits. audit_log: the event's entries, when already loaded."""
    if is_anonymised(attendee):
        return  # again: its "—" names would match every dash in the log
    quoted_anywhere = _quoted_anywhere(attendee)
    quoted_in_own_entries = quoted_anywhere | _typed_by(attendee)
    for entry in audit_log if audit_log is not None else _audit_log(attendee.event_id):
        own = entry.attendee_id == attendee.id
        details = _scrubbed(entry.details, quoted_in_own_entries if own else quoted_anywhere)
        if details != entry.details:
            entry.details = details  # a new value: SQLAlchemy sees no change made inside a JSON
    attendee.first_name, attendee.last_name = ANONYMOUS, ANONYMOUS
    attendee.email = f"anonymous-{attendee.id}@invalid"
    attendee.phone = None
    # A member organisation of the event's list stays (the report counts it, and the name
    # is the organisers', not the attendee's); a name they typed themselves goes.
    attendee.organisation_name = attendee.organisation.name if attendee.organisation else None
    attendee.dietary_needs = attendee.accessibility_needs = None
    attendee.needs_accessible_table, attendee.pinned_table_id = False, None
    attendee.consent_photos = attendee.consent_name_public = False
    attendee.manage_token_version += 1  # every link sent so far stops working
    attendee.badge_version = (attendee.badge_version or 1) + 1
    give_new_badge_code(attendee)  # the printed code no longer leads to this row
    if attendee.status == AttendeeStatus.WAITLISTED:
        attendee.status = AttendeeStatus.CANCELLED
    # Check-ins and seats stay: they are the day's figures, and name nobody any more. Answers
    # to the event's questions go, choices too: a question may ask anything about a person.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.attendee_id == attendee.id))
    db.session.execute(delete(AttendeeAnswer).where(AttendeeAnswer.attendee_id == attendee.id))
    db.session.expire(attendee, ["answers"])


def _audit_log(event_id: int) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.event_id == event_id)).all()


def _quoted_anywhere(attendee: Attendee) -> set[str]:
    """What names this attendee and nobody else, in any text of the event."""
    values = {
        attendee.email,
        attendee.full_name,
        f"{attendee.last_name} {attendee.first_name}",
        attendee.phone,
    }
    return {value.casefold() for value in values if value and value.strip()}


def _typed_by(attendee: Attendee) -> set[str]:
    """Everything else they typed: in an entry about them, it is theirs wherever it appears."""
    own_organisation = None if attendee.organisation else attendee.organisation_name
    values = {
        attendee.first_name,
        attendee.last_name,
        own_organisation,
        attendee.dietary_needs,
        attendee.accessibility_needs,
    }
    return {value.casefold() for value in values if value and value.strip()}


def _scrubbed(value, personal: set[str]):
    """The JSON value with every string that contains a personal text replaced."""
    if isinstance(value, str):
        folded = value.casefold()
        return ANONYMOUS if any(text in folded for text in personal) else value
    if isinstance(value, dict):
        return {key: _scrubbed(item, personal) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, personal) for item in value]
    return value
