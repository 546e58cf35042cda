"""The base of every form of the app: what the database cannot store is refused by the field,
with a message, and the form shows again with what was typed."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import StopValidation

from app.core.db_limits import DB_INT_MAX, NUL, contains_nul

SHOWN_INSTEAD_OF_NUL = "\ufffd"  # the replacement character, where the refused one was


def storable(form, field):
    """Every field's first validator. It stops the others: they may look the value up."""
    if contains_nul(field.raw_data):
        field.raw_data = [_visible(value) for value in field.raw_data]
        field.data = (
            [_visible(v) for v in field.data] if isinstance(field.data, list) else _visible(field.data)
        )
        raise StopValidation(
            _l("This field holds a character that cannot be saved (shown as �): delete it and try again.")
        )
    if isinstance(field, IntegerField) and isinstance(field.data, int) and abs(field.data) > DB_INT_MAX:
        raise StopValidation(_l("Enter a smaller number."))


def _visible(value):
    return value.replace(NUL, SHOWN_INSTEAD_OF_NUL) if isinstance(value, str) else value


class AppForm(FlaskForm):
    """FlaskForm (CSRF included) whose every field first checks that its value can be stored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            field.validators = [storable, *field.validators]


class ConfirmForm(AppForm):
    """A button that changes something: CSRF-protected, nothing else."""
