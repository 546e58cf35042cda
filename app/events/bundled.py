"""The bundled event file that `make run` loads at every start: loaded into a database
without its event, or when the file changed on disk since it was last loaded; never over
the file an organiser loaded since (from the admin page), which would be lost silently."""

import enum
from pathlib import PurePath

from sqlalchemy import select
from werkzeug.utils import secure_filename

from app.events.event_file import parse_event_file
from app.events.services import COMMAND_LINE, event_files, load_event
from app.extensions import db
from app.models import Event, EventFile


class BundledLoad(enum.Enum):
    NEW = "new"  # no event with the file's slug: loaded
    CHANGED = "changed"  # the file is not the one last loaded from it: loaded
    UNCHANGED = "unchanged"  # the file in force is this very text: nothing to do
    EDITED = "edited"  # another file was loaded since this one (an organiser's edit): kept


def load_unless_edited(path: str, organiser=None) -> tuple[BundledLoad, Event, EventFile | None]:
    """Load the file at ``path`` unless that would replace a file loaded since it.

    Returns what was done, the event, and the file in force before (None for a new event).
    Raises EventFileError and changes nothing when the file is not valid."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    slug = parse_event_file(text, path).slug
    event = db.session.execute(select(Event).filter_by(slug=slug)).scalar_one_or_none()
    if event is None:
        return BundledLoad.NEW, load_event(text, path, organiser=organiser), None
    files = event_files(event)
    in_force = files[0] if files else None
    if in_force is not None and in_force.text == text:
        return BundledLoad.UNCHANGED, event, in_force
    last_from_path = _last_loaded_from(files, path)
    if in_force is not None and (last_from_path is None or last_from_path.text == text):
        # Another file was loaded since this one (or the event never had this one): keep it.
        return BundledLoad.EDITED, event, in_force
    return BundledLoad.CHANGED, load_event(text, path), in_force


def _last_loaded_from(files: list[EventFile], path: str) -> EventFile | None:
    """The last file the command line loaded under this file's name (names are kept sanitised)."""
    name = secure_filename(PurePath(path).name)[:200]
    return next((f for f in files if f.loaded_by == COMMAND_LINE and f.filename == name), None)
