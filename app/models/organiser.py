"""Who runs events on this instance: organiser groups (a city, a project) and each staff
member's events.

An instance holds many events. Each belongs to one organiser group; staff accounts belong to
one group too and work only on the events they are given (memberships), with their role
(admin: the event's organiser; desk; facilitator). Instance administrators, outside any
group, create groups and events and see everything. ``Event.organiser`` is the name the event
file prints on certificates; ``Event.organiser_group`` is who runs it here.
"""

from sqlalchemy import UniqueConstraint

from app.extensions import db
from app.models.base import utcnow


class Organiser(db.Model):
    __tablename__ = "organisers"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(80), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class EventMembership(db.Model):
    """A staff member given one event; their role there is their account's role."""

    __tablename__ = "event_memberships"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    event_id = db.Column(
        db.Integer, db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "event_id", name="uq_event_memberships_user_event"),)
