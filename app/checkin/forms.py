"""The desk's forms: a walk-in's short registration, and a desk device's name (admins)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.core.forms import AppForm
from app.models import Event
from app.registration.forms import (
    EventChoicesForm,
    MultiCheckboxField,
    RegistrationForm,
    at_least_one,
    clean_name,
    normalise_email,
    strip,
)


def none_if_empty(value):
    """An e-mail left empty is no e-mail (None), never an empty or invented address."""
    return value or None


class WalkInForm(EventChoicesForm):
    """The desk's short form, in the operator's words: who the person is, how to reach them
    if they have an e-mail, and what they need today."""

    first_name = StringField(
        _l("Person's first name"),
        [DataRequired(_l("Enter the person's first name.")), Length(max=100)],
        filters=[clean_name],
    )
    last_name = StringField(
        _l("Person's last name"),
        [DataRequired(_l("Enter the person's last name.")), Length(max=100)],
        filters=[clean_name],
    )
    email = EmailField(
        _l("Person's e-mail, if they have one"),
        [Optional(), Length(max=254), normalise_email],
        filters=[strip, none_if_empty],
        description=_l("Without one they get no e-mails: print their badge here, or simply check them in."),
    )
    organisation = StringField(
        _l("Their organisation"),
        [Optional(), Length(max=200)],
        filters=[clean_name],
        description=RegistrationForm.organisation.kwargs["description"],
    )
    participant_type = SelectField(
        _l("They take part as"), [InputRequired(_l("Choose how they take part."))], validate_choice=True
    )
    day_parts = MultiCheckboxField(_l("Which parts of the day will they attend?"), [at_least_one], coerce=int)
    dietary_needs = TextAreaField(
        _l("Their dietary needs and allergies"),
        [Optional(), Length(max=500)],
        filters=[strip],
        description=_l("Only if they come to lunch."),
    )
    accessibility_needs = TextAreaField(
        _l("Their accessibility needs"),
        [Optional(), Length(max=500)],
        filters=[strip],
        description=_l("What would help them take part: step-free access, a seat near the front..."),
    )
    language = RadioField(_l("Language of their messages and badge"), default="it")
    consent_privacy = BooleanField(
        _l("The person has read the privacy notice and agrees."),
        [DataRequired(_l("We need the person's consent to the privacy notice to register them."))],
    )
    consent_photos = BooleanField(
        _l("The person agrees to appear in photos and videos of the day (optional).")
    )
    consent_name_public = BooleanField(
        _l(
            "The person agrees that their name may appear in the results of the day published online "
            "(optional)."
        )
    )
    desk_name = HiddenField()

    def __init__(self, event: Event, *args, **kwargs):
        super().__init__(event, *args, **kwargs)
        if not self.is_submitted():
            self.day_parts.data = [part.id for part in event.day_parts]


class AdmitOverCapacityForm(AppForm):
    """An organiser lets a waiting walk-in in although the day (or a part) is full."""

    desk_name = HiddenField()


class DeskDeviceForm(AppForm):
    name = StringField(
        _l("Desk name"),
        [DataRequired(_l("Give the desk a name, such as Desk 2.")), Length(max=60)],
        filters=[strip],
    )
