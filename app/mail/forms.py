"""The organisers' announcement form: one subject and text per event language."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from app.core.forms import AppForm
from app.mail.announcements import AnnouncementText
from app.mail.headers import has_control_characters
from app.models import Audience, Event
from app.registration.forms import LANGUAGE_NAMES, strip

AUDIENCE_LABELS = {
    Audience.CONFIRMED: _l("Everyone with a place"),
    Audience.WITH_WAITING_LIST: _l("Everyone with a place, and those on the waiting list"),
    Audience.CHECKED_IN: _l("Those who came (checked in at a desk)"),
}


class AnnouncementForm(AppForm):
    audience = RadioField(_l("Send to"), [InputRequired()], default=Audience.CONFIRMED.value)
    greeting = BooleanField(
        _l("Start with “Dear (first name),”"),
        default=True,
        description=_l("Untick it when your text starts with a greeting of its own."),
    )
    # Made when the form is first shown: sending the same form twice sends once.
    request_id = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])

    def text(self) -> AnnouncementText:
        return AnnouncementText(
            subject={lang: field.data for lang, field in self.subject_fields()},
            body={lang: field.data for lang, field in self.body_fields()},
            greeting=self.greeting.data,
        )

    def subject_fields(self):
        return [(lang, self[f"subject_{lang}"]) for lang in self.languages]

    def body_fields(self):
        return [(lang, self[f"body_{lang}"]) for lang in self.languages]


def one_line_subject(form, field):
    """The subject becomes a mail header, where a line break would end it."""
    if has_control_characters(field.data):
        raise ValidationError(_("Write the subject on one line, without line breaks or control characters."))


def announcement_form(event: Event, counts: dict[Audience, int]) -> AnnouncementForm:
    """The form for this event's languages: the first is required, the others fall back to it."""

    class Form(AnnouncementForm):
        languages = list(event.languages)

    for position, lang in enumerate(event.languages):
        language = LANGUAGE_NAMES.get(lang, lang)
        if position == 0:
            subject_check = DataRequired(_("Write the subject in %(language)s.", language=language))
            body_check = DataRequired(_("Write the text in %(language)s.", language=language))
            hint = None
        else:
            subject_check = body_check = Optional()
            hint = _("Optional: if empty, people who chose %(language)s get the first.", language=language)
        subject = StringField(
            _("Subject (%(language)s)", language=language),
            [subject_check, Length(max=200), one_line_subject],
            filters=[strip],
        )
        body = TextAreaField(
            _("Text (%(language)s)", language=language),
            [body_check, Length(max=5000)],
            filters=[strip],
            description=hint,
        )
        setattr(Form, f"subject_{lang}", subject)
        setattr(Form, f"body_{lang}", body)
    form = Form()
    form.audience.choices = [
        (audience.value, f"{AUDIENCE_LABELS[audience]} ({counts[audience]})") for audience in Audience
    ]
    return form


class ReminderConfirmForm(AppForm):
    """The confirmation of the reminder: the fingerprint of the list of people shown."""

    plan = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{16}$")])
