"""The desk's forms: a walk-in's short registration, and a desk device's name (admins)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from app.core.forms import AppForm
from app.models import Event
from app.registration.forms import EventChoicesForm, RegistrationForm, strip


class WalkInForm(EventChoicesForm):
    """The desk's short form: who, how to reach them, and what they need today."""

    first_name = RegistrationForm.first_name
    last_name = RegistrationForm.last_name
    email = RegistrationForm.email
    organisation = RegistrationForm.organisation
    participant_type = RegistrationForm.participant_type
    day_parts = RegistrationForm.day_parts
    dietary_needs = RegistrationForm.dietary_needs
    accessibility_needs = RegistrationForm.accessibility_needs
    language = RegistrationForm.language
    consent_privacy = BooleanField(
        _l("The person has read the privacy notice and agrees."),
        [DataRequired(_l("We need the person's consent to the privacy notice to register them."))],
    )
    consent_photos = RegistrationForm.consent_photos
    desk_name = HiddenField()

    def __init__(self, event: Event, *args, **kwargs):
        super().__init__(event, *args, **kwargs)
        if not self.is_submitted():
            self.day_parts.data = [part.id for part in event.day_parts]


class DeskDeviceForm(AppForm):
    name = StringField(
        _l("Desk name"),
        [DataRequired(_l("Give the desk a name, such as Desk 2.")), Length(max=60)],
        filters=[strip],
    )
