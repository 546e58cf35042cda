"""Check-in desks (devices), check-ins and the audit log."""

from sqlalchemy import Index, text

from app.extensions import db
from app.models.base import utcnow


class DeskDevice(db.Model):
    """A laptop or phone at the check-in desk, authenticated by a bearer token."""

    __tablename__ = "desk_devices"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    name = db.Column(db.String(60), nullable=False)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)  # sha256 hex; the token is shown once
    created_by = db.Column(db.String(254))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    revoked_at = db.Column(db.DateTime)

    event = db.relationship("Event")


class CheckIn(db.Model):
    __tablename__ = "check_ins"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="CASCADE"), nullable=False)
    desk_device_id = db.Column(db.ForeignKey("desk_devices.id", ondelete="SET NULL"))
    desk_name = db.Column(db.String(60), nullable=False)
    # The client's id for the request: a replay after a dropped connection finds this row.
    request_id = db.Column(db.String(64), unique=True)
    method = db.Column(db.String(20), nullable=False, default="scan")  # scan, search, walk_in
    checked_in_at = db.Column(db.DateTime, nullable=False)  # when it happened at the desk (UTC)
    recorded_at = db.Column(db.DateTime, nullable=False, default=utcnow)  # when the server got it
    undone_at = db.Column(db.DateTime)
    undone_by = db.Column(db.String(254))

    attendee = db.relationship("Attendee", back_populates="check_ins")

    __table_args__ = (
        # At most one check-in in force per attendee: the database has the last word.
        Index(
            "uq_check_ins_active_attendee",
            "attendee_id",
            unique=True,
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
        Index("ix_check_ins_event_active", "event_id", "undone_at"),
    )


class AuditEntry(db.Model):
    """Who did what, when: undone check-ins, desk devices created and revoked."""

    __tablename__ = "audit_entries"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"))
    actor = db.Column(db.String(254), nullable=False)
    action = db.Column(db.String(40), nullable=False)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="SET NULL"))
    details = db.Column(db.JSON, nullable=False, default=dict)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
