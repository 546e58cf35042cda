"""The organisers' view of attendees: search, filters and the CSV export, with who came
(check-in time and desk) and the published world café table."""

import csv
import enum
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from app.checkin.arrivals import one_per_round
from app.extensions import db
from app.models import Attendee, AttendeePart, CheckIn, Event, TablePreference, localized
from app.registration import answers, attendee_search
from app.worldcafe.services import load_published_seats, published_seats


class Attendance(enum.StrEnum):
    ARRIVED = "arrived"  # a check-in in force
    NOT_YET = "not_yet"  # never checked in
    UNDONE = "undone"  # checked in, then undone, and no check-in in force


@dataclass
class AttendeeFilter:
    search: str = ""
    status: str = ""
    day_part_id: int | None = None
    table_id: int | None = None
    organisation: str = ""
    attendance: str = ""  # an Attendance value, or "" for anyone
    answer: str = ""  # "question_key=option_key": who gave that answer; "" for anyone
    group_id: int | None = None  # the people one contact registered together (groups.py)

    def answer_filter(self, event: Event) -> tuple[dict, str] | None:
        """(question, option key) of the answer filter, when it names one of the event's."""
        key, _, option = self.answer.partition("=")
        for question in answers.filterable_questions(event):
            if question["key"] == key and option in dict(answers.options_of(question)):
                return question, option
        return None


def attendee_query(event: Event, filters: AttendeeFilter):
    query = (
        select(Attendee)
        .where(Attendee.event_id == event.id)
        .options(
            selectinload(Attendee.parts).selectinload(AttendeePart.day_part),
            selectinload(Attendee.preferences).selectinload(TablePreference.cafe_table),
            selectinload(Attendee.check_ins),
            selectinload(Attendee.answers),
            selectinload(Attendee.group),
        )
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id)
    )
    if filters.search.strip():
        query = query.where(attendee_search.holds_text(filters.search.strip()))
    if filters.status:
        query = query.where(Attendee.status == filters.status)
    if filters.day_part_id:
        query = query.where(Attendee.parts.any(AttendeePart.day_part_id == filters.day_part_id))
    if filters.table_id:
        query = query.where(Attendee.preferences.any(TablePreference.cafe_table_id == filters.table_id))
    if filters.organisation:
        query = query.where(attendee_search.organisation_holds(filters.organisation))
    if filters.group_id is not None:  # the query stays within the event: another's group lists nobody
        query = query.where(Attendee.group_id == filters.group_id)
    if filters.attendance in set(Attendance):
        query = query.where(_attendance_is(Attendance(filters.attendance)))
    if filters.answer and (answer := filters.answer_filter(event)):
        query = query.where(answers.answered_with(*answer))
    return query


def _attendance_is(attendance: Attendance):
    in_force = exists().where(CheckIn.attendee_id == Attendee.id, CheckIn.undone_at.is_(None))
    any_check_in = exists().where(CheckIn.attendee_id == Attendee.id)
    if attendance is Attendance.ARRIVED:
        return in_force
    if attendance is Attendance.UNDONE:
        return any_check_in & ~in_force
    return ~any_check_in


# A typed search (name, e-mail, organisation) counts this many people at most: it is for
# finding someone, and past a few hundred the organiser types more. Counting all 30,000
# who hold "auser" read every one of them; the filters chosen from lists (status, part,
# table, arrival, answer) still count everyone, as organisers count with them.
COUNTED_AT_MOST = 1000


@dataclass
class ListPage:
    """One page of the list: its lines, and how many the filters select in all."""

    lines: list["ListedAttendee"]
    number: int
    per_page: int
    total: int  # everyone selected, or COUNTED_AT_MOST when `more`
    more: bool  # a typed search holding more than COUNTED_AT_MOST people
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        """How many pages in all; None when not counted (more)."""
        return None if self.more else max(1, -(-self.total // self.per_page))

    @property
    def prev_num(self) -> int:
        return self.number - 1

    @property
    def next_num(self) -> int:
        return self.number + 1


def attendee_page(event: Event, filters: AttendeeFilter, number: int, per_page: int) -> ListPage | None:
    """Page `number` of the list the filters select, by name; None for a page past the last."""
    query = attendee_query(event, filters)
    typed = bool(filters.search.strip() or filters.organisation)
    counted = query.order_by(None).limit(COUNTED_AT_MOST + 1) if typed else query.order_by(None)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    attendees = db.session.scalars(query.limit(per_page + 1).offset((number - 1) * per_page)).all()
    if number > 1 and not attendees:
        return None
    more = total > COUNTED_AT_MOST and typed
    return ListPage(
        lines=listed(attendees[:per_page]),
        number=number,
        per_page=per_page,
        total=COUNTED_AT_MOST if more else total,
        more=more,
        has_next=len(attendees) > per_page,
    )


@dataclass
class ListedAttendee:
    """One line of the list: the attendee, whether they came, and their published tables."""

    attendee: Attendee
    attendance: Attendance
    check_in: CheckIn | None  # the one in force
    table_of_round: dict[int, str] = field(default_factory=dict)  # published seats, by round

    @property
    def tables(self) -> list[str]:
        """What the page shows: one per round, or one for all (see one_per_round)."""
        return one_per_round([self.table_of_round[n] for n in sorted(self.table_of_round)])


def listed(attendees: list[Attendee]) -> list[ListedAttendee]:
    """The lines of these attendees (check-ins loaded with them, seats in one query)."""
    load_published_seats(attendees)
    lines = []
    for attendee in attendees:
        in_force = next((c for c in attendee.check_ins if c.undone_at is None), None)
        if in_force is not None:
            attendance = Attendance.ARRIVED
        else:
            attendance = Attendance.UNDONE if attendee.check_ins else Attendance.NOT_YET
        tables = {s.round: localized(s.cafe_table.name) for s in published_seats(attendee) if s.cafe_table}
        lines.append(ListedAttendee(attendee, attendance, in_force, tables))
    return lines


CSV_COLUMNS = [
    "id", "status", "first_name", "last_name", "email", "phone", "organisation",
    "participant_type", "day_parts", "choice_1", "choice_2", "choice_3", "dietary_needs",
    "accessibility_needs", "language", "consent_photos", "consent_name_public",
    "registered_at ({zone})",
    "checked_in", "checked_in_at ({zone})", "check_in_desk",
]  # fmt: skip
CHECKED_IN = {Attendance.ARRIVED: "yes", Attendance.NOT_YET: "no", Attendance.UNDONE: "undone"}


def safe_cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


# The fixed fields' columns; a field the event file switches off has none (the data held
# from before the switch stays in the attendee's own data export).
FIXED_FIELD_COLUMNS = {
    "organisation": "organisation",
    "participant_type": "participant_type",
    "dietary_needs": "dietary_needs",
    "accessibility_needs": "accessibility_needs",
}


def _columns(event: Event) -> list[str]:
    switched_off = {column for name, column in FIXED_FIELD_COLUMNS.items() if not event.asks(name)}
    return [column for column in CSV_COLUMNS if column not in switched_off]


def csv_header(event: Event) -> list[str]:
    """The columns; times are the event's local time, its zone named in their headers. Then
    the world café's tables, then one column per question of the event (answers.csv_columns)."""
    fixed = [column.format(zone=event.timezone) for column in _columns(event)]
    return fixed + _table_columns(event) + answers.csv_columns(event)


def _table_columns(event: Event) -> list[str]:
    """One column per round when people change table between rounds, else one."""
    if event.cafe_rounds > 1 and event.cafe_rotation != "stay":
        return [f"world_cafe_table_round_{n}" for n in range(1, event.cafe_rounds + 1)]
    return ["world_cafe_table"]


CSV_BATCH = 500  # attendees read, and written out, at a time: memory stays bounded


def attendees_csv(event: Event, filters: AttendeeFilter) -> Iterator[str]:
    """The CSV in pieces of CSV_BATCH attendees, for a streamed answer: however many people,
    only one batch is in memory. UTF-8 with a byte-order mark and semicolons: Excel with
    Italian settings opens it as is."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(csv_header(event))
    yield _taken(out)
    rounds = range(1, event.cafe_rounds + 1) if len(_table_columns(event)) > 1 else range(1, 2)
    kept = [index for index, column in enumerate(CSV_COLUMNS) if column in _columns(event)]
    removed_keys = answers.removed_keys(event)
    query = attendee_query(event, filters).execution_options(yield_per=CSV_BATCH)
    for batch in db.session.scalars(query).partitions():
        for line in listed(batch):
            row = [*_registration_cells(event, line.attendee), *_attendance_cells(event, line)]
            row = [row[index] for index in kept]
            row += [line.table_of_round.get(n, "") for n in rounds]
            row += answers.csv_cells(event, line.attendee, removed_keys)
            writer.writerow([safe_cell(value) for value in row])
        yield _taken(out)


def _taken(out: io.StringIO) -> str:
    """What was written to `out` since the last call, and `out` emptied."""
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


def _registration_cells(event: Event, attendee: Attendee) -> list:
    choices = [localized(p.cafe_table.name) for p in attendee.preferences] + ["", "", ""]
    parts = ", ".join(
        localized(p.day_part.name) + (" (waiting list)" if p.status == "waitlisted" else "")
        for p in attendee.parts
    )
    return [
        attendee.id, attendee.status, attendee.first_name, attendee.last_name, attendee.email,
        attendee.phone, attendee.organisation_name, attendee.participant_type, parts,
        *choices[:3], attendee.dietary_needs, attendee.accessibility_needs, attendee.language,
        "yes" if attendee.consent_photos else "no", "yes" if attendee.consent_name_public else "no",
        local_moment(event, attendee.created_at),
    ]  # fmt: skip


def _attendance_cells(event: Event, line: ListedAttendee) -> list:
    check_in = line.check_in
    if check_in is None:
        return [CHECKED_IN[line.attendance], "", ""]
    return [CHECKED_IN[line.attendance], local_moment(event, check_in.checked_in_at), check_in.desk_name]


def local_moment(event: Event, moment: datetime) -> str:
    """A stored moment (naive UTC) as the event's local date and time."""
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(event.timezone))
    return local.strftime("%Y-%m-%d %H:%M")
