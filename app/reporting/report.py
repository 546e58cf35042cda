"""The report of the day: registration and attendance figures, then what each table
produced. As Markdown here, as a PDF in report_pdf.py, and the structured items as CSV.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.checkin.badges import PARTICIPANT_TYPE_LABELS
from app.extensions import db
from app.facilitation.attendance import attendance_rounds, facilitators_by_table, published_run
from app.facilitation.notes import SUMMARY_ROUND, items, sheets_of
from app.facilitation.photos import photo_path, photos_of
from app.models import (
    NOTE_KINDS,
    Attendee,
    AttendeeStatus,
    CheckIn,
    Event,
    SeatAssignment,
    TableAttendance,
    TablePhoto,
    localized,
)
from app.registration.attendee_list import safe_cell

KIND_LABELS = {
    "insights": _l("Key insights"),
    "proposals": _l("Proposals"),
    "questions": _l("Open questions"),
    "developments": _l("Lines of development for next year"),
    "free_text": _l("Free notes"),
}
CSV_COLUMNS = ["table", "round", "kind", "text", "tags"]


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


@dataclass
class Report:
    event_name: str
    venue: str
    date_text: str
    registered: int
    status_counts: dict[str, int]
    checked_in: int
    rounds: list[int]
    tables: list[TableReport]
    participant_types: list[tuple[str, int, int]]  # label, confirmed, checked in
    organisations: list[tuple[str, int, int]]  # name, confirmed, checked in


def build_report(event: Event) -> Report:
    """Gather every figure and outcome of the event (texts in the current locale)."""
    attendees = db.session.scalars(select(Attendee).filter_by(event_id=event.id)).all()
    checked_in_ids = set(
        db.session.scalars(
            select(CheckIn.attendee_id).where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
        )
    )
    statuses = Counter(a.status for a in attendees)
    confirmed = [a for a in attendees if a.status == AttendeeStatus.CONFIRMED]

    types = Counter(a.participant_type for a in confirmed)
    types_in = Counter(a.participant_type for a in attendees if a.id in checked_in_ids)
    participant_types = [
        (str(PARTICIPANT_TYPE_LABELS.get(kind, kind)), types[kind], types_in[kind])
        for kind in sorted(set(types) | set(types_in), key=lambda k: (-types[k], k))
    ]

    organisations = Counter(_organisation(a) for a in confirmed if _organisation(a))
    organisations_in = Counter(
        _organisation(a) for a in attendees if a.id in checked_in_ids and _organisation(a)
    )
    organisation_rows = [
        (name, organisations[name], organisations_in[name])
        for name in sorted(
            set(organisations) | set(organisations_in), key=lambda n: (-organisations[n], n.lower())
        )
    ]

    rounds = attendance_rounds(event)
    return Report(
        event_name=event.display_name,
        venue=event.venue_name,
        date_text=event.date.isoformat(),
        registered=len(attendees),
        status_counts={status.value: statuses[status.value] for status in AttendeeStatus},
        checked_in=len(checked_in_ids),
        rounds=rounds,
        tables=_table_reports(event, rounds, checked_in_ids),
        participant_types=participant_types,
        organisations=organisation_rows,
    )


def _organisation(attendee: Attendee) -> str:
    if attendee.organisation is not None:
        return attendee.organisation.name
    return " ".join((attendee.organisation_name or "").split())


def _table_reports(event: Event, rounds: list[int], checked_in_ids: set[int]) -> list[TableReport]:
    run = published_run(event)
    facilitators = facilitators_by_table(event)
    reports = []
    for table in event.tables:
        seated = set()
        if run is not None:
            seated = set(
                db.session.scalars(
                    select(SeatAssignment.attendee_id).filter_by(run_id=run.id, cafe_table_id=table.id)
                )
            )
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
        reports.append(
            TableReport(
                name=table.display_name,
                facilitators=[user.name for user in facilitators.get(table.id, [])],
                assigned=len(seated),
                present_by_round={round: count for round, count in present},
                present_any_round=present_any or 0,
                checked_in_assigned=len(seated & checked_in_ids),
                sheets=outcomes,
                photos=[_photo_entry(photo) for photo in photos_of(table)],
            )
        )
    return reports


def _photo_entry(photo: TablePhoto) -> PhotoEntry:
    return PhotoEntry(photo.round, photo.caption or "", photo_path(photo), photo.width, photo.height)


def round_title(round: int) -> str:
    return _("Closing summary") if round == SUMMARY_ROUND else _("Round %(number)d", number=round)


# ---- Markdown -------------------------------------------------------------------------------
# Translated words stay outside f-strings: on Python 3.11 Babel's extractor does not look
# inside them, and `make extract` would drop their Italian (tests/test_translations.py).


def report_markdown(report: Report) -> str:
    lines = [
        "# " + _("Report of the day") + f": {report.event_name}",
        "",
        f"{report.venue} · {report.date_text}",
        "",
        "## " + _("Registrations and attendance"),
        "",
        "| | " + _("People") + " |",
        "|---|---:|",
        "| " + _("Registrations") + f" | {report.registered} |",
        "| " + _("Confirmed") + f" | {report.status_counts['confirmed']} |",
        "| " + _("Waiting list") + f" | {report.status_counts['waitlisted']} |",
        "| " + _("Cancelled") + f" | {report.status_counts['cancelled']} |",
        "| " + _("Checked in at the desk") + f" | {report.checked_in} |",
        "",
        "### " + _("Per table"),
        "",
        _table_row(
            [_("Table"), _("Assigned"), _("Assigned and checked in")]
            + [_("Present, round %(number)d", number=r) for r in report.rounds]
            + [_("Present in any round")]
        ),
        "|---" + "|---:" * (3 + len(report.rounds)) + "|",
    ]
    for table in report.tables:
        cells = [table.name, table.assigned, table.checked_in_assigned]
        cells += [table.present_by_round.get(r, 0) for r in report.rounds] + [table.present_any_round]
        lines.append(_table_row(cells))
    lines += [
        "",
        "### " + _("Per participant type"),
        "",
        _table_row([_("Participant type"), _("Confirmed"), _("Checked in")]),
        "|---|---:|---:|",
        *(_table_row(row) for row in report.participant_types),
        "",
        "### " + _("Organisations represented") + f" ({len(report.organisations)})",
        "",
        _table_row([_("Organisation"), _("Confirmed"), _("Checked in")]),
        "|---|---:|---:|",
        *(_table_row(row) for row in report.organisations),
        "",
        "## " + _("Outcomes of the tables"),
    ]
    for table in report.tables:
        lines += ["", f"### {table.name}", ""]
        if table.facilitators:
            lines += [_("Facilitators") + f": {_text(', '.join(table.facilitators))}", ""]
        if not table.sheets:
            lines += ["_" + _("No notes were taken at this table.") + "_"]
        for sheet in table.sheets:
            lines += [f"#### {round_title(sheet.round)}", ""]
            for kind, values in sheet.items.items():
                lines += [f"**{KIND_LABELS[kind]}**", "", *(f"- {_text(value)}" for value in values), ""]
            if sheet.tags:
                lines += [_("Tags") + ": " + ", ".join(f"#{_text(tag)}" for tag in sheet.tags), ""]
        if table.photos:
            lines += ["#### " + _("Photos"), ""]
            lines += [
                f"- {round_title(photo.round)}: {_text(photo.caption or photo.path.name)} ({photo.path.name})"
                for photo in table.photos
            ]
    return "\n".join(lines).rstrip() + "\n"


def _text(value) -> str:
    """People's words as Markdown text: HTML in them is shown, never run, by a Markdown viewer.
    Not markupsafe.escape: it also encodes quotes, and the raw file is read too, where the
    Italian text's apostrophes must stay apostrophes."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table_row(cells) -> str:
    return "| " + " | ".join(_text(cell).replace("|", "\\|").replace("\n", " ") for cell in cells) + " |"


# ---- CSV ------------------------------------------------------------------------------------


def outcomes_csv(event: Event) -> bytes:
    """One row per item: table, round (0 = closing summary), kind, text, tags. UTF-8 with a
    byte-order mark and semicolons, like the attendees' CSV; formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for table in event.tables:
        sheets = sheets_of(table)
        for round in sorted(sheets):
            sheet = sheets[round]
            tags = ", ".join(sheet.tags or [])
            for kind in NOTE_KINDS:
                for value in items(getattr(sheet, kind)):
                    row = [localized(table.name), round, kind, value, tags]
                    writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
