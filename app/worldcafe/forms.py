"""Organisers' say over one attendee's world café seat."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from app.core.forms import AppForm


class PlacementForm(AppForm):
    """Organisers' say over the world café: a pinned table, an accessible table."""

    pinned_table_id = SelectField(_l("Always seat at"), coerce=int)
    needs_accessible_table = BooleanField(_l("Needs an accessible table"))
