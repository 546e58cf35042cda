"""What each world café table produced, for the report of the day: who was assigned and
present, the facilitators' notes sheet by sheet, and the photos."""

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import case, distinct, exists, func, select

from app.extensions import db
from app.facilitation.facilitators import facilitators_by_table
from app.facilitation.notes import SUMMARY_ROUND, items, sheets_of
from app.facilitation.photos import photo_path, photos_of
from app.models import NOTE_KINDS, CheckIn, Event, SeatAssignment, TableAttendance, TablePhoto
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
    """Each table's figures and outcomes."""
    seated = _seated_counts(published_run(event))
    facilitators = facilitators_by_table(event)
    reports = []
    for table in event.tables:
        assigned, checked_in_assigned = seated.get(table.id, (0, 0))
        present_by_round, present_any_round = _presence(table)
        reports.append(
            TableReport(
                name=table.display_name,
                facilitators=[user.name for user in facilitators.get(table.id, [])],
                assigned=assigned,
                present_by_round=present_by_round,
                present_any_round=present_any_round,
                checked_in_assigned=checked_in_assigned,
                sheets=_sheet_outcomes(table, rounds),
                photos=[_photo_entry(photo) for photo in photos_of(table)],
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


def _presence(table) -> tuple[dict[int, int], int]:
    """People marked present at the table: per round, and in any round."""
    present = db.session.execute(
        select(TableAttendance.round, func.count())
        .filter_by(cafe_table_id=table.id, present=True)
        .group_by(TableAttendance.round)
    ).all()
    present_any = db.session.scalar(
        select(func.count(func.distinct(TableAttendance.attendee_id))).filter_by(
            cafe_table_id=table.id, present=True
        )
    )
    return {round: count for round, count in present}, present_any or 0


def _sheet_outcomes(table, rounds: list[int]) -> list[SheetOutcome]:
    """The table's sheets that hold anything, the closing summary first."""
    sheets = sheets_of(table)
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
