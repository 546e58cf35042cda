"""The day in figures: each figure a small table of counts, counted by the database.

Every figure is a Figure: its columns and rows are what its chart draws (charts.py), what the
open data exports (app/results/open_data.py) and what the tests check against the database.
``organiser_figures`` gives them exactly; figures_public.py only what no one can be picked
out of.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Integer, and_, case, distinct, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.checkin.badges import participant_type_name
from app.extensions import db
from app.facilitation.attendance import attendance_rounds
from app.models import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    CafeTable,
    CheckIn,
    DayPart,
    Event,
    Organisation,
    PartStatus,
    SeatAssignment,
    TableAttendance,
    localized,
)
from app.worldcafe.services import published_run_id

SLOT_MINUTES = 10
TOP_ORGANISATIONS = 10
SMALLEST_PUBLIC_GROUP = 5  # a count of 1 to 4 is never shown to the public
HIDDEN = "<5"  # how a hidden count reads


@dataclass
class Figure:
    key: str  # "arrivals", "participant_types", "organisations", "day_parts", "table_fill", ...
    title: str  # in the current locale
    columns: list[str]  # the column names, in the current locale
    rows: list[tuple] = field(default_factory=list)  # None in a count: fewer than 5 (public)
    column_keys: list[str] = field(default_factory=list)  # stable names for CSV/JSON
    note: str = ""  # how to read it, in the current locale
    marks: list[tuple[str, str]] = field(default_factory=list)  # arrivals: (HH:MM, programme item)

    @property
    def has_data(self) -> bool:
        """Whether any count is above zero (capacities aside): else there is nothing to draw."""
        counted = [i for i, key in enumerate(self.column_keys) if key not in LABEL_KEYS]
        return any(row[i] is None or row[i] > 0 for row in self.rows for i in counted)

    @property
    def has_hidden(self) -> bool:
        """Whether a count is hidden (public figures: fewer than 5)."""
        return any(cell is None for row in self.rows for cell in row)


# Columns that name or measure a row rather than count its people.
LABEL_KEYS = {
    "from",
    "to",
    "participant_type",
    "organisation",
    "day_part",
    "table",
    "round",
    "capacity",
    "language",
}


# ---- SQL pieces -------------------------------------------------------------------------------


class _ten_minute_slot(FunctionElement):
    """The 10-minute slot of a naive UTC timestamp: seconds since 1970 // 600, an integer."""

    type = Integer()
    inherit_cache = True


@compiles(_ten_minute_slot, "sqlite")
def _slot_sqlite(element, compiler, **kw):
    moment = compiler.process(element.clauses, **kw)
    return f"(CAST(round((julianday({moment}) - 2440587.5) * 86400) AS INTEGER) / {SLOT_MINUTES * 60})"


@compiles(_ten_minute_slot, "postgresql")
def _slot_postgresql(element, compiler, **kw):
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(floor(extract(epoch from {moment}) / {SLOT_MINUTES * 60}) AS INTEGER)"


def _in_force():
    """Join condition: the attendee's check-in that still stands (at most one, by a unique index)."""
    return and_(CheckIn.attendee_id == Attendee.id, CheckIn.undone_at.is_(None))


_confirmed = case((Attendee.status == AttendeeStatus.CONFIRMED, 1), else_=0)


def _organisation_name():
    """The network's name for the person's organisation, else what they typed."""
    return func.coalesce(Organisation.name, Attendee.organisation_name)


def _tidy(name: str | None) -> str:
    return " ".join((name or "").split())


# ---- The figures ------------------------------------------------------------------------------


def _arrivals_day(event: Event) -> tuple[datetime, datetime] | None:
    """The local day of the latest check-in in force (the event's day, unless the desk is
    still rehearsing), as naive UTC bounds; None before anyone arrived."""
    latest = db.session.scalar(
        select(func.max(CheckIn.checked_in_at)).where(
            CheckIn.event_id == event.id, CheckIn.undone_at.is_(None)
        )
    )
    if latest is None:
        return None
    zone = ZoneInfo(event.timezone)
    day = latest.replace(tzinfo=UTC).astimezone(zone).date()
    start = datetime.combine(day, time(0), zone).astimezone(UTC).replace(tzinfo=None)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC).replace(
        tzinfo=None
    )


def arrivals(event: Event) -> Figure:
    """Check-ins in force per 10 minutes of the day of arrivals, in the event's local time, gaps
    shown as 0; with the programme's items. Slots are cut in UTC and named in local time: the
    same cut wherever the offset is a multiple of 10 minutes (every zone but a few, e.g. Nepal)."""
    day = _arrivals_day(event)
    rows = []
    if day is not None:
        slot = _ten_minute_slot(CheckIn.checked_in_at)
        query = select(slot, func.count(CheckIn.id)).where(
            CheckIn.event_id == event.id,
            CheckIn.undone_at.is_(None),
            CheckIn.checked_in_at >= day[0],
            CheckIn.checked_in_at < day[1],
        )
        counts = dict(db.session.execute(query.group_by(slot)).all())
        zone = ZoneInfo(event.timezone)
        for number in range(min(counts), max(counts) + 1):
            start = datetime.fromtimestamp(number * SLOT_MINUTES * 60, UTC).astimezone(zone)
            end = start + timedelta(minutes=SLOT_MINUTES)
            rows.append((f"{start:%H:%M}", f"{end:%H:%M}", counts.get(number, 0)))
    marks = [(f"{item.starts_at:%H:%M}", localized(item.title)) for item in event.programme]
    return Figure(
        key="arrivals",
        title=_("Arrivals at the desk, every 10 minutes"),
        columns=[_("From"), _("Until"), _("Arrivals")],
        column_keys=["from", "to", "arrivals"],
        rows=rows,
        note=_("Check-ins that still stand, by the time of the scan (local time)."),
        marks=marks,
    )


def participant_types(event: Event) -> Figure:
    """Confirmed registrations and arrivals per participant type, the most registered first."""
    query = (
        select(Attendee.participant_type, func.sum(_confirmed), func.count(CheckIn.id))
        .select_from(Attendee)
        .outerjoin(CheckIn, _in_force())
        .where(Attendee.event_id == event.id)
        .group_by(Attendee.participant_type)
    )
    counts = [
        (kind, int(registered or 0), arrived) for kind, registered, arrived in db.session.execute(query)
    ]
    rows = [
        (participant_type_name(kind), registered, arrived)
        for kind, registered, arrived in sorted(counts, key=lambda c: (-c[1], -c[2], c[0]))
        if registered or arrived
    ]
    return Figure(
        key="participant_types",
        title=_("Registered and arrived, by participant type"),
        columns=[_("Participant type"), _("Registrations"), _("Arrivals")],
        column_keys=["participant_type", "registered", "arrived"],
        rows=rows,
        note=_("Registrations: the confirmed ones. Arrivals: people checked in at the desk."),
    )


def arrived_by_organisation(event: Event) -> dict[str, int]:
    """Arrived people per organisation name (tidied, one spelling per name whatever its case)."""
    name = _organisation_name()
    query = (
        select(name, func.count(CheckIn.id))
        .select_from(Attendee)
        .join(CheckIn, _in_force())
        .outerjoin(Organisation, Organisation.id == Attendee.organisation_id)
        .where(Attendee.event_id == event.id)
        .group_by(name)
    )
    return _merge_spellings(db.session.execute(query).all())


def _merge_spellings(counted) -> dict[str, int]:
    """{name: count} from (name, count) rows, names told apart by their letters, not their
    case or spaces; nameless rows left out."""
    spellings: dict[str, str] = {}
    totals: dict[str, int] = {}
    for raw, count in sorted(counted, key=lambda row: _tidy(row[0])):
        name = _tidy(raw)
        if name:
            spelling = spellings.setdefault(name.casefold(), name)
            totals[spelling] = totals.get(spelling, 0) + count
    return totals


def _most_first(counts: dict[str, int]) -> list[str]:
    return sorted(counts, key=lambda name: (-counts[name], name.casefold(), name))


def organisations(event: Event, top: int = TOP_ORGANISATIONS) -> Figure:
    """Arrived people by organisation: the `top` ones, then all the others in one row."""
    return organisations_figure(arrived_by_organisation(event), top)


def organisations_figure(counts: dict[str, int], top: int) -> Figure:
    names = _most_first(counts)
    rows = [(name, counts[name]) for name in names[:top]]
    if names[top:]:
        rows.append((_("Other organisations"), sum(counts[name] for name in names[top:])))
    return Figure(
        key="organisations",
        title=_("Arrived, by organisation"),
        columns=[_("Organisation"), _("Arrivals")],
        column_keys=["organisation", "arrived"],
        rows=rows,
        note=_("People checked in at the desk; those who named no organisation are not counted here."),
    )


def day_parts(event: Event) -> Figure:
    """Per day part: confirmed in it (with a confirmed registration), of them arrived, no-shows."""
    query = (
        select(DayPart.id, func.count(AttendeePart.id), func.count(CheckIn.id))
        .select_from(AttendeePart)
        .join(Attendee, Attendee.id == AttendeePart.attendee_id)
        .join(DayPart, DayPart.id == AttendeePart.day_part_id)
        .outerjoin(CheckIn, _in_force())
        .where(
            Attendee.event_id == event.id,
            Attendee.status == AttendeeStatus.CONFIRMED,
            AttendeePart.status == PartStatus.CONFIRMED,
        )
        .group_by(DayPart.id)
    )
    counts = {part_id: (registered, arrived) for part_id, registered, arrived in db.session.execute(query)}
    rows = []
    for part in event.day_parts:
        registered, arrived = counts.get(part.id, (0, 0))
        rows.append((part.display_name, registered, arrived, registered - arrived))
    return Figure(
        key="day_parts",
        title=_("Registered and arrived, by part of the day"),
        columns=[_("Part of the day"), _("Registrations"), _("Arrivals"), _("Did not come")],
        column_keys=["day_part", "registered", "arrived", "no_shows"],
        rows=rows,
        note=_("Arrivals: people checked in at the desk, of those registered for that part."),
    )


def table_fill(event: Event) -> Figure:
    """Per table and round: its seats, those the published assignment filled (confirmed people)
    and those its facilitators marked present, whoever they were."""
    run = published_run_id(event.id)
    seated = select(SeatAssignment.cafe_table_id, SeatAssignment.round, func.count(SeatAssignment.id))
    seated = seated.join(Attendee, Attendee.id == SeatAssignment.attendee_id).where(
        SeatAssignment.run_id == run, Attendee.status == AttendeeStatus.CONFIRMED
    )
    seated = dict(_by_table_and_round(seated.group_by(SeatAssignment.cafe_table_id, SeatAssignment.round)))
    present = select(TableAttendance.cafe_table_id, TableAttendance.round, func.count(TableAttendance.id))
    present = present.join(CafeTable, CafeTable.id == TableAttendance.cafe_table_id).where(
        CafeTable.event_id == event.id, TableAttendance.present.is_(True)
    )
    present = dict(
        _by_table_and_round(present.group_by(TableAttendance.cafe_table_id, TableAttendance.round))
    )
    rows = [
        (
            table.display_name,
            round,
            table.capacity,
            seated.get((table.id, round), 0),
            present.get((table.id, round), 0),
        )
        for table in event.tables
        for round in attendance_rounds(event)
    ]
    return Figure(
        key="table_fill",
        title=_("Each table's seats per round: seated by the published assignment, and present"),
        columns=[_("Table"), _("Round"), _("Seats"), _("Seated"), _("Present")],
        column_keys=["table", "round", "capacity", "seated", "present"],
        rows=rows,
        note=_("Present: ticked or scanned at the table by its facilitator."),
    )


def _by_table_and_round(query):
    return (((table_id, round), count) for table_id, round, count in db.session.execute(query))


def language_name(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name(str(get_locale() or "it")) or code
    except (ValueError, UnknownLocaleError):
        return code


def languages(event: Event) -> Figure:
    """Confirmed registrations and arrivals per language, the most registered first."""
    query = (
        select(Attendee.language, func.sum(_confirmed), func.count(CheckIn.id))
        .select_from(Attendee)
        .outerjoin(CheckIn, _in_force())
        .where(Attendee.event_id == event.id)
        .group_by(Attendee.language)
    )
    counts = [
        (code, int(registered or 0), arrived) for code, registered, arrived in db.session.execute(query)
    ]
    rows = [
        (language_name(code), registered, arrived)
        for code, registered, arrived in sorted(counts, key=lambda c: (-c[1], -c[2], c[0]))
        if registered or arrived
    ]
    return Figure(
        key="languages",
        title=_("Registered and arrived, by language"),
        columns=[_("Language"), _("Registrations"), _("Arrivals")],
        column_keys=["language", "registered", "arrived"],
        rows=rows,
        note=_("The language each person chose for the app's messages."),
    )


def _network_counts(event: Event) -> dict[str, dict[int, int]]:
    """{organisation: {table id: arrived people of it seated there in any round}}."""
    name = _organisation_name()
    query = (
        select(name, SeatAssignment.cafe_table_id, func.count(distinct(Attendee.id)))
        .select_from(SeatAssignment)
        .join(Attendee, Attendee.id == SeatAssignment.attendee_id)
        .join(CheckIn, _in_force())
        .outerjoin(Organisation, Organisation.id == Attendee.organisation_id)
        .where(
            SeatAssignment.run_id == published_run_id(event.id),
            SeatAssignment.cafe_table_id.is_not(None),
            Attendee.status == AttendeeStatus.CONFIRMED,
        )
        .group_by(name, SeatAssignment.cafe_table_id)
    )
    cells: dict[str, dict[int, int]] = {}
    spellings: dict[str, str] = {}
    for raw, table_id, count in sorted(db.session.execute(query).all(), key=lambda r: (_tidy(r[0]), r[1])):
        if _tidy(raw):
            spelling = spellings.setdefault(_tidy(raw).casefold(), _tidy(raw))
            row = cells.setdefault(spelling, {})
            row[table_id] = row.get(table_id, 0) + count
    return cells


def network(event: Event, top: int = TOP_ORGANISATIONS) -> Figure:
    """Organisations (the `top` by people at the tables, the others in one row) against the
    tables their arrived people were seated at by the published assignment."""
    cells = _network_counts(event)
    totals = {name: sum(row.values()) for name, row in cells.items()}
    names = _most_first(totals)
    rows = [(name, *(cells[name].get(t.id, 0) for t in event.tables)) for name in names[:top]]
    if names[top:]:
        rows.append(
            (
                _("Other organisations"),
                *(sum(cells[n].get(t.id, 0) for n in names[top:]) for t in event.tables),
            )
        )
    return Figure(
        key="network",
        title=_("The network at the tables: organisations and the tables their people joined"),
        columns=[_("Organisation")] + [t.display_name for t in event.tables],
        column_keys=["organisation"] + [t.key for t in event.tables],
        rows=rows,
        note=_("People checked in, at the tables the published assignment gave them, in any round."),
    )


def organiser_figures(event: Event) -> list[Figure]:
    """Every figure, exact, for the organisers' page and the report."""
    return [
        arrivals(event),
        participant_types(event),
        organisations(event),
        day_parts(event),
        table_fill(event),
        languages(event),
        network(event),
    ]


def cell_text(value) -> str:
    """A count as the tables show it: "<5" for one hidden."""
    return HIDDEN if value is None else str(value)
