"""The group form: a contact, then one row per person (their own name, optional own
e-mail, own day parts and world café choices). "Add a row" sends the form back with one
more row, so it works without JavaScript and nothing typed is lost; blank rows are skipped."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, FieldList, Form, FormField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.checkin.badges import PARTICIPANT_TYPE_LABELS as PARTICIPANT_TYPES
from app.core.forms import AppForm, storable
from app.models import DayPartKind, Event, localized
from app.registration.attendee_details import RegistrationData
from app.registration.forms import (
    LANGUAGE_NAMES,
    MultiCheckboxField,
    clean_name,
    normalise_email,
    page_language,
    strip,
)
from app.registration.groups import Contact

FIRST_ROWS = 3  # rows shown on a fresh form


def optional_email(form, field):
    if field.data:
        normalise_email(form, field)
    else:
        field.data = None


class MemberForm(Form):
    """One person of the group (no CSRF of its own: the group form's covers it)."""

    first_name = StringField(_l("First name"), [storable, Length(max=100)], filters=[clean_name])
    last_name = StringField(_l("Last name"), [storable, Length(max=100)], filters=[clean_name])
    email = EmailField(
        _l("E-mail (optional)"),
        [storable, Length(max=254), optional_email],
        filters=[strip],
        description=_l("Without one, their badge and link are sent to you."),
    )
    participant_type = SelectField(_l("Takes part as"), [Optional()], validate_choice=False)
    day_parts = MultiCheckboxField(_l("Parts of the day"), coerce=int)
    choice_1 = SelectField(_l("World café: first choice"), [Optional()])
    choice_2 = SelectField(_l("Second choice"), [Optional()])
    choice_3 = SelectField(_l("Third choice"), [Optional()])
    dietary_needs = StringField(
        _l("Dietary needs (optional)"), [storable, Optional(), Length(max=500)], filters=[strip]
    )
    accessibility_needs = StringField(
        _l("Accessibility needs (optional)"), [storable, Optional(), Length(max=500)], filters=[strip]
    )

    def is_blank(self) -> bool:
        return not (self.first_name.data or self.last_name.data or self.email.data)

    @property
    def choice_fields(self):
        return [self.choice_1, self.choice_2, self.choice_3]


class GroupRegistrationForm(AppForm):
    contact_name = StringField(
        _l("Your name"), [DataRequired(_l("Enter your name.")), Length(max=200)], filters=[clean_name]
    )
    contact_email = EmailField(
        _l("Your e-mail"),
        [DataRequired(_l("Enter your e-mail address.")), Length(max=254), normalise_email],
        filters=[strip],
        description=_l("We send you the group's page, where you can add, change or cancel people."),
    )
    organisation = StringField(
        _l("Organisation"),
        [Optional(), Length(max=200)],
        filters=[clean_name],
        description=_l("Choose from the network's members or type its name."),
    )
    language = RadioField(_l("Language of our messages"), default="it")
    members = FieldList(FormField(MemberForm), min_entries=FIRST_ROWS)
    consent_privacy = BooleanField(
        _l(
            "The people I register know it and have read the privacy notice; I agree to the "
            "processing of these data for this event."
        ),
        [DataRequired(_l("We need this consent to register these people."))],
    )

    def __init__(self, event: Event, *args, rows: int | None = None, contact_fields: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if not contact_fields:  # adding people to an existing group: its contact is known
            for name in ("contact_name", "contact_email", "organisation", "language", "consent_privacy"):
                del self[name]
        elif not event.asks("organisation"):
            del self["organisation"]
        if self.language is not None:
            self.language.choices = [(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in event.languages]
            if not self.is_submitted():
                self.language.data = page_language(event)
        while len(self.members.entries) < min(rows or 0, event.group_max_size):
            self.members.append_entry()
        for entry in self.members:
            self._set_choices(entry.form)

    def _set_choices(self, member: MemberForm) -> None:
        event = self.event
        member.day_parts.choices = [(part.id, localized(part.name)) for part in event.day_parts]
        if not self.is_submitted():
            member.day_parts.data = [part.id for part in event.day_parts]  # the whole day, unless changed
        if event.asks("participant_type"):
            member.participant_type.choices = [("", _l("Choose..."))] + [
                (value.value, label) for value, label in PARTICIPANT_TYPES.items()
            ]
        else:
            del member["participant_type"]
        for name in ("dietary_needs", "accessibility_needs"):
            if not event.asks(name):
                del member[name]
        tables = [("", _l("No preference"))] + [(str(t.id), localized(t.name)) for t in event.tables]
        for field in member.choice_fields:
            field.choices = tables

    def can_add_row(self) -> bool:
        return len(self.members.entries) < self.event.group_max_size

    def add_row(self) -> None:
        """One more row, kept with what was typed in the others (the "Add a row" button)."""
        if self.can_add_row():
            row = self.members.append_entry().form
            self._set_choices(row)
            row.day_parts.data = [part.id for part in self.event.day_parts]

    def filled_rows(self) -> list[MemberForm]:
        return [entry.form for entry in self.members if not entry.form.is_blank()]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        rows = self.filled_rows()
        if not rows:
            self.members.entries[0].form.first_name.errors.append(_l("Add at least one person."))
            return False
        if len(rows) > self.event.group_max_size:
            rows[-1].first_name.errors.append(
                _l("At most %(max)d people in one group.", max=self.event.group_max_size)
            )
            valid = False
        seen = set()
        for row in rows:
            valid &= self._validate_row(row, seen)
        return valid

    def _validate_row(self, row: MemberForm, seen: set) -> bool:
        problems = []
        if not row.first_name.data:
            row.first_name.errors.append(_l("Enter their first name."))
        if not row.last_name.data:
            row.last_name.errors.append(_l("Enter their last name."))
        if row.email.data and not row.email.errors:
            if row.email.data in seen:
                row.email.errors.append(_l("This address is already in another row."))
            seen.add(row.email.data)
        if row.participant_type is not None and row.participant_type.data not in PARTICIPANT_TYPES:
            row.participant_type.errors.append(_l("Choose how they take part."))
        if not row.day_parts.data:
            row.day_parts.errors.append(_l("Choose at least one part of the day."))
        if self.event.tables and _chose(self.event, row, DayPartKind.WORLD_CAFE):
            problems += _choice_problems(row)
        return not any(field.errors for field in row) and not problems


def _chose(event: Event, row: MemberForm, kind: DayPartKind) -> bool:
    ids = {part.id for part in event.day_parts if part.kind == kind}
    return bool(ids & set(row.day_parts.data or []))


def _choice_problems(row: MemberForm) -> list:
    """Their ranked tables: the first given, in order, no table twice (as the single form)."""
    problems, seen = [], set()
    if not row.choice_1.data:
        row.choice_1.errors.append(_l("Choose the table they would most like to join."))
        problems.append(row.choice_1)
    for position, field in enumerate(row.choice_fields):
        if field.data and position > 0 and not row.choice_fields[position - 1].data:
            field.errors.append(_l("Fill in the choices in order, starting from the first."))
            problems.append(field)
        elif field.data and field.data in seen:
            field.errors.append(_l("This table is already chosen: pick a different one."))
            problems.append(field)
        seen.add(field.data)
    return problems


def group_contact(form: GroupRegistrationForm) -> Contact:
    return Contact(name=form.contact_name.data, email=form.contact_email.data, language=form.language.data)


def members_data(form: GroupRegistrationForm, group=None) -> list[RegistrationData]:
    """What was typed for each person, for groups.py. group: adding to one, whose contact's
    organisation and language the new people take."""
    event = form.event
    if group is None:
        organisation = form.organisation.data if form.organisation is not None else None
        language = form.language.data
    else:
        first = group.members[0] if group.members else None
        organisation = first.organisation_name if first else None
        language = group.contact_language
    data = []
    for row in form.filled_rows():
        lunch = _chose(event, row, DayPartKind.LUNCH)
        data.append(
            RegistrationData(
                first_name=row.first_name.data,
                last_name=row.last_name.data,
                email=row.email.data,
                participant_type=row.participant_type.data if row.participant_type is not None else None,
                day_part_ids=row.day_parts.data,
                table_ids=[int(f.data) for f in row.choice_fields if f.data],
                organisation_name=organisation,
                dietary_needs=row.dietary_needs.data if row.dietary_needs is not None and lunch else None,
                accessibility_needs=(
                    row.accessibility_needs.data if row.accessibility_needs is not None else None
                ),
                language=language,
            )
        )
    return data
