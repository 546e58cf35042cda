"""Scans at a check-in point other than the door: a day part with its own entrance (lunch,
the world café) or the exit. The door's check-ins stay in check_ins (app/models/checkin.py)."""

import enum

from sqlalchemy import Index, text

from app.extensions import db
from app.models.base import one_of, utcnow


class PointKind(enum.StrEnum):
    PART = "part"  # a day part's own entrance; day_part_id says which
    EXIT = "exit"  # leaving: its time ends the hours present on the certificate


class PointScan(db.Model):
    __tablename__ = "point_scans"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(10), nullable=False)
    day_part_id = db.Column(db.ForeignKey("day_parts.id", ondelete="CASCADE"))  # None: the exit
    # The world café: the table the person was told (their seat in the round scanned).
    cafe_table_id = db.Column(db.ForeignKey("cafe_tables.id", ondelete="SET NULL"))
    round = db.Column(db.Integer)
    desk_device_id = db.Column(db.ForeignKey("desk_devices.id", ondelete="SET NULL"))
    desk_name = db.Column(db.String(60), nullable=False)
    # The client's id for the request: a replay after a dropped connection finds this row.
    request_id = db.Column(db.String(64), unique=True)
    scanned_at = db.Column(db.DateTime, nullable=False)  # at the desk (UTC)
    recorded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    undone_at = db.Column(db.DateTime)
    undone_by = db.Column(db.String(254))

    attendee = db.relationship("Attendee")
    day_part = db.relationship("DayPart")

    __table_args__ = (
        # One scan in force per attendee and point: two desks scanning one badge at one
        # point at once make one record; the database has the last word.
        Index(
            "uq_point_scans_active_part",
            "attendee_id",
            "day_part_id",
            unique=True,
            sqlite_where=text("undone_at IS NULL AND kind = 'part'"),
            postgresql_where=text("undone_at IS NULL AND kind = 'part'"),
        ),
        Index(
            "uq_point_scans_active_exit",
            "attendee_id",
            unique=True,
            sqlite_where=text("undone_at IS NULL AND kind = 'exit'"),
            postgresql_where=text("undone_at IS NULL AND kind = 'exit'"),
        ),
        # The arrivals page and the report count per point: off this index, not every row.
        Index("ix_point_scans_event_point", "event_id", "kind", "day_part_id", "undone_at"),
        one_of("kind", PointKind),
        db.CheckConstraint("(kind = 'part') = (day_part_id IS NOT NULL)", name="part_has_day_part"),
    )
