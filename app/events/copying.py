"""New events that never overwrite another: one loaded from a file on the instance page, and
the copy of an event (its file with a new slug, name and date, and its staff).

load_event() updates the event a file's slug names; here the slug must be new. The check
comes first, for a friendly message, and again inside the transaction (load_event's
new_only, and the slug's unique constraint for two requests at once): an existing event is
never touched.
"""

import enum
from datetime import date, datetime, timedelta
from functools import partial

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.events.event_file import EventFileError, parse_event_file
from app.events.event_file_fields import SLUG_RE
from app.events.services import EventExists, event_files, load_event
from app.events.serving import RESERVED_SLUGS
from app.extensions import db
from app.models import CafeTable, Event, EventMembership, Organiser, TableFacilitator


class SlugRefusal(enum.Enum):
    INVALID = "invalid"
    RESERVED = "reserved"
    TAKEN = "taken"


SLUG_REFUSALS = {
    SlugRefusal.INVALID: _l(
        "Use lower-case letters, digits and dashes (at most 80), starting with a letter or digit."
    ),
    SlugRefusal.RESERVED: _l("This address is taken by the app's own pages: choose another."),
    SlugRefusal.TAKEN: _l("An event with this address exists already: choose another."),
}


class NewEventRefused(Exception):
    def __init__(self, reason: SlugRefusal):
        super().__init__(reason.value)
        self.reason = reason


def slug_refusal(slug: str) -> SlugRefusal | None:
    """Why ``slug`` cannot be a new event's address; None when it can."""
    if not SLUG_RE.fullmatch(slug or ""):
        return SlugRefusal.INVALID
    if slug in RESERVED_SLUGS:
        return SlugRefusal.RESERVED
    if db.session.execute(select(Event.id).filter_by(slug=slug)).first():
        return SlugRefusal.TAKEN
    return None


def load_new_event(text: str, filename: str, loaded_by: str, organiser: Organiser) -> Event:
    """Create the event a file describes, in ``organiser``'s group. Raises EventFileError
    (nothing changed) for a bad file, and for one whose slug is an existing event's."""
    spec = parse_event_file(text, filename)
    if slug_refusal(spec.slug) == SlugRefusal.TAKEN:
        raise EventFileError(filename, [(_slug_line(text), "slug", _taken_message(spec.slug))])
    try:
        return _load_as_new(text, filename, loaded_by, organiser, spec.slug)
    except NewEventRefused:  # created by another request a moment ago
        raise EventFileError(filename, [(_slug_line(text), "slug", _taken_message(spec.slug))]) from None


def copy_event(source: Event, slug: str, names: dict[str, str], date: date, by: str) -> Event:
    """A new event in ``source``'s group from its file in force, with this slug, name and
    date (registration dates moved as much as the day), and the same staff and table
    facilitators; no attendees, messages, notes or desk devices. One transaction.

    Raises NewEventRefused for a slug that cannot be used, EventFileError when the copied
    file would not load; nothing is written then."""
    refusal = slug_refusal(slug)
    if refusal is not None:
        raise NewEventRefused(refusal)
    files = event_files(source)
    if not files:
        raise EventFileError("event.yaml", [(1, "(file)", _l("this event has no file to copy"))])
    text = copied_file(files[0].text, slug, names, date, shift=date - source.date)
    copy_staff = partial(_copy_staff, source)
    return _load_as_new(text, f"{slug}.yaml", by, source.organiser_group, slug, also=copy_staff)


def copied_file(text: str, slug: str, names: dict[str, str], day: date, shift: timedelta) -> str:
    """The event file ``text`` with another slug, name and date, and its other dates (the
    registration window: the file's only other absolute dates) moved by ``shift``."""
    data = yaml.safe_load(text)
    data["slug"], data["name"], data["date"] = slug, dict(names), day
    registration = data.get("registration")
    if isinstance(registration, dict):
        for key in ("opens", "closes"):
            if registration.get(key) is not None:
                registration[key] = _shifted(registration[key], shift)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _shifted(value, shift: timedelta):
    """A date, or a local date and time as the file writes it ("2027-07-12 23:59"), moved."""
    if isinstance(value, datetime | date):
        return value + shift
    try:
        moment = datetime.fromisoformat(str(value).strip().replace(" ", "T"))
    except ValueError:
        return value  # not a date: the loader names the problem
    if len(str(value).strip()) == 10:  # a date alone
        return (moment + shift).date().isoformat()
    return (moment + shift).isoformat(sep=" ", timespec="minutes")


def _copy_staff(source: Event, new: Event) -> None:
    members = db.session.scalars(select(EventMembership.user_id).filter_by(event_id=source.id)).all()
    for user_id in members:
        db.session.add(EventMembership(user_id=user_id, event_id=new.id))
    new_tables = {table.key: table.id for table in new.tables}
    facilitators = db.session.execute(
        select(CafeTable.key, TableFacilitator.user_id)
        .join(TableFacilitator, TableFacilitator.cafe_table_id == CafeTable.id)
        .filter(CafeTable.event_id == source.id)
    ).all()
    for key, user_id in facilitators:
        if key in new_tables:
            db.session.add(TableFacilitator(cafe_table_id=new_tables[key], user_id=user_id))


def _load_as_new(text, filename, loaded_by, organiser, slug, also=None) -> Event:
    """load_event() for a new event only: NewEventRefused (nothing written) when the slug is
    an existing event's, also one created by another request a moment ago; ``also(new)``
    writes in the same transaction."""
    try:
        return load_event(
            text, filename, loaded_by=loaded_by, slug=slug, organiser=organiser, new_only=True, also=also
        )
    except EventExists:
        raise NewEventRefused(SlugRefusal.TAKEN) from None


def _taken_message(slug: str):
    return _l(
        "an event with the slug '%(slug)s' exists already: update it from that event's Event file page",
        slug=slug,
    )


def _slug_line(text: str) -> int:
    """The line of the file's top-level ``slug`` (the file has been parsed: it is YAML)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    for key, _value in getattr(root, "value", []):
        if getattr(key, "value", None) == "slug":
            return key.start_mark.line + 1
    return 1
