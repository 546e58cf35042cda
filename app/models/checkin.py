"""Check-in desks (devices), check-ins and the audit log."""

import enum

from sqlalchemy import Index, text

from app.extensions import db
from app.models.base import one_of, utcnow


class CheckInMethod(enum.StrEnum):
    SCAN = "scan"  # the badge's QR, by camera or USB scanner
    CODE = "code"  # the short code printed under the QR, typed at the desk
    SEARCH = "search"  # found by name at the desk (forgotten badge)
    WALK_IN = "walk_in"  # registered at the desk and checked in at once


class AuditAction(enum.StrEnum):
    REGISTRATION_CANCELLED = "registration_cancelled"
    REGISTRATION_REINSTATED = "registration_reinstated"  # a cancellation taken back
    CAPACITY_OVERRIDDEN = "capacity_overridden"  # an organiser let a walk-in in at a full event
    BADGE_REISSUED = "badge_reissued"
    CHECK_IN_UNDONE = "check_in_undone"
    DESK_CREATED = "desk_created"
    DESK_REVOKED = "desk_revoked"
    PHOTO_DELETED = "photo_deleted"
    STAFF_INVITED = "staff_invited"
    STAFF_PASSWORD_RESET = "staff_password_reset"
    STAFF_PASSWORD_CHOSEN = "staff_password_chosen"
    STAFF_ROLE_CHANGED = "staff_role_changed"
    STAFF_REACTIVATED = "staff_reactivated"
    STAFF_DEACTIVATED = "staff_deactivated"
    OUTCOMES_PUBLISHED = "outcomes_published"
    OUTCOMES_UNPUBLISHED = "outcomes_unpublished"


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
    method = db.Column(db.String(20), nullable=False, default=CheckInMethod.SCAN)
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
        one_of("method", CheckInMethod),
    )


class AuditEntry(db.Model):
    """Who did what, when: the actions staff take for attendees, desks and staff accounts."""

    __tablename__ = "audit_entries"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"))
    actor = db.Column(db.String(254), nullable=False)
    action = db.Column(db.String(40), nullable=False)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="SET NULL"))
    details = db.Column(db.JSON, nullable=False, default=dict)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (one_of("action", AuditAction),)
