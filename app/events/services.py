"""Load an event from its data file into the database, and find the event being served.

Every file loaded is kept as written (EventFile), so the organisers can download the
current one, edit it, and load it again from the admin pages, or go back to an earlier one.
"""

from collections.abc import Callable
from pathlib import PurePath

from flask import abort, current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import secure_filename

from app.events import organisers
from app.events.event_file import (
    DayPartSpec,
    EventFileError,
    EventSpec,
    ProgrammeSpec,
    TableSpec,
    parse_event_file,
)
from app.extensions import db
from app.mail import schedule_update
from app.models import (
    AttendeePart,
    CafeTable,
    DayPart,
    Event,
    EventFile,
    Organisation,
    Organiser,
    ProgrammeItem,
    TablePreference,
)
from app.registration.places import confirmed_in_part

COMMAND_LINE = "command line"


class EventExists(Exception):
    """A file meant for a new event names an existing one (load_event(new_only=True))."""


def load_event_file(path: str, organiser: Organiser | None = None) -> Event:
    with open(path, encoding="utf-8") as handle:
        return load_event(handle.read(), path, organiser=organiser)


def events_of_group(group: Organiser) -> list[Event]:
    return db.session.scalars(
        select(Event).filter_by(organiser_id=group.id).order_by(Event.date.desc(), Event.id.desc())
    ).all()


def load_event(
    text: str,
    filename: str = "<event file>",
    loaded_by: str = COMMAND_LINE,
    slug: str | None = None,
    organiser: Organiser | None = None,
    new_only: bool = False,
    also: Callable[[Event], None] | None = None,
) -> Event:
    """Create or update the event in place (matched by slug) in one transaction, and keep
    the file; other events are untouched. slug: refuse a file for any other event (the
    admin page updates the event it serves). organiser: the group a new event belongs to
    (default_group() when not given); an existing event stays in its own group.
    new_only: raise EventExists (nothing changed) rather than update an existing event, also
    when another request creates it at the same moment. also(event): more to write in the
    same transaction (a copy's staff).

    Raises EventFileError and changes nothing when the file is not valid.
    """
    spec = parse_event_file(text, filename)
    if slug is not None and spec.slug != slug:
        message = _l(
            "this file is for the event '%(file_slug)s'; this page updates '%(slug)s'",
            file_slug=spec.slug,
            slug=slug,
        )
        raise EventFileError(filename, [(1, "slug", message)])
    try:
        event = _apply(spec, filename, organiser, new_only)
        if also is not None:
            db.session.flush()
            also(event)
        schedule_update.note_file_loaded(event)
        # A plain ASCII name: it goes back out in a download's Content-Disposition.
        name = secure_filename(PurePath(filename).name)[:200] or "event.yaml"
        event.files.append(EventFile(filename=name, text=text, loaded_by=loaded_by))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if new_only:  # the slug was taken by another request in between
            raise EventExists(spec.slug) from None
        raise
    except Exception:
        db.session.rollback()
        raise
    return event


def _apply(spec: EventSpec, filename: str, organiser: Organiser | None, new_only: bool = False) -> Event:
    event = _event_with_slug(spec, organiser, new_only)
    _copy_event_fields(event, spec)
    _sync_programme(event, spec.programme)
    problems = _sync_day_parts(event, spec.day_parts)
    problems += _sync_tables(event, spec.tables)
    _sync_organisations(event, spec.organisations)
    if problems:
        raise EventFileError(filename, sorted(problems))
    return event


def _event_with_slug(spec: EventSpec, organiser: Organiser | None, new_only: bool = False) -> Event:
    """The event to update, or a new one in the session, in its organiser group."""
    event = db.session.execute(select(Event).filter_by(slug=spec.slug)).scalar_one_or_none()
    if event is not None and new_only:
        raise EventExists(spec.slug)
    if event is None:
        event = Event(slug=spec.slug, organiser_group=organiser or organisers.default_group(spec.organiser))
        db.session.add(event)
    return event


def _copy_event_fields(event: Event, spec: EventSpec) -> None:
    for name in (
        "name", "short_name", "tagline", "description", "organiser", "contact_email", "venue_name",
        "venue_address", "date", "timezone", "languages", "capacity", "privacy_version",
        "registration_opens_at", "registration_closes_at", "cafe_rounds", "cafe_rotation",
        "exit_scans", "feedback", "open_data", "questions", "fixed_fields", "group_registration",
    ):  # fmt: skip
        setattr(event, name, getattr(spec, name))


def _sync_programme(event: Event, specs: list[ProgrammeSpec]) -> None:
    # The programme has no keys of its own: items are matched by position.
    for position, item_spec in enumerate(specs):
        item = event.programme[position] if position < len(event.programme) else None
        if item is None:
            item = ProgrammeItem(position=position)
            event.programme.append(item)
        item.starts_at, item.ends_at = item_spec.starts_at, item_spec.ends_at
        item.title, item.speaker = item_spec.title, item_spec.speaker
        item.description = item_spec.description
    del event.programme[len(specs) :]


def _sync_day_parts(event: Event, specs: list[DayPartSpec]) -> list[tuple[int, str, str]]:
    """Matched by key; returns the problems (a part in use removed, a capacity too low)."""
    problems = _sync_keyed(event.day_parts, specs, DayPart, _part_in_use)
    for position, part_spec in enumerate(specs):
        part = _by_key(event.day_parts, part_spec.key) or DayPart(key=part_spec.key)
        if part.id is None:
            event.day_parts.append(part)
        elif part_spec.capacity is not None:
            problems += _capacity_below_confirmed(part, part_spec, position)
        part.kind, part.name, part.capacity = part_spec.kind, part_spec.name, part_spec.capacity
        part.starts_at, part.ends_at, part.position = part_spec.starts_at, part_spec.ends_at, position
        part.check_in = part_spec.check_in
    return problems


def _capacity_below_confirmed(part: DayPart, part_spec: DayPartSpec, position: int) -> list:
    """A problem when the new capacity would leave out people already confirmed."""
    taken = confirmed_in_part(part.id)
    if taken <= part_spec.capacity:
        return []
    message = _l(
        "%(capacity)d is below the %(taken)d places already confirmed",
        capacity=part_spec.capacity,
        taken=taken,
    )
    return [(part_spec.line, f"day_parts[{position + 1}].capacity", message)]


def _sync_tables(event: Event, specs: list[TableSpec]) -> list[tuple[int, str, str]]:
    """Matched by key; returns the problems (a table attendees chose removed)."""
    problems = _sync_keyed(event.tables, specs, CafeTable, _table_in_use)
    for position, table_spec in enumerate(specs):
        table = _by_key(event.tables, table_spec.key) or CafeTable(key=table_spec.key)
        if table.id is None:
            event.tables.append(table)
        table.name, table.description = table_spec.name, table_spec.description
        table.capacity, table.accessible = table_spec.capacity, table_spec.accessible
        table.small_tables = table_spec.small_tables
        table.position = position
    return problems


def _sync_organisations(event: Event, organisations: list[tuple[str, str]]) -> None:
    """Matched by name."""
    existing = {org.name: org for org in event.organisations}
    for name, kind in organisations:
        org = existing.pop(name, None) or Organisation(name=name)
        if org.id is None:
            event.organisations.append(org)
        org.kind = kind
    for org in existing.values():  # attendees keep the name they typed
        event.organisations.remove(org)


def _by_key(items, key):
    return next((item for item in items if item.key == key), None)


def _sync_keyed(items, specs, model, in_use) -> list[tuple[int, str, str]]:
    """Remove rows whose key left the file, unless attendees depend on them (a problem)."""
    keys = {spec.key for spec in specs}
    problems = []
    for item in list(items):
        if item.key not in keys:
            if in_use(item.id):
                problems.append(
                    (1, f"{model.__tablename__}.{item.key}",
                     _l("was removed from the file but attendees have chosen it"))
                )  # fmt: skip
            else:
                items.remove(item)
    return problems


def _part_in_use(part_id: int) -> bool:
    return bool(
        db.session.scalar(select(func.count()).select_from(AttendeePart).filter_by(day_part_id=part_id))
    )


def _table_in_use(table_id: int) -> bool:
    return bool(
        db.session.scalar(select(func.count()).select_from(TablePreference).filter_by(cafe_table_id=table_id))
    )


def event_files(event: Event) -> list[EventFile]:
    """The files loaded for the event, the one in force first."""
    return db.session.scalars(
        select(EventFile).filter_by(event_id=event.id).order_by(EventFile.id.desc())
    ).all()


def default_event() -> Event | None:
    """The event of the command line and of links made before events had their own
    address: EVENT_SLUG, else the one with the latest date."""
    slug = current_app.config.get("EVENT_SLUG")
    query = select(Event)
    query = query.filter_by(slug=slug) if slug else query.order_by(Event.date.desc(), Event.id.desc())
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def current_event() -> Event | None:
    """The event being served: in a request, the one the URL names (/<event-slug>/...,
    app/events/serving.py), None on the instance's own pages; outside one, default_event()."""
    if has_request_context():
        return g.get("event")
    return default_event()


def current_event_or_404() -> Event:
    """For views: the event being served, or a 404 page when none is loaded."""
    event = current_event()
    if event is None:
        abort(404)
    return event


def of_served_event_or_404(model, row_id: int):
    """For views of the pages that serve one event (the organisers', the desk's): the row of
    ``model`` (one with an ``event_id``) with this id when it is the served event's, else a
    404 page, as for an id that does not exist."""
    event = current_event_or_404()
    return db.first_or_404(select(model).filter_by(id=row_id, event_id=event.id))
