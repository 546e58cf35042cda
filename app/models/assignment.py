"""World café assignment: runs of the engine, their per-person results, pins."""

from sqlalchemy import CheckConstraint, Index, UniqueConstraint

from app.extensions import db
from app.models.base import utcnow


class AssignmentRun(db.Model):
    """One run of the engine, kept with its parameters, inputs' hash, results and author."""

    __tablename__ = "assignment_runs"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by = db.Column(db.String(254), nullable=False)
    parameters = db.Column(db.JSON, nullable=False, default=dict)
    inputs_hash = db.Column(db.String(64), nullable=False)
    summary = db.Column(db.JSON, nullable=False, default=dict)  # figures shown to organisers
    published_at = db.Column(db.DateTime)
    published_by = db.Column(db.String(254))

    seats = db.relationship("SeatAssignment", back_populates="run", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_assignment_runs_event_published", "event_id", "published_at"),)


class SeatAssignment(db.Model):
    """Where one attendee sits in one round (round 1 when the café has no rounds)."""

    __tablename__ = "seat_assignments"

    id = db.Column(db.Integer, primary_key=True)
    run_id = db.Column(db.ForeignKey("assignment_runs.id", ondelete="CASCADE"), nullable=False)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="CASCADE"), nullable=False)
    round = db.Column(db.Integer, nullable=False, default=1)
    cafe_table_id = db.Column(db.ForeignKey("cafe_tables.id", ondelete="CASCADE"))  # None: no seat
    small_table = db.Column(db.Integer)  # 0-based index of the small table, when there are any
    choice_rank = db.Column(db.Integer)  # 1-3, or None when outside the person's choices
    moved_by_hand = db.Column(db.Boolean, nullable=False, default=False)
    reason = db.Column(db.String(500))  # one sentence, in English, translated when shown

    run = db.relationship("AssignmentRun", back_populates="seats")
    attendee = db.relationship("Attendee")
    cafe_table = db.relationship("CafeTable")

    __table_args__ = (
        UniqueConstraint("run_id", "attendee_id", "round"),
        CheckConstraint("round >= 1", name="round"),
        Index("ix_seat_assignments_run_table", "run_id", "cafe_table_id", "round"),
    )


class TableFacilitator(db.Model):
    """A facilitator (staff user) in charge of a world café table."""

    __tablename__ = "table_facilitators"

    id = db.Column(db.Integer, primary_key=True)
    cafe_table_id = db.Column(db.ForeignKey("cafe_tables.id", ondelete="CASCADE"), nullable=False)
    user_id = db.Column(db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)

    cafe_table = db.relationship("CafeTable")
    user = db.relationship("User")

    __table_args__ = (UniqueConstraint("cafe_table_id", "user_id"),)
