"""The JSON contracts of the facilitators' pages, declared once: the views validate the
browser's requests with these models and shape their answers through them, and openapi.py
makes the OpenAPI document from them.

Requests are strict (a number is not a string, "1" is not an id); unknown fields are
ignored. No text of a request, field names included, may hold NUL: the views refuse it
before these models see the body. The answers keep the keys that
app/static/js/facilitation/*.js reads.
"""

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from app.core.db_limits import DB_INT_MAX
from app.core.openapi import NO_NUL
from app.facilitation.attendance import AttendanceResult
from app.facilitation.notes import FIELD_MAX_CHARS, SAVE_ID_MAX_CHARS, TAGS_MAX, SaveResult

Text = Annotated[str, Field(pattern=NO_NUL)]


def _integral_number(value):
    # JSON Schema's "integer" is any number without a fraction: 7.0 is the id 7 (not "7").
    return int(value) if isinstance(value, float) and value.is_integer() else value


DatabaseId = Annotated[int, Field(ge=1, le=DB_INT_MAX), BeforeValidator(_integral_number)]
WholeNumber = Annotated[int, Field(ge=0, le=DB_INT_MAX), BeforeValidator(_integral_number)]
Round = Annotated[WholeNumber, Field(description="1, 2, ... for the rounds; 0 for the closing summary")]
NoteText = Annotated[str, Field(max_length=FIELD_MAX_CHARS, pattern=NO_NUL)]


def _absent_when_none(schema: dict) -> None:
    schema.pop("default")  # never null: the key is left out


class _Request(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="ignore", json_schema_extra={"propertyNames": {"pattern": NO_NUL}}
    )


# ---- Attendance at the table ---------------------------------------------------------------


class MarkAttendance(_Request):
    attendee_id: DatabaseId = Field(description="Someone on the table's list for the round")
    round: Round
    present: bool


class ScanBadge(_Request):
    code: Text = Field(
        description="The scanned text of a badge's QR code, or the code printed under it, as typed "
        '(3 letters and 3 digits, any case, spaces and dashes ignored: "klm 479"); beyond 200 '
        "characters, not a badge"
    )
    round: Round


class RosterQuery(BaseModel):
    """roster.json's query string (text, so not strict: "2" is the round 2)."""

    round: int = Field(1, ge=0, le=DB_INT_MAX, description="The round; without it, the first")


class AttendeeRef(BaseModel):
    id: int
    name: str


class AttendanceAnswer(BaseModel):
    """200 when marked; 422, with the reason and what to do, when refused (nothing written)."""

    result: AttendanceResult
    marked: bool
    message: str = Field(description="What to tell the facilitator, in the page's language")
    attendee: SkipJsonSchema[None] | AttendeeRef = Field(
        None, description="Who was marked; absent when refused", json_schema_extra=_absent_when_none
    )


class RosterPerson(BaseModel):
    id: int
    name: str
    organisation: str | None
    small_table: str = Field(description='"A", "B"... when the theme has small tables, else ""')
    on_roster: bool = Field(description="Seated here by the published assignment")
    walk_up: bool = Field(description="Added at the table from their badge")
    checked_in: bool = Field(description="At the desk")
    present: bool = Field(description="At this table, in this round")


class Roster(BaseModel):
    round: int
    people: list[RosterPerson]


# ---- Notes --------------------------------------------------------------------------------

Tags = Annotated[
    list[Text] | Text,
    Field(
        description=f"Words, or one text of words separated by commas; trimmed, without a "
        f"leading #, each once, at most {TAGS_MAX} kept"
    ),
]


class NoteFields(_Request):
    """What a facilitator writes on a sheet: one item per line in each kind, tags, done."""

    insights: NoteText = ""
    proposals: NoteText = ""
    questions: NoteText = ""
    developments: NoteText = ""
    free_text: NoteText = ""
    tags: Tags = []
    finished: bool = False


class SaveNotes(NoteFields):
    base_version: WholeNumber = Field(description="The version this text was written on; 0 for a new sheet")
    save_id: Annotated[str, Field(min_length=8, max_length=SAVE_ID_MAX_CHARS, pattern=NO_NUL)] = Field(
        description="Made by the page; the same id sent again is saved once, and answered as before"
    )
    resolves: list[DatabaseId] | None = Field(
        None, description="The conflicts (revision ids) this merged text settles"
    )


class NoteContent(BaseModel):
    insights: str
    proposals: str
    questions: str
    developments: str
    free_text: str
    tags: list[str]
    finished: bool


class Conflict(BaseModel):
    id: int = Field(description="The revision that keeps the conflicting save")
    author: str
    author_name: str | None = Field(None, description="The author's staff name, when the account exists")
    content: NoteContent
    at: str = Field(description="When it was saved: UTC, ISO 8601 ending in Z")


class NotesState(BaseModel):
    round: int
    version: int = Field(description="0 while the sheet has never been saved")
    content: NoteContent
    updated_by: str | None
    updated_by_name: str | None = Field(None, description="The last writer's staff name")
    updated_at: str | None = Field(None, description="When it was last saved: UTC, ISO 8601 ending in Z")
    conflicts: list[Conflict] = Field(description="Conflicting saves nobody has merged yet")


class SaveAnswer(BaseModel):
    """200 saved (or replayed); 409 a conflict: kept as a revision, nothing overwritten, and
    ``version`` and ``content`` are the server's."""

    result: SaveResult
    version: int
    content: NoteContent
    updated_by: str | None
    updated_by_name: str | None = Field(None, description="The staff name of who saved ``version``")
    updated_at: str | None = Field(None, description="When ``version`` was saved: UTC, ISO 8601 ending in Z")
    revision_id: int
    replayed: bool = Field(description="This save id was seen before: the answer it got then")


# ---- The synthesis -----------------------------------------------------------------------


class SynthesisColumn(BaseModel):
    id: int
    name: str
    finished: bool = Field(description="The table's closing summary is marked done")
    version: int = Field(description="Changes whenever one of the table's sheets does")
    insights: list[str]
    proposals: list[str]


class Synthesis(BaseModel):
    tables: list[SynthesisColumn]


class Error(BaseModel):
    error: str = Field(description="A stable code: bad_request, too_large")
    detail: SkipJsonSchema[None] | str = Field(
        None, description="What went wrong, in plain English", json_schema_extra=_absent_when_none
    )
