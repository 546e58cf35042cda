"""Read and validate an event data file (YAML), reporting each problem with its line.

The file is read node by node (event_file_reader), its fields (event_file_fields) and its
lists (event_file_lists) each by their own function, into an EventSpec (event_file_spec).
Validation is written by hand rather than with pydantic: each problem must name its line
in the file and read in the reader's language, and pydantic's errors give a path in its
own English words.
"""

from __future__ import annotations

import yaml
from flask_babel import lazy_gettext as _l

from app.events import event_file_fields as fields
from app.events import event_file_lists as lists
from app.events import event_file_questions as questions
from app.events import event_file_results as results
from app.events.event_file_reader import NodeReader
from app.events.event_file_spec import DayPartSpec, EventFileError, EventSpec, ProgrammeSpec, TableSpec

__all__ = ["DayPartSpec", "EventFileError", "EventSpec", "ProgrammeSpec", "TableSpec", "parse_event_file"]


def parse_event_file(text: str, filename: str = "<event file>") -> EventSpec:
    """Parse and validate; raises EventFileError naming every bad field and its line."""
    root = _compose(text, filename)
    r = NodeReader()
    spec = _read_event(r, root)
    if r.problems:
        raise EventFileError(filename, sorted(r.problems))
    return spec


def _compose(text: str, filename: str):
    """The file's YAML node tree; a file that is not YAML, or is empty, is refused here."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = _l("not valid YAML: %(problem)s", problem=str(getattr(error, "problem", error)))
        raise EventFileError(filename, [(line, "(syntax)", problem)]) from None
    if root is None:
        raise EventFileError(filename, [(1, "(file)", _l("the file is empty"))])
    return root


def _read_event(r: NodeReader, root) -> EventSpec:
    top = r.mapping(root, "(file)") or {}
    fields.check_known_fields(r, top)
    languages = fields.read_languages(r, top, root)
    timezone, tz = fields.read_timezone(r, top, root)
    venue_name, venue_address = fields.read_venue(r, top, root)
    opens, closes = fields.read_registration_window(r, top, tz)
    day_parts = lists.read_day_parts(r, top, languages)
    cafe_rounds, cafe_rotation = lists.read_world_cafe(r, top)
    return EventSpec(
        slug=fields.read_slug(r, top, root),
        name=r.localized(r.require(top, "name", root, "name"), "name", languages, one_line=True) or {},
        short_name=r.localized(top.get("short_name"), "short_name", languages, 100, one_line=True),
        tagline=r.localized(top.get("tagline"), "tagline", languages),
        description=r.localized(top.get("description"), "description", languages, 5000),
        organiser=r.text(top.get("organiser"), "organiser", one_line=True),
        contact_email=fields.read_contact_email(r, top),
        venue_name=venue_name,
        venue_address=venue_address,
        date=r.date(r.require(top, "date", root, "date"), "date"),
        timezone=timezone,
        languages=languages,
        capacity=r.integer(top.get("capacity"), "capacity"),
        privacy_version=r.text(top.get("privacy_version"), "privacy_version") or "1",
        registration_opens_at=opens,
        registration_closes_at=closes,
        cafe_rounds=cafe_rounds,
        cafe_rotation=cafe_rotation,
        exit_scans=r.boolean(top.get("exit_scans"), "exit_scans", default=False),
        programme=lists.read_programme(r, top, languages),
        day_parts=day_parts,
        tables=lists.read_tables(r, top, languages, day_parts),
        organisations=lists.read_organisations(r, top),
        feedback=results.read_feedback(r, top, languages),
        open_data=results.read_open_data(r, top),
        questions=questions.read_questions(r, top, languages),
        fixed_fields=questions.read_fixed_fields(r, top),
        group_registration=fields.read_group_registration(r, top),
    )
