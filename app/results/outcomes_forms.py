"""The organisers' forms for a table's outcomes: the text in each language of the event, and
a photo picked for the public page. Fields per language are added when the form is built."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from app.core.forms import AppForm
from app.registration.forms import LANGUAGE_NAMES
from app.results.outcomes import TEXT_MAX_CHARS
from app.results.outcomes_photos import CAPTION_MAX_CHARS


class OutcomeForm(AppForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    save = SubmitField(_l("Save"))
    publish = SubmitField(_l("Save and publish"))

    def text_fields(self):
        return [field for field in self if field.name.startswith("text_")]

    def texts(self) -> dict[str, str]:
        return {field.name.removeprefix("text_"): field.data or "" for field in self.text_fields()}


def outcome_form(languages: list[str], **kwargs) -> OutcomeForm:
    """The form with one text box per language of the event."""

    class Form(OutcomeForm):
        pass

    for language in languages:
        label = _l("Text for the public (%(language)s)", language=LANGUAGE_NAMES.get(language, language))
        setattr(Form, f"text_{language}", TextAreaField(label, [Optional(), Length(max=TEXT_MAX_CHARS)]))
    return Form(**kwargs)


class PickPhotoForm(AppForm):
    everyone_agreed = BooleanField(
        _l("Everyone recognisable in this photo agreed to photos."),
        [DataRequired(_l("Tick the box once you have checked that everyone in the photo agreed."))],
    )

    def caption_fields(self):
        return [field for field in self if field.name.startswith("caption_")]

    def captions(self) -> dict[str, str]:
        return {field.name.removeprefix("caption_"): field.data or "" for field in self.caption_fields()}


def pick_photo_form(languages: list[str], **kwargs) -> PickPhotoForm:
    """The form with one caption per language of the event."""

    class Form(PickPhotoForm):
        pass

    for language in languages:
        label = _l("Caption (%(language)s)", language=LANGUAGE_NAMES.get(language, language))
        setattr(Form, f"caption_{language}", StringField(label, [Optional(), Length(max=CAPTION_MAX_CHARS)]))
    return Form(**kwargs)
