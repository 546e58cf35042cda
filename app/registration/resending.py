"""What an attendee lost, sent again: their personal link, or a new badge in place of one
lost or passed on."""

from sqlalchemy import select, update

from app.checkin.badge_codes import give_new_badge_code
from app.extensions import db
from app.mail import outbox as mailer
from app.models import Attendee, AuditAction, Event, MailKind
from app.registration.audit import audit


def find_attendee_by_email(event_id: int, email: str) -> Attendee | None:
    return db.session.scalars(select(Attendee).filter_by(event_id=event_id, email=email)).first()


def resend_manage_link(event: Event, email: str) -> None:
    """Send the personal link to that address if it is registered; say nothing either way."""
    attendee = find_attendee_by_email(event.id, email)
    if attendee is not None:
        mailer.enqueue(MailKind.MANAGE_LINK, attendee)
        db.session.commit()


def send_manage_link(attendee: Attendee) -> None:
    """Their personal link again (an organiser, asked on the phone)."""
    mailer.enqueue(MailKind.MANAGE_LINK, attendee)
    db.session.commit()


def reissue_badge_for(attendee: Attendee, reissued_by: str, replacing_version: int) -> bool:
    """A new badge, e-mailed to them: the old one (lost, or passed on) stops working.

    replacing_version: the badge the organiser saw. A double click, or a second organiser
    at the same moment, finds it already replaced and does nothing (False): otherwise the
    attendee would get two e-mails, the first with a badge that no longer works.
    """
    replaced = db.session.execute(
        update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.badge_version == replacing_version)
        .values(badge_version=Attendee.badge_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not replaced:
        db.session.rollback()
        return False
    db.session.refresh(attendee)
    replaced_code = give_new_badge_code(attendee)  # kept in the audit entry: refused as replaced
    mailer.enqueue(MailKind.BADGE_REISSUED, attendee)
    audit(
        reissued_by,
        AuditAction.BADGE_REISSUED,
        attendee,
        badge_version=attendee.badge_version,
        replaced_code=replaced_code,
    )
    db.session.commit()
    return True
