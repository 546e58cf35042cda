"""Outgoing e-mail, written in the same transaction as the change that causes it."""

import enum

from sqlalchemy import CheckConstraint, Index

from ..extensions import db
from .base import utcnow


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; an admin can resend


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id = db.Column(db.Integer, primary_key=True)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="SET NULL"))
    kind = db.Column(db.String(40), nullable=False)
    recipient = db.Column(db.String(254), nullable=False)
    subject = db.Column(db.String(300), nullable=False)
    body_text = db.Column(db.Text, nullable=False)
    body_html = db.Column(db.Text, nullable=False)
    status = db.Column(db.String(20), nullable=False, default=MessageStatus.QUEUED)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_error = db.Column(db.String(500))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime)

    attendee = db.relationship("Attendee")

    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )
