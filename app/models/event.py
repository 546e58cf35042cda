"""The event and what its data file defines: programme, day parts, tables, organisations."""

import enum

from sqlalchemy import CheckConstraint, UniqueConstraint

from app.extensions import db
from app.models.base import localized, one_of, utcnow

# The registration form's fields that an event file may switch off (its ``fields:``).
FIXED_FIELDS = ("organisation", "participant_type", "dietary_needs", "accessibility_needs")


class DayPartKind(enum.StrEnum):
    PLENARY = "plenary"
    LUNCH = "lunch"  # asks for dietary needs
    WORLD_CAFE = "world_cafe"  # asks for ranked table preferences
    OTHER = "other"


class Event(db.Model):
    __tablename__ = "events"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(80), nullable=False, unique=True)
    # Who runs it on this instance (app/models/organiser.py).
    organiser_id = db.Column(db.Integer, db.ForeignKey("organisers.id"), nullable=False, index=True)
    name = db.Column(db.JSON, nullable=False)  # {"it": ..., "en": ...}
    short_name = db.Column(db.JSON)  # for subjects and headings; None: the name
    tagline = db.Column(db.JSON)
    description = db.Column(db.JSON)
    organiser = db.Column(db.String(200))
    contact_email = db.Column(db.String(254))
    venue_name = db.Column(db.String(200), nullable=False)
    venue_address = db.Column(db.String(300))
    date = db.Column(db.Date, nullable=False)
    timezone = db.Column(db.String(64), nullable=False)
    languages = db.Column(db.JSON, nullable=False)
    capacity = db.Column(db.Integer)  # None: no limit for the whole day
    # Kept by the database (triggers, migration 0016) as attendees are confirmed or stop
    # being: read it under the event's lock; only `flask places recount` writes it.
    confirmed_places = db.Column(db.Integer, nullable=False, server_default="0")
    registration_opens_at = db.Column(db.DateTime)  # naive UTC
    registration_closes_at = db.Column(db.DateTime)  # naive UTC
    privacy_version = db.Column(db.String(40), nullable=False, default="1")
    # World café format: rounds in the slot, and whether people stay in their theme and
    # rotate among its small tables ("stay", the MO.CA default) or change theme ("visit").
    cafe_rounds = db.Column(db.Integer, nullable=False, default=1, server_default="1")
    cafe_rotation = db.Column(db.String(10), nullable=False, default="stay", server_default="stay")
    # The event file's ``exit_scans: true``: a desk may scan people leaving (app/checkin/points.py).
    exit_scans = db.Column(db.Boolean, nullable=False, default=False, server_default="0")
    # The questionnaire after the day and the open data licence, as the event file gives
    # them (app/events/event_file_results.py); None: no questionnaire, no open data.
    feedback = db.Column(db.JSON)
    open_data = db.Column(db.JSON)
    # The registration form's own questions (app/events/event_file_questions.py), a list of
    # {key, type, label, help, required, options}; and which fixed fields the form asks,
    # {"organisation": true, ...}. None: no questions, every fixed field.
    questions = db.Column(db.JSON)
    fixed_fields = db.Column(db.JSON)
    # Registering several people at once, as the event file's ``registration: groups:`` says
    # (app/events/event_file_fields.py): {"policy": ..., "max_size": N}. None: groups off.
    group_registration = db.Column(db.JSON)
    # When and where the attendees were last told the day is (app/mail/schedule_update.py):
    # a file that moves it leaves an update e-mail to send.
    schedule_announced = db.Column(db.JSON)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    organiser_group = db.relationship("Organiser")  # loaded when asked: seldom, and never by a scan
    programme = db.relationship(
        "ProgrammeItem", order_by="ProgrammeItem.position", cascade="all, delete-orphan"
    )
    day_parts = db.relationship("DayPart", order_by="DayPart.position", cascade="all, delete-orphan")
    # Kept for the organisers (see EventFile); never loaded with the event itself.
    files = db.relationship("EventFile", lazy="noload", cascade="all, delete-orphan", passive_deletes=True)
    tables = db.relationship("CafeTable", order_by="CafeTable.position", cascade="all, delete-orphan")
    organisations = db.relationship(
        "Organisation", order_by="Organisation.name", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),)

    @property
    def display_name(self) -> str:
        return localized(self.name)

    @property
    def short_display_name(self) -> str:
        """For e-mail subjects and headings: the short name, when the event file gives one."""
        return localized(self.short_name) or self.display_name

    def registration_is_open(self, now=None) -> bool:
        now = now or utcnow()
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)

    def asks(self, fixed_field: str) -> bool:
        """Whether the registration form asks this fixed field (see FIXED_FIELDS)."""
        return (self.fixed_fields or {}).get(fixed_field, True)

    @property
    def takes_groups(self) -> bool:
        return bool(self.group_registration)

    @property
    def group_policy(self) -> str | None:
        """ "all_or_nothing" or "as_many_as_fit" (see GroupPolicy); None: groups off."""
        return (self.group_registration or {}).get("policy")

    @property
    def group_max_size(self) -> int:
        return (self.group_registration or {}).get("max_size", 0)

    @property
    def registration_questions(self) -> list[dict]:
        return self.questions or []

    def day_part(self, kind: DayPartKind):
        return next((p for p in self.day_parts if p.kind == kind), None)


class ProgrammeItem(db.Model):
    __tablename__ = "programme_items"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    position = db.Column(db.Integer, nullable=False)
    starts_at = db.Column(db.Time, nullable=False)  # local time of the venue
    ends_at = db.Column(db.Time)
    title = db.Column(db.JSON, nullable=False)
    speaker = db.Column(db.String(300))
    description = db.Column(db.JSON)

    __table_args__ = (UniqueConstraint("event_id", "position"),)


class DayPart(db.Model):
    """A part of the day that attendees choose and that may have its own capacity."""

    __tablename__ = "day_parts"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    key = db.Column(db.String(40), nullable=False)
    kind = db.Column(db.String(20), nullable=False)
    name = db.Column(db.JSON, nullable=False)
    starts_at = db.Column(db.Time)
    ends_at = db.Column(db.Time)
    capacity = db.Column(db.Integer)  # None: no limit
    confirmed_places = db.Column(db.Integer, nullable=False, server_default="0")  # as the event's
    # The event file's ``check_in: true``: the part has its own entrance, where desks scan.
    check_in = db.Column(db.Boolean, nullable=False, default=False, server_default="0")
    position = db.Column(db.Integer, nullable=False, default=0)

    __table_args__ = (
        UniqueConstraint("event_id", "key"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        one_of("kind", DayPartKind),
    )

    @property
    def display_name(self) -> str:
        return localized(self.name)


class CafeTable(db.Model):
    """One world café table: one theme (for MO.CA, one workstream, a "cantiere")."""

    __tablename__ = "cafe_tables"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    key = db.Column(db.String(40), nullable=False)
    position = db.Column(db.Integer, nullable=False, default=0)
    name = db.Column(db.JSON, nullable=False)
    description = db.Column(db.JSON)
    capacity = db.Column(db.Integer, nullable=False)
    accessible = db.Column(db.Boolean, nullable=False, default=True)
    small_tables = db.Column(
        db.Integer, nullable=False, default=0, server_default="0"
    )  # 4-6 seats each, a host stays

    __table_args__ = (
        UniqueConstraint("event_id", "key"),
        CheckConstraint("capacity >= 0", name="capacity"),
    )

    @property
    def display_name(self) -> str:
        return localized(self.name)


class Organisation(db.Model):
    """A member of the event's network, offered as a choice on the registration form."""

    __tablename__ = "organisations"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    name = db.Column(db.String(200), nullable=False)
    kind = db.Column(db.String(20), nullable=False, default="member")

    __table_args__ = (UniqueConstraint("event_id", "name"),)


class EventFile(db.Model):
    """Each data file loaded for the event, as it was written (comments included): the
    organisers download the current one to edit it, and can see and restore earlier ones."""

    __tablename__ = "event_files"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    filename = db.Column(db.String(200), nullable=False)
    text = db.Column(db.Text, nullable=False)
    loaded_by = db.Column(db.String(254), nullable=False)  # an admin's e-mail, or "command line"
    loaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)


# How many event files were loaded: the calendar entry's SEQUENCE (app/registration/calendar.py).
# Deferred, so it is read once per loaded event (a mail batch asks once, not once a message).
Event.files_loaded = db.column_property(
    db.select(db.func.count(EventFile.id)).where(EventFile.event_id == Event.id).scalar_subquery(),
    deferred=True,
)
