"""The report of the day: registration and attendance figures, then what each table
produced (gathered in table_outcomes.py). As Markdown here, as a PDF in report_pdf.py, and
the structured items as CSV.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.checkin.badges import participant_type_name
from app.checkin.point_counts import PartCount, part_counts
from app.extensions import db
from app.facilitation.attendance import attendance_rounds
from app.facilitation.notes import SUMMARY_ROUND, items, sheets_of
from app.models import (
    NOTE_KINDS,
    Attendee,
    AttendeeStatus,
    CheckIn,
    Event,
    Organisation,
    localized,
)
from app.registration.attendee_list import safe_cell
from app.reporting.table_outcomes import SheetOutcome, TableReport, table_reports
from app.results import feedback as feedback_answers
from app.results.feedback import FeedbackSummary
from app.results.figures import Figure, cell_text, organiser_figures

KIND_LABELS = {
    "insights": _l("Key insights"),
    "proposals": _l("Proposals"),
    "questions": _l("Open questions"),
    "developments": _l("Lines of development for next year"),
    "free_text": _l("Free notes"),
}
CSV_COLUMNS = ["table", "round", "kind", "text", "tags"]


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
    figures: list[Figure] = field(default_factory=list)  # the day in figures, exact; charts in the PDF
    feedback: FeedbackSummary | None = None  # the questionnaire's answers counted, if it has one
    # Per part of the day and the exit: expected, arrived at its own point or the door.
    parts: list[PartCount] = field(default_factory=list)


def build_report(event: Event) -> Report:
    """Gather every figure and outcome of the event (texts in the current locale). Counted
    by the database: however many people, no one is held in memory."""
    statuses = _status_counts(event)
    rounds = attendance_rounds(event)
    return Report(
        event_name=event.display_name,
        venue=event.venue_name,
        date_text=format_date(event.date, "long"),  # "13 luglio 2027", as people write it
        registered=sum(statuses.values()),
        status_counts={status.value: statuses[status.value] for status in AttendeeStatus},
        checked_in=_checked_in_count(event),
        rounds=rounds,
        tables=table_reports(event, rounds),
        participant_types=_participant_type_rows(event),
        organisations=_organisation_rows(event),
        figures=[figure for figure in organiser_figures(event) if figure.has_data],
        feedback=feedback_answers.summary(event),
        parts=part_counts(event),
    )


def _status_counts(event: Event) -> Counter:
    query = select(Attendee.status, func.count()).where(Attendee.event_id == event.id)
    return Counter(dict(db.session.execute(query.group_by(Attendee.status)).all()))


def _checked_in_count(event: Event) -> int:
    """Attendees whose check-in still stands (one at most each: a partial unique index)."""
    return db.session.scalar(
        select(func.count(CheckIn.id)).where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
    )


_CONFIRMED = func.sum(case((Attendee.status == AttendeeStatus.CONFIRMED, 1), else_=0))


def _confirmed_and_checked_in(event: Event, *columns):
    """(columns..., confirmed, checked in) per distinct value of `columns`."""
    return db.session.execute(
        select(*columns, _CONFIRMED, func.count(CheckIn.id))
        .select_from(Attendee)
        .outerjoin(Organisation, Organisation.id == Attendee.organisation_id)
        .outerjoin(CheckIn, (CheckIn.attendee_id == Attendee.id) & CheckIn.undone_at.is_(None))
        .where(Attendee.event_id == event.id)
        .group_by(*columns)
    ).all()


def _participant_type_rows(event: Event) -> list[tuple[str, int, int]]:
    """(label, confirmed, checked in) per participant type, the most confirmed first."""
    types, types_in = Counter(), Counter()
    for kind, confirmed, checked_in in _confirmed_and_checked_in(event, Attendee.participant_type):
        types[kind] += confirmed or 0
        types_in[kind] += checked_in
    return [
        (participant_type_name(kind), types[kind], types_in[kind])
        for kind in sorted(set(types) | set(types_in), key=lambda k: (-types[k], k))
        if types[kind] or types_in[kind]
    ]


def _organisation_rows(event: Event) -> list[tuple[str, int, int]]:
    """(name, confirmed, checked in) per organisation, the most confirmed first: the
    network's name when the person is linked to it, else what they typed (spaces tidied)."""
    organisations, organisations_in = Counter(), Counter()
    counted = _confirmed_and_checked_in(event, Organisation.name, Attendee.organisation_name)
    for linked_name, typed_name, confirmed, checked_in in counted:
        name = linked_name if linked_name is not None else " ".join((typed_name or "").split())
        if name:
            organisations[name] += confirmed or 0
            organisations_in[name] += checked_in
    names = sorted(organisations | organisations_in, key=lambda n: (-organisations[n], n.lower()))  # counted
    return [(name, organisations[name], organisations_in[name]) for name in names]


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
        *_registrations_markdown(report),
        "",
        *_parts_markdown(report.parts),
        *_attendance_markdown(report),
        "",
        "### " + _("Per participant type"),
        "",
        *_breakdown_markdown(_("Participant type"), report.participant_types),
        "",
        "### " + _("Organisations represented") + f" ({len(report.organisations)})",
        "",
        *_breakdown_markdown(_("Organisation"), report.organisations),
        "",
        *_figures_markdown(report.figures),
        *_feedback_markdown(report.feedback),
        "## " + _("Outcomes of the tables"),
    ]
    for table in report.tables:
        lines += ["", f"### {table.name}", "", *_table_outcomes_markdown(table)]
    return "\n".join(lines).rstrip() + "\n"


def _registrations_markdown(report: Report) -> list[str]:
    return [
        "## " + _("Registrations and attendance"),
        "",
        "| | " + _("People") + " |",
        "|---|---:|",
        "| " + _("Registrations") + f" | {report.registered} |",
        "| " + _("Confirmed") + f" | {report.status_counts['confirmed']} |",
        "| " + _("Waiting list") + f" | {report.status_counts['waitlisted']} |",
        "| " + _("Cancelled") + f" | {report.status_counts['cancelled']} |",
        "| " + _("Checked in at the desk") + f" | {report.checked_in} |",
    ]


def part_rows(parts: list[PartCount]) -> list[list]:
    """(part, expected, arrived) rows; a part without its own check-in counts the door. A part
    nobody is expected at nor came to has nothing to report (a day before registrations)."""
    return [
        [part.name if part.own_check_in else f"{part.name} ({_('at the door')})", part.expected, part.arrived]
        for part in parts
        if part.expected or part.arrived
    ]


def _parts_markdown(parts: list[PartCount]) -> list[str]:
    if not part_rows(parts):
        return []
    header = [_("Part of the day"), _("Expected"), _("Arrived")]
    return (
        ["### " + _("Per part of the day"), "", _table_row(header), "|---|---:|---:|"]
        + [_table_row(row) for row in part_rows(parts)]
        + [""]
    )


def _attendance_markdown(report: Report) -> list[str]:
    """Per table: assigned, assigned and checked in, present in each round and in any."""
    header = (
        [_("Table"), _("Assigned"), _("Assigned and checked in")]
        + [_("Present, round %(number)d", number=r) for r in report.rounds]
        + [_("Present in any round")]
    )
    lines = [
        "### " + _("Per table"),
        "",
        _table_row(header),
        "|---" + "|---:" * (3 + len(report.rounds)) + "|",
    ]
    for table in report.tables:
        cells = [table.name, table.assigned, table.checked_in_assigned]
        cells += [table.present_by_round.get(r, 0) for r in report.rounds] + [table.present_any_round]
        lines.append(_table_row(cells))
    return lines


def _breakdown_markdown(label: str, rows: list[tuple[str, int, int]]) -> list[str]:
    """A (label, confirmed, checked in) table."""
    return [_table_row([label, _("Confirmed"), _("Checked in")]), "|---|---:|---:|", *map(_table_row, rows)]


def _figures_markdown(figures: list[Figure]) -> list[str]:
    """Each figure's numbers as a table (the PDF draws them)."""
    if not figures:
        return []
    lines = ["## " + _("The day in figures"), ""]
    for figure in figures:
        lines += ["### " + figure.title, "", _table_row(figure.columns)]
        lines += ["|---" + "|---:" * (len(figure.columns) - 1) + "|"]
        lines += [_table_row([cell_text(cell) for cell in row]) for row in figure.rows]
        lines += ["", f"_{_text(figure.note)}_", ""] if figure.note else [""]
    return lines


def _feedback_markdown(summary: FeedbackSummary | None) -> list[str]:
    """The questionnaire's answers: per rating question how many gave each mark, per open one
    the answers as they were written (no one's name with them)."""
    if summary is None:
        return []
    lines = ["## " + _("Feedback after the day"), ""]
    lines += [
        _(
            "Questionnaires sent: %(invited)d · answered: %(answered)d",
            invited=summary.invited,
            answered=summary.answered,
        ),
        "",
    ]
    for question in summary.questions:
        lines += ["### " + _text(question.label), ""]
        if question.kind == "rating":
            lines += [_table_row([_("Rating"), 1, 2, 3, 4, 5, _("Average")]), "|---" + "|---:" * 6 + "|"]
            marks = [question.ratings.get(rating, 0) for rating in range(1, 6)]
            lines += [
                _table_row(
                    [_("Answers: %(count)d", count=question.answers), *marks, average_text(question.average)]
                )
            ]
        else:
            lines += [f"- {_multiline(text)}" for text in question.texts] or [
                "_" + _("No answers yet.") + "_"
            ]
        lines.append("")
    return lines


def _multiline(text: str) -> str:
    """A text of several lines as one list item of Markdown (its lines kept as line breaks)."""
    return "  \n  ".join(_text(line) for line in str(text).splitlines())


def average_text(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, format="0.0")


def _table_outcomes_markdown(table: TableReport) -> list[str]:
    lines = []
    if table.facilitators:
        lines += [_("Facilitators") + f": {_text(', '.join(table.facilitators))}", ""]
    if not table.sheets:
        lines += ["_" + _("No notes were taken at this table.") + "_"]
    for sheet in table.sheets:
        lines += _sheet_markdown(sheet)
    if table.photos:
        lines += ["#### " + _("Photos"), ""]
        lines += [
            f"- {round_title(photo.round)}: {_text(photo.caption or photo.path.name)} ({photo.path.name})"
            for photo in table.photos
        ]
    return lines


def _sheet_markdown(sheet: SheetOutcome) -> list[str]:
    lines = [f"#### {round_title(sheet.round)}", ""]
    for kind, values in sheet.items.items():
        lines += [f"**{KIND_LABELS[kind]}**", "", *(f"- {_text(value)}" for value in values), ""]
    if sheet.tags:
        lines += [_("Tags") + ": " + ", ".join(f"#{_text(tag)}" for tag in sheet.tags), ""]
    return lines


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
