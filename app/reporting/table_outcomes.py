"""What each world café table produced, for the report of the day: who was assigned and
present, the facilitators' notes sheet by sheet, and the photos."""

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import case, distinct, exists, func, select

from app.extensions import db
from app.facilitation.facilitators import facilitators_by_table
from app.facilitation.notes import SUMMARY_ROUND, items
from app.facilitation.photos import photo_path
from app.models import (
    NOTE_KINDS,
    CafeTable,
    CheckIn,
    Event,
    NoteSheet,
    SeatAssignment,
    TableAttendance,
    TablePhoto,
)
from app.worldcafe.services import published_run


@dataclass
class SheetOutcome:
    round: int  # 0: the table's closing summary
    items: dict[str, list[str]]  # kind -> items, in NOTE_KINDS order, empty kinds left out
    tags: list[str]
    finished: bool


@dataclass
class PhotoEntry:
    round: int
    caption: str
    path: Path
    width: int
    height: int


@dataclass
class TableReport:
    name: str
    facilitators: list[str]
    assigned: int  # people with a seat here in the published assignment
    present_by_round: dict[int, int]
    present_any_round: int
    checked_in_assigned: int
    sheets: list[SheetOutcome] = field(default_factory=list)  # summary first, then rounds
    photos: list[PhotoEntry] = field(default_factory=list)


def table_reports(event: Event, rounds: list[int]) -> list[TableReport]:
    """Each table's figures and outcomes. Each kind of row is read once for the event, not
    once per table (4 statements a table, 41 for the MO.CA day's report, before)."""
    seated = _seated_counts(published_run(event))
    facilitators = facilitators_by_table(event)
    present_by_round, present_any_round = _presence(event)
    sheets, photos = _sheets_by_table(event), _photos_by_table(event)
    reports = []
    for table in event.tables:
        assigned, checked_in_assigned = seated.get(table.id, (0, 0))
        reports.append(
            TableReport(
                name=table.display_name,
                facilitators=[user.name for user in facilitators.get(table.id, [])],
                assigned=assigned,
                present_by_round=present_by_round.get(table.id, {}),
                present_any_round=present_any_round.get(table.id, 0),
                checked_in_assigned=checked_in_assigned,
                sheets=_sheet_outcomes(sheets.get(table.id, {}), rounds),
                photos=[_photo_entry(photo) for photo in photos.get(table.id, [])],
            )
        )
    return reports


def _seated_counts(run) -> dict[int, tuple[int, int]]:
    """Per table, people with a seat there in the published run (any round): (all of them,
    those checked in at a desk)."""
    if run is None:
        return {}
    in_force = (CheckIn.attendee_id == SeatAssignment.attendee_id) & CheckIn.undone_at.is_(None)
    checked_in = exists().where(in_force)
    query = (
        select(
            SeatAssignment.cafe_table_id,
            func.count(distinct(SeatAssignment.attendee_id)),
            func.count(distinct(case((checked_in, SeatAssignment.attendee_id)))),
        )
        .where(SeatAssignment.run_id == run.id, SeatAssignment.cafe_table_id.is_not(None))
        .group_by(SeatAssignment.cafe_table_id)
    )
    return {table_id: (assigned, arrived) for table_id, assigned, arrived in db.session.execute(query)}


def _presence(event: Event) -> tuple[dict[int, dict[int, int]], dict[int, int]]:
    """People marked present at each table: {table: {round: count}}, {table: in any round}."""
    present = (
        select(TableAttendance)
        .join(CafeTable, CafeTable.id == TableAttendance.cafe_table_id)
        .where(CafeTable.event_id == event.id, TableAttendance.present.is_(True))
        .subquery()
    )
    by_round: dict[int, dict[int, int]] = {}
    rounds = select(present.c.cafe_table_id, present.c.round, func.count()).group_by(
        present.c.cafe_table_id, present.c.round
    )
    for table_id, round, count in db.session.execute(rounds):
        by_round.setdefault(table_id, {})[round] = count
    anyone = select(present.c.cafe_table_id, func.count(distinct(present.c.attendee_id))).group_by(
        present.c.cafe_table_id
    )
    return by_round, dict(db.session.execute(anyone).all())


def _sheets_by_table(event: Event) -> dict[int, dict[int, NoteSheet]]:
    """{table: {round: sheet}} for the event's tables (as notes.sheets_of, for them all)."""
    found: dict[int, dict[int, NoteSheet]] = {}
    query = select(NoteSheet).join(CafeTable, CafeTable.id == NoteSheet.cafe_table_id)
    for sheet in db.session.scalars(query.where(CafeTable.event_id == event.id)):
        found.setdefault(sheet.cafe_table_id, {})[sheet.round] = sheet
    return found


def _photos_by_table(event: Event) -> dict[int, list[TablePhoto]]:
    """{table: photos by round} for the event's tables (as photos.photos_of, for them all)."""
    found: dict[int, list[TablePhoto]] = {}
    query = select(TablePhoto).join(CafeTable, CafeTable.id == TablePhoto.cafe_table_id)
    query = query.where(CafeTable.event_id == event.id).order_by(TablePhoto.round, TablePhoto.id)
    for photo in db.session.scalars(query):
        found.setdefault(photo.cafe_table_id, []).append(photo)
    return found


def _sheet_outcomes(sheets: dict[int, NoteSheet], rounds: list[int]) -> list[SheetOutcome]:
    """The table's sheets (by round) that hold anything, the closing summary first."""
    outcomes = []
    for round in [SUMMARY_ROUND, *rounds]:
        sheet = sheets.get(round)
        if sheet is None:
            continue
        found = {kind: items(getattr(sheet, kind)) for kind in NOTE_KINDS}
        found = {kind: values for kind, values in found.items() if values}
        if found or sheet.tags:
            outcomes.append(SheetOutcome(round, found, list(sheet.tags or []), sheet.finished))
    return outcomes


def _photo_entry(photo: TablePhoto) -> PhotoEntry:
    return PhotoEntry(photo.round, photo.caption or "", photo_path(photo), photo.width, photo.height)
