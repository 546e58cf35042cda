"""The organisers' form for the event's data file."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.core.forms import AppForm
from app.events import organisers
from app.events.copying import SLUG_REFUSALS, slug_refusal
from app.events.event_file_fields import SLUG_RE
from app.registration.forms import LANGUAGE_NAMES, normalise_email, strip

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


# The instance page (instance administrators). Several forms share the page: their fields
# have names of their own, so that their ids differ too.


class GroupForm(AppForm):
    group_name = StringField(
        _l("Name of the group"),
        [DataRequired(_l("Enter the group's name.")), Length(max=200)],
        filters=[strip],
    )
    group_slug = StringField(
        _l("Short name for addresses (optional)"),
        [
            Optional(),
            Length(max=80),
            Regexp(SLUG_RE, message=_l("Use lower-case letters, digits and dashes.")),
        ],
        filters=[strip, lambda value: value or None],
        description=_l("Lower-case letters, digits and dashes; made from the name when left empty."),
    )

    def validate(self, extra_validators=None) -> bool:
        # Here rather than as validate_group_slug: an empty slug stops that one (Optional),
        # and the slug made from the name must be free too.
        if not super().validate(extra_validators):
            return False
        slug = self.group_slug.data or organisers.slug_for(self.group_name.data)
        if organisers.group_with_slug(slug):
            field = self.group_slug if self.group_slug.data else self.group_name
            field.errors.append(_l("A group with the short name %(slug)s exists already.", slug=slug))
            return False
        return True


class NewEventForm(AppForm):
    event_group = SelectField(_l("Organiser group"), [DataRequired(_l("Choose the group."))], coerce=int)
    event_file = FileField(_l("Event file (YAML)"), EventFileForm.file.args[1])

    def __init__(self, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_group.choices = [(group.id, group.name) for group in groups]


class GroupOrganiserForm(AppForm):
    organiser_event = SelectField(_l("Event"), [DataRequired(_l("Choose the event."))], coerce=int)
    organiser_name = StringField(
        _l("Name"), [DataRequired(_l("Enter their name.")), Length(max=200)], filters=[strip]
    )
    organiser_email = EmailField(
        _l("E-mail"),
        [DataRequired(_l("Enter their e-mail address.")), Length(max=254), normalise_email],
        filters=[strip],
    )
    organiser_language = SelectField(_l("Language of their e-mails"), [DataRequired()])

    def __init__(self, groups_with_events, *args, **kwargs):
        """groups_with_events: [(group, its events)], the events grouped in the list."""
        super().__init__(*args, **kwargs)
        self.organiser_event.choices = {
            group.name: [(event.id, f"{event.display_name} · {event.date.isoformat()}") for event in events]
            for group, events in groups_with_events
            if events
        }
        self.organiser_language.choices = list(LANGUAGE_NAMES.items())


class CopyEventForm(AppForm):
    """The copy of an event: its address, its name in each of the event's languages (one
    field each, made by copy_event_form()) and its date."""

    slug = StringField(
        _l("Address of the new event"),
        [DataRequired(_l("Enter the new event's address."))],
        filters=[strip],
        description=_l("Lower-case letters, digits and dashes, as in %(example)s.", example="brescia-2028"),
    )
    date = DateField(_l("Date of the new event"), [DataRequired(_l("Enter the new event's date."))])

    def validate_slug(self, field):
        refusal = slug_refusal(field.data or "")
        if refusal is not None:
            raise ValidationError(SLUG_REFUSALS[refusal])

    def names(self) -> dict[str, str]:
        return {
            field.name.removeprefix("name_"): field.data for field in self if field.name.startswith("name_")
        }


def copy_event_form(event, *args, **kwargs) -> CopyEventForm:
    """The copy form for ``event``: a name field per language, the source's name as a hint."""

    class Form(CopyEventForm):
        pass

    for language in event.languages or ["it"]:
        label = _l("Name in %(language)s", language=LANGUAGE_NAMES.get(language, language))
        field = StringField(label, [DataRequired(_l("Enter the name.")), Length(max=200)], filters=[strip])
        setattr(Form, f"name_{language}", field)
    return Form(*args, **kwargs)
