"""Outgoing e-mail, written in the same transaction as the change that causes it."""

import enum

from sqlalchemy import Index

from app.extensions import db
from app.models.base import one_of, utcnow


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a sender (claimed_by, claimed_at)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; an admin can resend


class MailKind(enum.StrEnum):
    """What a message is; its templates are emails/<kind>.txt and .html."""

    CONFIRMATION = "confirmation"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"  # off the waiting list
    UPDATED = "updated"
    CANCELLED = "cancelled"
    MANAGE_LINK = "manage_link"
    BADGE_REISSUED = "badge_reissued"
    ASSIGNMENT = "assignment"  # the world café table
    REMINDER = "reminder"
    ANNOUNCEMENT = "announcement"
    STAFF_INVITE = "staff_invite"
    STAFF_RESET = "staff_reset"
    SCHEDULE_CHANGED = "schedule_changed"  # the day moved: the new time and .ics
    FEEDBACK = "feedback"  # the questionnaire after the day
    FEEDBACK_REMINDER = "feedback_reminder"  # once, to those who have not answered
    GROUP_REGISTERED = "group_registered"  # to a group's contact: its page and its people


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id = db.Column(db.Integer, primary_key=True)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="SET NULL"))
    # The organisers' announcement it carries, if any: its page counts them by status.
    announcement_id = db.Column(db.ForeignKey("announcements.id", ondelete="SET NULL"), index=True)
    kind = db.Column(db.String(40), nullable=False)
    recipient = db.Column(db.String(254), nullable=False)
    subject = db.Column(db.String(300), nullable=False)
    # NULL: rendered when sent, from kind and attendee, in locale (mailer.enqueue_rendered_at_send).
    body_text = db.Column(db.Text)
    body_html = db.Column(db.Text)
    locale = db.Column(db.String(10))
    attachments = db.Column(db.JSON, nullable=False, default=list)  # see mailer.BADGE_ATTACHMENTS
    message_id = db.Column(db.String(200), nullable=False)  # kept across retries
    status = db.Column(db.String(20), nullable=False, default=MessageStatus.QUEUED)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_error = db.Column(db.String(500))
    claimed_at = db.Column(db.DateTime)
    claimed_by = db.Column(db.String(32))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime)

    attendee = db.relationship("Attendee")

    __table_args__ = (
        one_of("status", MessageStatus),
        one_of("kind", MailKind),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )
