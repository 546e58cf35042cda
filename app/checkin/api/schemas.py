"""The check-in API's JSON contracts, declared once: the views validate requests with these
models and openapi.py generates the OpenAPI document from them.

Requests are strict (a number is not a string, "1" is not an id); unknown fields are ignored.
Answers are built by serializers.py; their models here only document them, and the
schemathesis run in tests/test_openapi.py checks every answer against them.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)
from pydantic.json_schema import SkipJsonSchema

from app.checkin.services import ScanResult
from app.core.db_limits import DB_INT_MAX
from app.models import AttendeeStatus
from config import Config

# No column can store NUL (PostgreSQL refuses it), so no text of the API may hold one.
NO_NUL = r"^[^\x00]*$"
SEARCH_LIMIT_MAX = 50

Text = Annotated[str, Field(pattern=NO_NUL)]


def _integral_number(value):
    # JSON Schema's "integer" is any number without a fraction: 7.0 is the id 7 (not "7").
    return int(value) if isinstance(value, float) and value.is_integer() else value


DatabaseId = Annotated[int, Field(ge=1, le=DB_INT_MAX), BeforeValidator(_integral_number)]


def _blank_is_none(value: str | None) -> str | None:
    return value if value and value.strip() else None


def _utc_naive(moment: datetime | None) -> datetime | None:
    """UTC without a zone, as the database keeps times; a moment UTC cannot hold is no time."""
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00, before the first UTC moment
        return None


RequestId = Annotated[
    str | None,
    Field(
        max_length=64,
        pattern=NO_NUL,
        description="Made by the client (a UUID); the same id sent again never checks in twice. "
        "Blank or absent: no de-duplication.",
    ),
    AfterValidator(_blank_is_none),
]
ScannedAt = Annotated[
    AwareDatetime | None,
    Field(description="When the desk scanned (RFC 3339 with its offset); believed within the last day"),
    AfterValidator(_utc_naive),
]


class _Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class ScanRequest(_Request):
    code: Text = Field(
        description="The scanned text of a badge's QR code (24 characters), or the code printed under "
        'it, as typed: 3 letters and 3 digits, any case, spaces and dashes ignored ("klm 479"). '
        "Beyond 200 characters, not a badge"
    )
    request_id: RequestId = None
    scanned_at: ScannedAt = None
    point: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")] | None = Field(
        None,
        description='Where the desk scans: "door" (absent: the door), "exit" when the event has exit '
        "scans, or the key of a day part with its own check-in (lunch, the world café); 404 if the "
        "event has no such point. A point scan is counted apart from the door's check-in",
    )


class CheckInRequest(_Request):
    attendee_id: DatabaseId = Field(description="The id a search answered")
    request_id: RequestId = None
    scanned_at: ScannedAt = None


class ReinstateRequest(_Request):
    request_id: RequestId = None
    reason: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*\S[^\x00]*$")] = Field(
        description='Why the desk takes the cancellation back ("came anyway"), kept in the audit log'
    )
    scanned_at: ScannedAt = None


class SearchQuery(BaseModel):
    """GET /attendees's query string (text, so not strict: "20" is the number 20)."""

    q: Text = Field(description="Name, e-mail or organisation; under 2 characters, no results")
    limit: int = Field(20, ge=1, le=SEARCH_LIMIT_MAX, description="How many results at most")


Language = Literal[Config.LANGUAGES]


class LanguageQuery(BaseModel):
    lang: Annotated[Language | None, WithJsonSchema({"type": "string", "enum": list(Config.LANGUAGES)})] = (
        Field(None, description="Language of the answer's message; without it, Italian")
    )


# ---- Answers (documentation; serializers.py builds them) -------------------------------

Colour = Literal[tuple(sorted({result.colour for result in ScanResult}))]


class Error(BaseModel):
    error: str = Field(description="A stable code: bad_request, unauthorized, not_found, conflict...")
    # Absent from a bare not_found; never null.
    detail: SkipJsonSchema[None] | str = Field(
        None, description="What went wrong, in plain English", json_schema_extra=lambda s: s.pop("default")
    )


class EventSummary(BaseModel):
    name: str
    slug: str


class Me(BaseModel):
    desk: str
    event: EventSummary
    language: str


class Seat(BaseModel):
    round: int
    name: str
    small_table: str | None


class AttendeeCard(BaseModel):
    id: int
    name: str
    organisation: str | None
    participant_type_label: str
    status: AttendeeStatus
    tables: list[Seat]
    lunch: bool
    dietary_needs: str | None
    accessibility_needs: str | None
    badge_pdf_url: str


class CheckInSummary(BaseModel):
    id: int
    at: datetime
    at_local: str = Field(description="HH:MM at the venue")
    desk: str
    undone_at: datetime | None


class PointSummary(BaseModel):
    key: str = Field(description='"door", "exit" or the day part\'s key')
    kind: Literal["door", "part", "exit"]
    name: str


class Outcome(BaseModel):
    result: Colour
    reason: ScanResult
    message: str = Field(description="What to tell the person, in the desk's language")
    attendee: AttendeeCard | None
    check_in: CheckInSummary | None = Field(
        description="The door's check-in; at another point, that point's scan "
        "(undone at /point-scans/{id}/undo)"
    )
    point: PointSummary | None = Field(None, description="At a point other than the door: which")
    seat: Seat | None = Field(None, description="The world café: the person's table in the round now")


class PointCounter(BaseModel):
    key: str
    name: str
    expected: int = Field(description="Confirmed for the part (the exit: checked in at the door)")
    arrived: int


class Undone(BaseModel):
    ok: bool
    check_in: CheckInSummary


class SearchResult(BaseModel):
    id: int
    name: str
    email: str | None  # None: a walk-in registered without one
    organisation: str | None
    status: AttendeeStatus
    check_in: CheckInSummary | None
    badge_pdf_url: str


class SearchResults(BaseModel):
    results: list[SearchResult]


class TableCounter(BaseModel):
    name: str
    expected: int
    checked_in: int


class Counters(BaseModel):
    checked_in: int
    expected: int
    tables: list[TableCounter]
