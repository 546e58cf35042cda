"""Database models, one module per aggregate."""

from .announcement import Announcement, Audience
from .assignment import AssignmentRun, SeatAssignment, TableFacilitator
from .attendee import Attendee, AttendeePart, AttendeeStatus, ParticipantType, PartStatus, TablePreference
from .base import localized, utcnow
from .checkin import AuditEntry, CheckIn, DeskDevice
from .event import CafeTable, DayPart, DayPartKind, Event, EventFile, Organisation, ProgrammeItem
from .notes import NOTE_KINDS, NoteRevision, NoteSheet, TableAttendance, TablePhoto
from .outbox import MessageStatus, OutboxMessage
from .user import Role, User

__all__ = [
    "Announcement",
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
    "AuditEntry",
    "CheckIn",
    "DeskDevice",
    "AttendeePart",
    "AttendeeStatus",
    "CafeTable",
    "DayPart",
    "DayPartKind",
    "Event",
    "EventFile",
    "MessageStatus",
    "Organisation",
    "OutboxMessage",
    "ParticipantType",
    "PartStatus",
    "ProgrammeItem",
    "Role",
    "TablePreference",
    "User",
    "localized",
    "utcnow",
]
