"""A group registered together: an organisation's contact registering colleagues."""

import enum

from sqlalchemy import Index

from app.extensions import db
from app.models.base import utcnow


class GroupPolicy(enum.StrEnum):
    """How places and waiting lists treat a group (the event file's registration.groups.policy)."""

    ALL_OR_NOTHING = "all_or_nothing"  # everyone has a place, or everyone waits, together
    AS_MANY_AS_FIT = "as_many_as_fit"  # each member takes a place if one is free, in the form's order


class RegistrationGroup(db.Model):
    """The people one contact registered at once (attendees.group_id). The contact need
    not come: their name and address are the group's; they reach its page by a signed
    link (app/registration/tokens.py), revoked by bumping manage_token_version."""

    __tablename__ = "registration_groups"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    contact_name = db.Column(db.String(200), nullable=False)
    # Normalised, lower case; their members without an address have their messages sent here.
    contact_email = db.Column(db.String(254), nullable=False)
    contact_language = db.Column(db.String(5), nullable=False, default="it")
    manage_token_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    event = db.relationship("Event")
    members = db.relationship("Attendee", back_populates="group", order_by="Attendee.id")

    __table_args__ = (Index("ix_registration_groups_event", "event_id"),)
