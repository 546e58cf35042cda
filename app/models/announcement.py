"""Announcements: one message from the organisers to many attendees."""

import enum

from app.extensions import db
from app.models.base import one_of, utcnow


class Audience(enum.StrEnum):
    CONFIRMED = "confirmed"  # everyone with a place
    WITH_WAITING_LIST = "with_waiting_list"  # and those still waiting for one
    CHECKED_IN = "checked_in"  # those who came (checked in at a desk): thanks, the report


class Announcement(db.Model):
    __tablename__ = "announcements"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    audience = db.Column(db.String(30), nullable=False)
    subject = db.Column(db.JSON, nullable=False)  # {"it": ..., "en": ...}: one per event language
    body = db.Column(db.JSON, nullable=False)
    recipients = db.Column(db.Integer, nullable=False)  # how many messages were queued
    # The form's id: sending it again (a double click, a reload) finds this row.
    request_id = db.Column(db.String(64), nullable=False, unique=True)
    sent_by = db.Column(db.String(254), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (one_of("audience", Audience),)
