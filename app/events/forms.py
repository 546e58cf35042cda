"""The organisers' form for the event's data file."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize

from app.core.forms import AppForm

MAX_EVENT_FILE_BYTES = 256 * 1024  # the bundled MO.CA file is 8 KB


class EventFileForm(AppForm):
    file = FileField(
        _l("Event file (YAML)"),
        [
            FileRequired(_l("Choose the event file.")),
            FileAllowed(["yaml", "yml"], _l("Choose a .yaml file.")),
            FileSize(
                MAX_EVENT_FILE_BYTES, message=_l("The file is too large for an event file (256 KB at most).")
            ),
        ],
    )
