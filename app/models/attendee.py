"""Attendees, the day parts they chose and their ranked world café preferences."""

import enum
import secrets

from sqlalchemy import CheckConstraint, Index, UniqueConstraint

from app.extensions import db
from app.models.base import one_of, utcnow


class AttendeeStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"  # the whole day was full
    CANCELLED = "cancelled"


class PartStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


class ParticipantType(enum.StrEnum):
    NETWORK_MEMBER = "network_member"
    CITY_STAFF = "city_staff"
    SOCIAL_WORKER = "social_worker"
    PARTNER = "partner"
    CITIZEN = "citizen"
    PRESS = "press"
    SPEAKER = "speaker"


# The badge's short code, printed under the QR for staff to read aloud or type when the QR
# will not scan: three letters then three digits ("KLM 479"). Only characters that can
# neither be mistaken for one another on a print-out (no I/1, O/0, S/5, Z/2, B/8, G/6) nor
# heard as another in Italian (M kept, N dropped; no B/D/P/T/V "-i" rhymes), all on any
# keyboard; no U, so no rude words. 216,000 codes per event, unique per event (UNIQUE).
CODE_LETTERS, CODE_DIGITS = "ACEFHKLMRX", "346789"


def new_badge_code() -> str:
    letters = "".join(secrets.choice(CODE_LETTERS) for _ in range(3))
    return letters + "".join(secrets.choice(CODE_DIGITS) for _ in range(3))


class Attendee(db.Model):
    __tablename__ = "attendees"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    first_name = db.Column(db.String(100), nullable=False)
    last_name = db.Column(db.String(100), nullable=False)
    # Normalised, lower case. None only for a walk-in registered at the desk without one.
    email = db.Column(db.String(254))
    phone = db.Column(db.String(40))
    organisation_name = db.Column(db.String(200))
    organisation_id = db.Column(db.ForeignKey("organisations.id", ondelete="SET NULL"))
    participant_type = db.Column(db.String(30), nullable=False)
    dietary_needs = db.Column(db.String(500))
    accessibility_needs = db.Column(db.String(500))
    language = db.Column(db.String(5), nullable=False, default="it")
    consent_privacy_at = db.Column(db.DateTime, nullable=False)
    privacy_version = db.Column(db.String(40), nullable=False)
    consent_photos = db.Column(db.Boolean, nullable=False, default=False)
    # May their name appear in what is published of the day (outcomes, commitments)?
    consent_name_public = db.Column(db.Boolean, nullable=False, default=False, server_default="0")
    status = db.Column(db.String(20), nullable=False, default=AttendeeStatus.CONFIRMED)
    # Set by organisers: a table this person must be at (speakers, staff, accessibility),
    # and whether they need an accessible table.
    pinned_table_id = db.Column(db.ForeignKey("cafe_tables.id", ondelete="SET NULL"))
    needs_accessible_table = db.Column(db.Boolean, nullable=False, default=False, server_default="0")
    source = db.Column(db.String(20), nullable=False, default="online")
    # Bumped to revoke every manage link sent so far.
    manage_token_version = db.Column(db.Integer, nullable=False, default=1)
    # Printed in the badge's QR code; bumped when a badge is reissued, revoking the old one.
    badge_version = db.Column(db.Integer, nullable=False, default=1, server_default="1")
    # Printed under the QR (see CODE_LETTERS); a new one with every reissued badge.
    badge_code = db.Column(db.String(6), nullable=False, default=new_badge_code)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    cancelled_at = db.Column(db.DateTime)
    # When they asked for no more announcements (their e-mail's unsubscribe link or button);
    # the messages about their own registration still go out.
    announcements_stopped_at = db.Column(db.DateTime)
    # Registered with others by one contact (app/registration/groups.py); None: on their own.
    group_id = db.Column(db.ForeignKey("registration_groups.id", ondelete="SET NULL"), index=True)

    event = db.relationship("Event")
    organisation = db.relationship("Organisation")
    group = db.relationship("RegistrationGroup", back_populates="members")
    pinned_table = db.relationship("CafeTable", foreign_keys=[pinned_table_id])
    parts = db.relationship(
        "AttendeePart",
        back_populates="attendee",
        cascade="all, delete-orphan",
        order_by="AttendeePart.day_part_id",
    )
    check_ins = db.relationship("CheckIn", back_populates="attendee", order_by="CheckIn.id")
    # Only ever loaded with a join filtered to the published assignment run, in the same query
    # as the attendee (services/checkin.py: the desk's scan); world_cafe.published_seats()
    # queries them otherwise. "raise" keeps anyone from reading every run's seats by mistake.
    published_seats = db.relationship(
        "SeatAssignment", viewonly=True, lazy="raise", order_by="SeatAssignment.round"
    )
    # Their answers to the event's own questions (app/registration/answers.py).
    answers = db.relationship(
        "AttendeeAnswer",
        back_populates="attendee",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AttendeeAnswer.id",
    )
    preferences = db.relationship(
        "TablePreference",
        back_populates="attendee",
        cascade="all, delete-orphan",
        order_by="TablePreference.rank",
    )

    __table_args__ = (
        # One registration per e-mail address per event; the database has the last word.
        UniqueConstraint("event_id", "email"),
        UniqueConstraint("event_id", "badge_code"),
        one_of("status", AttendeeStatus),
        Index("ix_attendees_event_status", "event_id", "status"),
        # Lists by name (admin, arrivals, CSV): the first page off the index, not a sort.
        Index("ix_attendees_event_name", "event_id", "last_name", "first_name", "id"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def part(self, day_part_id: int):
        return next((p for p in self.parts if p.day_part_id == day_part_id), None)


class AttendeePart(db.Model):
    """A day part an attendee chose; the id orders its waiting list."""

    __tablename__ = "attendee_parts"

    id = db.Column(db.Integer, primary_key=True)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="CASCADE"), nullable=False)
    day_part_id = db.Column(db.ForeignKey("day_parts.id", ondelete="CASCADE"), nullable=False)
    status = db.Column(db.String(20), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    attendee = db.relationship("Attendee", back_populates="parts")
    day_part = db.relationship("DayPart")

    __table_args__ = (
        UniqueConstraint("attendee_id", "day_part_id"),
        one_of("status", PartStatus),
        Index("ix_attendee_parts_part_status", "day_part_id", "status"),
    )


class TablePreference(db.Model):
    __tablename__ = "table_preferences"

    id = db.Column(db.Integer, primary_key=True)
    attendee_id = db.Column(db.ForeignKey("attendees.id", ondelete="CASCADE"), nullable=False)
    cafe_table_id = db.Column(db.ForeignKey("cafe_tables.id", ondelete="CASCADE"), nullable=False)
    rank = db.Column(db.Integer, nullable=False)

    attendee = db.relationship("Attendee", back_populates="preferences")
    cafe_table = db.relationship("CafeTable")

    __table_args__ = (
        UniqueConstraint("attendee_id", "rank"),
        UniqueConstraint("attendee_id", "cafe_table_id"),
        CheckConstraint("rank BETWEEN 1 AND 3", name="rank"),
    )
