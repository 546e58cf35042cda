"""Forms of the facilitators' pages and of the admin's facilitator assignments."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import AppForm
from app.models import localized


class PhotoForm(AppForm):
    """A photo of the tablecloth or flipchart; the file itself is checked by the service."""

    photo = FileField(_l("Photo"), validators=[FileRequired(_l("Choose a photo."))])
    round = SelectField(_l("Round"), coerce=int)
    caption = StringField(_l("Caption (optional)"), validators=[Optional(), Length(max=300)])

    def __init__(self, round_titles: list[tuple[int, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.round.choices = round_titles


class AssignFacilitatorForm(AppForm):
    user_id = SelectField(_l("Facilitator"), coerce=int, validators=[DataRequired()])
    table_id = SelectField(_l("Table"), coerce=int, validators=[DataRequired()])

    def __init__(self, candidates, tables, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [(user.id, f"{user.name} ({user.email})") for user in candidates]
        self.table_id.choices = [(table.id, localized(table.name)) for table in tables]
