"""What the world café tables produce: notes per round, attendance, photos."""

from sqlalchemy import CheckConstraint, UniqueConstraint

from app.extensions import db
from app.models.base import utcnow

NOTE_KINDS = ("insights", "proposals", "questions", "developments", "free_text")


class NoteSheet(db.Model):
    """A table's notes for one round (round 0 is the table's closing summary).

    ``version`` goes up with every save; a save based on an older version is a conflict,
    kept as a revision so that no one's words are ever silently overwritten.
    """

    __tablename__ = "note_sheets"

    id = db.Column(db.Integer, primary_key=True)
    cafe_table_id = db.Column(db.ForeignKey("cafe_tables.id", ondelete="CASCADE"), nullable=False)
    round = db.Column(db.Integer, nullable=False)
    insights = db.Column(db.Text, nullable=False, default="")
    proposals = db.Column(db.Text, nullable=False, default="")
    questions = db.Column(db.Text, nullable=False, default="")
    developments = db.Column(db.Text, nullable=False, default="")  # lines of development for next year
    free_text = db.Column(db.Text, nullable=False, default="")
    tags = db.Column(db.JSON, nullable=False, default=list)
    version = db.Column(db.Integer, nullable=False, default=0)
    finished = db.Column(db.Boolean, nullable=False, default=False)
    updated_by = db.Column(db.String(254))
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    cafe_table = db.relationship("CafeTable")
    revisions = db.relationship(
        "NoteRevision", back_populates="sheet", cascade="all, delete-orphan", order_by="NoteRevision.id"
    )

    __table_args__ = (
        UniqueConstraint("cafe_table_id", "round"),
        CheckConstraint("round >= 0", name="round"),
    )


class NoteRevision(db.Model):
    """Every save, kept: the history of a sheet, and the losing side of a conflict."""

    __tablename__ = "note_revisions"

    id = db.Column(db.Integer, primary_key=True)
    sheet_id = db.Column(db.ForeignKey("note_sheets.id", ondelete="CASCADE"), nullable=False)
    save_id = db.Column(db.String(64), unique=True)  # the client's id: a replayed save is saved once
    base_version = db.Column(db.Integer, nullable=False)
    content = db.Column(db.JSON, nullable=False)
    conflict = db.Column(db.Boolean, nullable=False, default=False)
    resolved = db.Column(db.Boolean, nullable=False, default=False)
    author = db.Column(db.String(254), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    sheet = db.relationship("NoteSheet", back_populates="revisions")


class TableAttendance(db.Model):
    """Who is actually at the table, per round, as the facilitator records it: someone
    seated here by the published assignment, or a walk-up added from a badge scan."""

    __tablename__ = "table_attendance"

    id = db.Column(db.Integer, primary_key=True)
    cafe_table_id = db.Column(db.ForeignKey("cafe_tables.id", ondelete="CASCADE"), nullable=False)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="CASCADE"), nullable=False)
    round = db.Column(db.Integer, nullable=False, default=1)
    present = db.Column(db.Boolean, nullable=False, default=True)
    # Not seated here by the assignment: added at the table from their badge, once they had
    # checked in at the desk.
    walk_up = db.Column(db.Boolean, nullable=False, default=False, server_default="0")
    marked_by = db.Column(db.String(254), nullable=False)
    marked_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("cafe_table_id", "attendee_id", "round"),)


class TablePhoto(db.Model):
    """A photo of a tablecloth or flipchart: re-encoded without metadata, with a thumbnail."""

    __tablename__ = "table_photos"

    id = db.Column(db.Integer, primary_key=True)
    cafe_table_id = db.Column(db.ForeignKey("cafe_tables.id", ondelete="CASCADE"), nullable=False)
    round = db.Column(db.Integer, nullable=False, default=0)
    stored_name = db.Column(db.String(80), nullable=False, unique=True)  # random; never the upload's name
    caption = db.Column(db.String(300))
    width = db.Column(db.Integer, nullable=False)
    height = db.Column(db.Integer, nullable=False)
    size_bytes = db.Column(db.Integer, nullable=False)
    uploaded_by = db.Column(db.String(254), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
