"""What a valid event file describes (EventSpec and its parts), and the error that lists
what is wrong with one that is not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time


class EventFileError(ValueError):
    """The file is not a valid event: ``problems`` lists (line, field, message).

    Messages are lazy translations: the admin page shows them in the reader's language,
    the command line in the language it is run in (str() of the error).
    """

    def __init__(self, filename: str, problems: list[tuple[int, str, str]]):
        super().__init__(filename, problems)
        self.filename = filename
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(
            f"{self.filename}, line {line}: {name}: {message}" for line, name, message in self.problems
        )


@dataclass
class ProgrammeSpec:
    starts_at: time
    ends_at: time | None
    title: dict
    speaker: str | None
    description: dict | None


@dataclass
class DayPartSpec:
    key: str
    kind: str
    name: dict
    starts_at: time | None
    ends_at: time | None
    capacity: int | None
    line: int
    check_in: bool = False  # its own entrance, where desks scan (app/checkin/points.py)


@dataclass
class TableSpec:
    key: str
    name: dict
    description: dict | None
    capacity: int
    accessible: bool
    small_tables: int
    line: int


@dataclass
class EventSpec:
    slug: str
    name: dict
    tagline: dict | None
    description: dict | None
    organiser: str | None
    contact_email: str | None
    venue_name: str
    venue_address: str | None
    date: date
    timezone: str
    languages: list[str]
    capacity: int | None
    privacy_version: str
    registration_opens_at: datetime | None  # naive UTC
    registration_closes_at: datetime | None  # naive UTC
    short_name: dict | None = None  # for e-mail subjects and headings; None: the name
    cafe_rounds: int = 1
    cafe_rotation: str = "stay"
    exit_scans: bool = False  # desks may scan people leaving (app/checkin/points.py)
    programme: list[ProgrammeSpec] = field(default_factory=list)
    day_parts: list[DayPartSpec] = field(default_factory=list)
    tables: list[TableSpec] = field(default_factory=list)
    organisations: list[tuple[str, str]] = field(default_factory=list)
    feedback: dict | None = None  # see event_file_results.read_feedback
    open_data: dict | None = None  # see event_file_results.read_open_data
    questions: list[dict] = field(default_factory=list)  # see event_file_questions.read_questions
    fixed_fields: dict | None = None  # see event_file_questions.read_fixed_fields
    group_registration: dict | None = None  # see event_file_fields.read_group_registration
