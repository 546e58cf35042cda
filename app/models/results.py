"""The day's results, shared: each table's outcomes published after review, the commitments
taken on and their progress, and the anonymous feedback questionnaire after the day."""

import enum
import uuid

from sqlalchemy import UniqueConstraint

from app.extensions import db
from app.models.base import one_of, utcnow


class CommitmentStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class CommitmentOwner(enum.StrEnum):
    ORGANISATION = "organisation"  # an organisation of the network (organisation_id or its name)
    CITY = "city"  # the City (the event's organiser)


class TableOutcome(db.Model):
    """A table's outcomes as an organiser edited them for the public: one text per language
    of the event, drafted from the facilitators' notes (ideas, proposals, commitments, per
    round and the synthesis). Public only while ``published_at`` is set; unpublishing keeps
    the text for the next time."""

    __tablename__ = "table_outcomes"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    cafe_table_id = db.Column(
        db.ForeignKey("cafe_tables.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    text = db.Column(db.JSON, nullable=False, default=dict)  # {language: text}
    version = db.Column(db.Integer, nullable=False, default=1)  # a save on an older one is refused
    published_at = db.Column(db.DateTime)
    published_by = db.Column(db.String(254))
    updated_by = db.Column(db.String(254), nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    cafe_table = db.relationship("CafeTable")


class Commitment(db.Model):
    """Something a table's people take on: who (an organisation of the network, or the City),
    by when, and how far it has come. Public with its table's published outcomes."""

    __tablename__ = "commitments"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    cafe_table_id = db.Column(db.ForeignKey("cafe_tables.id", ondelete="CASCADE"), nullable=False)
    text = db.Column(db.JSON, nullable=False)  # {language: text}
    owner_kind = db.Column(db.String(20), nullable=False)
    organisation_id = db.Column(db.ForeignKey("organisations.id", ondelete="SET NULL"))
    owner_name = db.Column(db.String(200), nullable=False)  # kept if the organisation leaves the file
    due_on = db.Column(db.Date)
    status = db.Column(db.String(20), nullable=False, default=CommitmentStatus.OPEN)
    public_note = db.Column(db.JSON)  # {language: text}: the latest status note
    created_by = db.Column(db.String(254), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    cafe_table = db.relationship("CafeTable")
    organisation = db.relationship("Organisation")
    updates = db.relationship(
        "CommitmentUpdate",
        back_populates="commitment",
        cascade="all, delete-orphan",
        order_by="CommitmentUpdate.id",
    )

    __table_args__ = (one_of("status", CommitmentStatus), one_of("owner_kind", CommitmentOwner))


class CommitmentUpdate(db.Model):
    """Each change of a commitment's status or note, kept: its history and the Atom feed."""

    __tablename__ = "commitment_updates"

    id = db.Column(db.Integer, primary_key=True)
    commitment_id = db.Column(db.ForeignKey("commitments.id", ondelete="CASCADE"), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False)
    public_note = db.Column(db.JSON)
    changed_by = db.Column(db.String(254), nullable=False)  # never shown in public
    changed_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    commitment = db.relationship("Commitment", back_populates="updates")

    __table_args__ = (one_of("status", CommitmentStatus),)


class FeedbackRequest(db.Model):
    """That a checked-in person was sent the questionnaire, reminded, and has answered.
    Deliberately no link to the answer and no time of answering (see FeedbackAnswer)."""

    __tablename__ = "feedback_requests"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="CASCADE"), nullable=False, unique=True)
    sent_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    reminded_at = db.Column(db.DateTime)
    answered = db.Column(db.Boolean, nullable=False, default=False)


def _random_id() -> str:
    return uuid.uuid4().hex


class FeedbackAnswer(db.Model):
    """One person's answers, anonymous: no attendee, no request, no time; a random id, so
    that not even the order of the rows lines up with the requests marked answered."""

    __tablename__ = "feedback_answers"

    id = db.Column(db.String(32), primary_key=True, default=_random_id)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    answers = db.Column(db.JSON, nullable=False)  # {question key: 1-5, or text}


class PublishedPhoto(db.Model):
    """A table photo an organiser picked for the public page, having checked that everyone
    recognisable in it agreed to photos."""

    __tablename__ = "published_photos"

    id = db.Column(db.Integer, primary_key=True)
    photo_id = db.Column(db.ForeignKey("table_photos.id", ondelete="CASCADE"), nullable=False)
    caption = db.Column(db.JSON)  # {language: text}
    picked_by = db.Column(db.String(254), nullable=False)
    picked_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    photo = db.relationship("TablePhoto")

    __table_args__ = (UniqueConstraint("photo_id"),)
