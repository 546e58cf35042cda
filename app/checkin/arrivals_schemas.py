"""The JSON contract of the arrivals page (app/static/js/checkin/arrivals.js polls it):
its query string, the same filters as the page's form, and its answer."""

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field

from app.core.db_limits import DB_INT_MAX
from app.core.openapi import NO_NUL


def _empty_is_none(value):
    return None if value == "" else value  # the form's "Any"


Id = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
FilterId = Annotated[Id | None, BeforeValidator(_empty_is_none)]


class ArrivalsQuery(BaseModel):
    """list.json's query string (text, so not strict: "3" is the id 3)."""

    part: FilterId = Field(None, description="A day part of the event: people confirmed for it")
    table: FilterId = Field(None, description="A world café table: people seated at it (published)")
    organisation: str = Field(
        "", max_length=100, pattern=NO_NUL, description="Part of the organisation's name, any case"
    )


class ExpectedPerson(BaseModel):
    id: int
    name: str
    organisation: str | None
    tables: list[str] = Field(
        description="The published assignment's tables, one per round; one when every round is at it"
    )
    url: str | None = Field(None, description="Their page, for organisers; none for the desk")


class PartArrivals(BaseModel):
    key: str = Field(description='The day part\'s key; "exit" for the exit')
    name: str
    own_check_in: bool = Field(description="Arrived counts the part's own check-in point, not the door")
    expected: int = Field(description="Confirmed for the part (the exit: checked in at the door)")
    arrived: int = Field(
        description="Scanned at its point (the café: or marked at a table); else at the door"
    )
    not_yet: int


class ArrivalsAnswer(BaseModel):
    after_the_day: bool = Field(description="The event's date is past: the list is the no-shows")
    expected: int = Field(description="Confirmed attendees the filters select")
    arrived: int = Field(description="Of them, checked in (a check-in in force)")
    not_arrived: int
    people: list[ExpectedPerson] = Field(
        description="Those not arrived, by name: the first 200 (not_arrived counts them all)"
    )
    parts: list[PartArrivals] = Field(
        default_factory=list, description="Per day part (whatever the filters), then the exit"
    )
