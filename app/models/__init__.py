"""Database models, one module per aggregate."""

from app.models.announcement import Announcement, Audience
from app.models.answer import AttendeeAnswer, QuestionType
from app.models.assignment import AssignmentRun, SeatAssignment, TableFacilitator
from app.models.attendee import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    ParticipantType,
    PartStatus,
    TablePreference,
)
from app.models.base import localized, utcnow
from app.models.checkin import AuditAction, AuditEntry, CheckIn, CheckInMethod, DeskDevice
from app.models.event import (
    FIXED_FIELDS,
    CafeTable,
    DayPart,
    DayPartKind,
    Event,
    EventFile,
    Organisation,
    ProgrammeItem,
)
from app.models.group import GroupPolicy, RegistrationGroup
from app.models.notes import NOTE_KINDS, NoteRevision, NoteSheet, TableAttendance, TablePhoto
from app.models.organiser import EventMembership, Organiser
from app.models.outbox import MailKind, MessageStatus, OutboxMessage
from app.models.point_scan import PointKind, PointScan
from app.models.results import (
    Commitment,
    CommitmentOwner,
    CommitmentStatus,
    CommitmentUpdate,
    FeedbackAnswer,
    FeedbackRequest,
    PublishedPhoto,
    TableOutcome,
)
from app.models.user import Role, User

__all__ = [
    "GroupPolicy",
    "RegistrationGroup",
    "PointKind",
    "PointScan",
    "Announcement",
    "EventMembership",
    "Organiser",
    "Audience",
    "AssignmentRun",
    "NOTE_KINDS",
    "NoteRevision",
    "NoteSheet",
    "SeatAssignment",
    "TableAttendance",
    "TableFacilitator",
    "TablePhoto",
    "Attendee",
    "AttendeeAnswer",
    "AuditAction",
    "AuditEntry",
    "CheckInMethod",
    "MailKind",
    "CheckIn",
    "Commitment",
    "CommitmentOwner",
    "CommitmentStatus",
    "CommitmentUpdate",
    "FeedbackAnswer",
    "FeedbackRequest",
    "PublishedPhoto",
    "TableOutcome",
    "DeskDevice",
    "AttendeePart",
    "AttendeeStatus",
    "CafeTable",
    "DayPart",
    "DayPartKind",
    "Event",
    "EventFile",
    "FIXED_FIELDS",
    "MessageStatus",
    "Organisation",
    "OutboxMessage",
    "ParticipantType",
    "PartStatus",
    "ProgrammeItem",
    "QuestionType",
    "Role",
    "TablePreference",
    "User",
    "localized",
    "utcnow",
]
