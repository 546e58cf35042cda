"""An attendee's answers to the event's own registration questions (the event file's
``questions:``), one row per question answered."""

import enum

from sqlalchemy import CheckConstraint, UniqueConstraint

from app.extensions import db


class QuestionType(enum.StrEnum):
    """What a registration question asks for (its ``type`` in the event file)."""

    TEXT = "text"  # one line
    LONG_TEXT = "long_text"
    CHOICE = "choice"  # one of its options
    CHOICES = "choices"  # any of its options
    YES_NO = "yes_no"

    @property
    def has_options(self) -> bool:
        return self in (QuestionType.CHOICE, QuestionType.CHOICES)


class AttendeeAnswer(db.Model):
    """Stored by the question's key, not by a row of its own: a file loaded again that
    drops or changes a question leaves the answers already given as they were (they stay
    in the attendee's data export and the CSV under their key).

    value: the text typed; one option's key (one choice); the option keys as a JSON list
    (several choices, e.g. ["bus", "car"]: a filter finds '"bus"' and nothing else); "yes"
    or "no". An answer left empty is no row."""

    __tablename__ = "attendee_answers"

    id = db.Column(db.Integer, primary_key=True)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="CASCADE"), nullable=False)
    question_key = db.Column(db.String(60), nullable=False)
    value = db.Column(db.Text, nullable=False)

    attendee = db.relationship("Attendee", back_populates="answers")

    __table_args__ = (
        UniqueConstraint("attendee_id", "question_key"),
        CheckConstraint("length(question_key) > 0", name="question_key"),
    )
