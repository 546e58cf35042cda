"""The outbox: every message is written in the same transaction as the change that causes it.

A request only adds a row to ``outbox_messages``, so it never waits for, or fails
because of, the mail server. ``mail_sender.deliver_due()`` (run by ``flask mail send``)
delivers it later. Badges (inline QR, PDF) and the .ics are attached at delivery, from
the attendee's current badge, so a reissued badge is never sent stale.
"""

from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.checkin.badge_codes import BADGE_CODE_SLOT
from app.core.urls import external_url
from app.extensions import db
from app.mail.calendar_links import day_links
from app.mail.headers import one_line
from app.models import Attendee, AttendeeStatus, Event, MailKind, OutboxMessage, User
from app.registration.tokens import manage_token

SUBJECTS = {
    MailKind.CONFIRMATION: _l("Your registration for %(event)s"),
    MailKind.WAITLISTED: _l("You are on the waiting list for %(event)s"),
    MailKind.MANAGE_LINK: _l("Your personal link for %(event)s"),
    MailKind.UPDATED: _l("Your registration for %(event)s has changed"),
    MailKind.CANCELLED: _l("Your registration for %(event)s is cancelled"),
    MailKind.PROMOTED: _l("Good news: a place for you at %(event)s"),
    MailKind.REMINDER: _l("See you soon at %(event)s"),
    MailKind.ASSIGNMENT: _l("Your world café table at %(event)s"),
    MailKind.BADGE_REISSUED: _l("Your new badge for %(event)s"),
    MailKind.STAFF_INVITE: _l("Your staff account for %(event)s"),
    MailKind.STAFF_RESET: _l("Choose a new password for %(event)s"),
    MailKind.SCHEDULE_CHANGED: _l("%(event)s: the day's time or place has changed"),
    MailKind.FEEDBACK: _l("%(event)s: how was it? Two minutes for us"),
    MailKind.FEEDBACK_REMINDER: _l("%(event)s: a last reminder, two minutes for us"),
    MailKind.GROUP_REGISTERED: _l("Your group's registration for %(event)s"),
}
# The messages about a group member's own registration: to the group's contact when the
# member gave no address (their badge among them). Announcements and feedback are not.
FOR_GROUP_CONTACT = {
    MailKind.CONFIRMATION,
    MailKind.WAITLISTED,
    MailKind.PROMOTED,
    MailKind.UPDATED,
    MailKind.CANCELLED,
    MailKind.MANAGE_LINK,
    MailKind.BADGE_REISSUED,
    MailKind.ASSIGNMENT,
    MailKind.REMINDER,
    MailKind.SCHEDULE_CHANGED,
}
# What a confirmed attendee's message carries: the badge QR inline, the badge PDF, the .ics.
BADGE_ATTACHMENTS = ["qr_inline", "badge_pdf", "ics"]
WITH_BADGE = {
    MailKind.CONFIRMATION,
    MailKind.PROMOTED,
    MailKind.UPDATED,
    MailKind.REMINDER,
    MailKind.MANAGE_LINK,
    MailKind.ASSIGNMENT,
    MailKind.BADGE_REISSUED,
    MailKind.SCHEDULE_CHANGED,
}
QR_CID = "badge-qr"


def enqueue(
    kind: MailKind, attendee: Attendee, subject: str | None = None, **context
) -> OutboxMessage | None:
    """Render a message in the attendee's language and add it to the outbox (no commit).
    subject: the organisers' own (an announcement), else the kind's. A group member without
    an address has the messages about their registration sent to the group's contact; None,
    and nothing queued, for anyone else without one (a walk-in registered at the desk)."""
    recipient, contact = _recipient(kind, attendee)
    if not recipient:
        return None
    attachments = _attachments(kind, attendee)
    with force_locale(attendee.language):
        context.update(_attendee_context(attendee, attachments, contact))
        subject = _subject(kind, attendee, contact, subject)
        return _queue(kind, recipient, subject, context, attendee=attendee, attachments=attachments)


def enqueue_for_group_contact(kind: MailKind, group, **context) -> OutboxMessage:
    """A message to a group's contact (its page's link and its people), in their language."""
    from app.registration.tokens import group_token

    event = group.event
    with force_locale(group.contact_language):
        context.update(
            group=group,
            event=event,
            manage_url=external_url(
                "registration.group_page", token=group_token(group), event_slug=event.slug
            ),
        )
        subject = str(SUBJECTS[kind] % {"event": event.short_display_name})
        return _queue(kind, group.contact_email, subject, context, attachments=[])


def _recipient(kind: MailKind, attendee: Attendee):
    """(address, the group whose contact it is, or None): a group member without an address
    has the messages about their registration sent to the group's contact."""
    if not attendee.email and kind in FOR_GROUP_CONTACT and attendee.group_id is not None:
        return attendee.group.contact_email, attendee.group
    return attendee.email, None


def enqueue_rendered_at_send(kind: MailKind, attendee: Attendee) -> OutboxMessage | None:
    """As enqueue, the bodies left to the sender (see bodies): they say what the attendee's
    row says when the message is sent, in the language they chose now. For what a request
    queues often and can leave to the sender (a registration's confirmation: rendering it was
    a quarter of the request's CPU); the row, its recipient and subject are written now, in
    the request's transaction, so a confirmed registration always has its message."""
    recipient, contact = _recipient(kind, attendee)
    if not recipient:
        return None
    with force_locale(attendee.language):
        subject = _subject(kind, attendee, contact)
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=subject,
        locale=attendee.language,
        attendee=attendee,
        attachments=_attachments(kind, attendee),
        message_id=_message_id(),
    )
    db.session.add(message)
    return message


def bodies(message: OutboxMessage) -> tuple[str, str]:
    """(text, html) of a message: as stored, else rendered now (enqueue_rendered_at_send)
    from its attendee's row. Raises for a message whose attendee is gone (erased): nothing
    is left to write to them."""
    if message.body_text is not None:
        return message.body_text, message.body_html
    attendee = message.attendee
    if attendee is None:
        raise ValueError("rendered at send, but its attendee is gone")
    with force_locale(message.locale or attendee.language):
        context = _attendee_context(attendee, message.attachments, _recipient(message.kind, attendee)[1])
        return _rendered(message.kind, context)


def _attachments(kind: MailKind, attendee: Attendee) -> list[str]:
    confirmed = attendee.status == AttendeeStatus.CONFIRMED
    return list(BADGE_ATTACHMENTS) if kind in WITH_BADGE and confirmed else []


def _subject(kind: MailKind, attendee: Attendee, contact=None, subject: str | None = None) -> str:
    """The organisers' own subject, else the kind's; to a group's contact, whose it is."""
    subject = subject or str(SUBJECTS[kind] % {"event": attendee.event.short_display_name})
    if contact is not None:
        subject = one_line(f"{subject} ({attendee.full_name})")[:300]
    return subject


def _attendee_context(attendee: Attendee, attachments: list[str], contact=None) -> dict:
    """What every attendee's message is rendered with (in the locale in force)."""
    return dict(
        attendee=attendee,
        event=attendee.event,
        manage_url=external_url(
            "registration.manage", token=manage_token(attendee), event_slug=attendee.event.slug
        ),
        qr_cid=QR_CID if "qr_inline" in attachments else None,
        badge_code=BADGE_CODE_SLOT,  # filled in at delivery, as the QR is
        the_day=day_links(attendee.event),  # times, place, map and calendar links
        group_contact=contact,  # the layout then says whom the message is for
    )


def enqueue_for_staff(kind: MailKind, user: User, event: Event | None, **context) -> OutboxMessage:
    """A message to a staff member (their account, their password link), in their language."""
    with force_locale(user.language):  # the event's name in their language too
        event_name = event.display_name if event else "Noi Day"
        context.update(user=user, event=event, event_name=event_name)
        subject = str(SUBJECTS[kind] % {"event": event.short_display_name if event else event_name})
        return _queue(kind, user.email, subject, context, attachments=[])


def _queue(kind: MailKind, recipient: str, subject: str, context: dict, **fields) -> OutboxMessage:
    """The message with both parts rendered (in the locale in force), added to the outbox."""
    body_text, body_html = _rendered(kind, context)
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        message_id=_message_id(),
        **fields,
    )
    db.session.add(message)
    return message


def _rendered(kind: MailKind, context: dict) -> tuple[str, str]:
    return render_template(f"emails/{kind}.txt", **context), render_template(f"emails/{kind}.html", **context)


def _message_id() -> str:
    return make_msgid("noiday", domain=message_id_domain())


def message_id_domain() -> str:
    """MAIL_MESSAGE_ID_DOMAIN, else the sender's domain, else PUBLIC_URL's host."""
    config = current_app.config
    _, at, sender_domain = parseaddr(config["MAIL_DEFAULT_SENDER"] or "")[1].rpartition("@")
    public_host = urlsplit(config["PUBLIC_URL"]).hostname
    return config["MAIL_MESSAGE_ID_DOMAIN"] or (at and sender_domain) or public_host


def resend(message: OutboxMessage) -> OutboxMessage:
    """Queue a fresh copy of a message (an admin's "send again"); the original stays as history."""
    copy = OutboxMessage(
        attendee_id=message.attendee_id,
        kind=message.kind,
        recipient=message.attendee.email if message.attendee else message.recipient,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        locale=message.locale,  # rendered when sent, as the original was
        attachments=message.attachments,
        message_id=_message_id(),
    )
    db.session.add(copy)
    return copy
