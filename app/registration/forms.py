"""The registration form, shared by new registrations and the attendee's own edits."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.checkin.badges import PARTICIPANT_TYPE_LABELS as PARTICIPANT_TYPES
from app.core.forms import AppForm
from app.models import FIXED_FIELDS, DayPartKind, Event, localized
from app.registration.attendee_details import RegistrationData
from app.registration.question_fields import answers_from, fill_answers, question_fields, with_questions

LANGUAGE_NAMES = {"it": "Italiano", "en": "English"}


def strip(value):
    return value.strip() if isinstance(value, str) else value


# Invisible characters that could change what the desk reads (a name printed backwards) or
# hide in a name: bidi embeddings, overrides and isolates, marks, and zero-width characters.
_BIDI_AND_ZERO_WIDTH = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x200B, 0x2060, 0xFEFF]
)
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ, ZWJ


def clean_name(value):
    """strip, without bidi controls and zero-width characters. The joiners (ZWJ, ZWNJ) stay
    between two characters beyond Latin, Greek and Cyrillic (U+0590 on: Persian, Indic
    scripts, emoji sequences such as 👩‍🔬), where they change how a name is written; elsewhere
    they could only hide in it."""
    if not isinstance(value, str):
        return value
    text = value.translate(_BIDI_AND_ZERO_WIDTH)
    kept = [
        char
        for index, char in enumerate(text)
        if char not in _JOINERS or _joins(text[index - 1 : index], text[index + 1 : index + 2])
    ]
    return "".join(kept).strip()


def _joins(before: str, after: str) -> bool:
    return all(char and not char.isspace() and ord(char) >= 0x590 for char in (before, after))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def normalise_email(form, field):
    """Validate the address's form (not its mailbox) and store it normalised, lower case."""
    try:
        field.data = validate_email(field.data or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError(_l("Enter a valid e-mail address, such as name@example.org.")) from None


def at_least_one(form, field):
    # Not DataRequired: that would mark every checkbox "required" in the HTML.
    if not field.data:
        raise ValidationError(_l("Choose at least one part of the day."))


class EventChoicesForm(AppForm):
    """A sign-up form (online, or the desk's walk-in form) whose choices come from the
    event: how one takes part, the parts of the day, the languages of our messages."""

    def __init__(self, event: Event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        for name in FIXED_FIELDS:  # the event file's ``fields:`` may switch them off
            if not event.asks(name) and name in self:
                del self[name]  # the attribute becomes None: templates test for it
        if self.participant_type is not None:
            self.participant_type.choices = [("", _l("Choose..."))] + [
                (value.value, label) for value, label in PARTICIPANT_TYPES.items()
            ]
        self.day_parts.choices = [(part.id, localized(part.name)) for part in event.day_parts]
        self.language.choices = [(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in event.languages]
        if not self.is_submitted():  # an edit form fills in the attendee's own after this
            self.language.data = page_language(event)


def page_language(event: Event) -> str:
    """The language the page is read in, when the event writes in it, else its first."""
    locale = str(get_locale() or "")
    return locale if locale in event.languages else event.languages[0]


class RegistrationForm(EventChoicesForm):
    first_name = StringField(
        _l("First name"),
        [DataRequired(_l("Enter your first name.")), Length(max=100)],
        filters=[clean_name],
    )
    last_name = StringField(
        _l("Last name"),
        [DataRequired(_l("Enter your last name.")), Length(max=100)],
        filters=[clean_name],
    )
    email = EmailField(
        _l("E-mail"),
        [DataRequired(_l("Enter your e-mail address.")), Length(max=254), normalise_email],
        filters=[strip],
    )
    phone = TelField(
        _l("Phone (optional)"),
        [
            Optional(),
            Regexp(r"^\+?[0-9 ()./-]{6,30}$", message=_l("Enter a phone number, such as +39 030 123456.")),
        ],
        filters=[strip],
    )
    organisation = StringField(
        _l("Organisation"),
        [Optional(), Length(max=200)],
        filters=[clean_name],
        description=_l("Choose from the network's members or type its name."),
    )
    participant_type = SelectField(
        _l("I take part as"), [InputRequired(_l("Choose how you take part."))], validate_choice=True
    )
    day_parts = MultiCheckboxField(
        _l("Which parts of the day will you attend?"),
        [at_least_one],
        coerce=int,
    )
    choice_1 = SelectField(_l("First choice"), [Optional()])
    choice_2 = SelectField(_l("Second choice"), [Optional()])
    choice_3 = SelectField(_l("Third choice"), [Optional()])
    dietary_needs = TextAreaField(
        _l("Dietary needs and allergies"),
        [Optional(), Length(max=500)],
        filters=[strip],
        description=_l("Only if you come to lunch."),
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility needs"),
        [Optional(), Length(max=500)],
        filters=[strip],
        description=_l(
            "Tell us what would help you take part: step-free access, "
            "a sign-language interpreter, a seat near the front..."
        ),
    )
    language = RadioField(_l("Preferred language for our messages"), default="it")
    consent_privacy = BooleanField(
        _l("I have read the privacy notice and agree to the processing of my data for this event."),
        [DataRequired(_l("We need your consent to the privacy notice to register you."))],
    )
    consent_photos = BooleanField(_l("I agree to appear in photos and videos of the day (optional)."))
    consent_name_public = BooleanField(
        _l("I agree that my name may appear in the results of the day published online (optional).")
    )

    def __init__(self, event: Event, *args, **kwargs):
        super().__init__(event, *args, **kwargs)
        self.places_left = {}  # free places per day part id, set by the view before showing
        table_choices = [("", _l("No preference"))] + [
            (str(table.id), localized(table.name)) for table in event.tables
        ]
        for field in self.choice_fields:
            field.choices = table_choices

    @property
    def question_fields(self) -> list:
        """The event's own questions, for the template (question_fields.py builds them)."""
        return question_fields(self)

    @property
    def choice_fields(self):
        return [self.choice_1, self.choice_2, self.choice_3]

    def chose(self, kind: DayPartKind) -> bool:
        ids = {part.id for part in self.event.day_parts if part.kind == kind}
        return bool(ids & set(self.day_parts.data or []))

    def ranked_table_ids(self) -> list[int]:
        return [int(field.data) for field in self.choice_fields if field.data]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.event.tables and self.chose(DayPartKind.WORLD_CAFE):
            if not self.choice_1.data:
                self.choice_1.errors.append(_l("Choose the table you would most like to join."))
                valid = False
            seen = set()
            for position, field in enumerate(self.choice_fields):
                if field.data and position > 0 and not self.choice_fields[position - 1].data:
                    field.errors.append(_l("Fill in the choices in order, starting from the first."))
                    valid = False
                elif field.data and field.data in seen:
                    field.errors.append(_l("You already chose this table: pick a different one."))
                    valid = False
                seen.add(field.data)
        return valid


def registration_data(form) -> RegistrationData:
    """What the attendee typed, for the registration service (the walk-in form asks less)."""

    def value(name, default=None):
        field = getattr(form, name, None)
        return field.data if field is not None else default

    # A fixed field the event switched off is None: not asked (apply_details keeps the row's).
    return RegistrationData(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        phone=value("phone"),
        organisation_name=value("organisation"),
        participant_type=value("participant_type"),
        day_part_ids=form.day_parts.data,
        table_ids=form.ranked_table_ids() if hasattr(form, "ranked_table_ids") else [],
        dietary_needs=value("dietary_needs"),
        accessibility_needs=value("accessibility_needs"),
        language=form.language.data,
        consent_photos=form.consent_photos.data,
        consent_name_public=value("consent_name_public", False),
        answers=answers_from(form),
    )


def registration_form(event: Event, *args, **kwargs) -> "RegistrationForm":
    """The sign-up form of this event: the fixed fields it asks and its own questions."""
    return with_questions(RegistrationForm, event)(event, *args, **kwargs)


def edit_registration_form(event: Event, *args, **kwargs) -> "EditRegistrationForm":
    """The attendee's own edit form (their personal link), with the event's questions."""
    return with_questions(EditRegistrationForm, event)(event, *args, **kwargs)


class EditRegistrationForm(RegistrationForm):
    consent_privacy = None  # given at registration, recorded with its time and version

    def __init__(self, event: Event, *args, email_required: bool = True, **kwargs):
        super().__init__(event, *args, **kwargs)
        if not email_required:
            # A walk-in registered at the desk without an e-mail: one may be added, or not.
            self.email.validators = [Optional(), Length(max=254), normalise_email]
            self.email.flags.required = False
            self.email.data = self.email.data or None

    def fill_from(self, attendee) -> None:
        """What the attendee told us so far, for them to change."""
        self.first_name.data = attendee.first_name
        self.last_name.data = attendee.last_name
        self.email.data = attendee.email
        self.phone.data = attendee.phone
        self.day_parts.data = [part.day_part_id for part in attendee.parts]
        for field, preference in zip(self.choice_fields, attendee.preferences, strict=False):
            field.data = str(preference.cafe_table_id)
        for name in FIXED_FIELDS:
            if name in self:
                self[name].data = getattr(attendee, "organisation_name" if name == "organisation" else name)
        fill_answers(self, attendee)
        self.language.data = attendee.language
        self.consent_photos.data = attendee.consent_photos
        self.consent_name_public.data = attendee.consent_name_public


class EmailOnlyForm(AppForm):
    email = EmailField(
        _l("E-mail"),
        [DataRequired(_l("Enter your e-mail address.")), Length(max=254), normalise_email],
        filters=[strip],
    )


class CancelForThemForm(AppForm):
    """An organiser cancels someone's registration: a ticked box, so no stray click does it."""

    confirm = BooleanField(
        _l("Yes, cancel this registration"), [DataRequired(_l("Tick the box to confirm."))]
    )


class ReinstateForm(AppForm):
    """An organiser takes someone's cancellation back: a ticked box, and why (for the audit log)."""

    confirm = BooleanField(
        _l("Yes, take this cancellation back"), [DataRequired(_l("Tick the box to confirm."))]
    )
    reason = StringField(
        _l("Why (optional, kept in the audit log)"), [Optional(), Length(max=200)], filters=[strip]
    )
