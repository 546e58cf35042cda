"""Forms of the commitments: the organisers' (one text per event language), the
facilitators' (one text, or a proposal line of the table's notes), and the status change."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.core.forms import AppForm
from app.models import Event
from app.registration.forms import LANGUAGE_NAMES
from app.results.commitments import (
    NOTE_MAX_CHARS,
    OTHER_CHOICE,
    OWNER_MAX_CHARS,
    STATUS_LABELS,
    TEXT_MAX_CHARS,
    owner_choices,
)


class OwnerFields(AppForm):
    """Who takes it on, and by when."""

    owner = SelectField(_l("Who takes it on"), validators=[DataRequired()])
    owner_name = StringField(
        _l("Name of the organisation"),
        validators=[Length(max=OWNER_MAX_CHARS)],  # not Optional(): it would skip the check below
        description=_l("Only when it is another organisation."),
    )
    due_on = DateField(_l("By when (optional)"), validators=[Optional()])

    def validate_owner_name(self, field):
        if self.owner.data == OTHER_CHOICE and not (field.data or "").strip():
            raise ValidationError(_("Type the name of the organisation that takes it on."))


def _with_owners(form: OwnerFields, event: Event) -> OwnerFields:
    form.owner.choices = [("", _("Choose…")), *owner_choices(event)]
    return form


class AdminCommitmentForm(OwnerFields):
    table_id = SelectField(_l("Table"), coerce=int, validators=[DataRequired()])

    def text_fields(self):
        return [(lang, self[f"text_{lang}"]) for lang in self.languages]

    def texts(self) -> dict[str, str]:
        return {lang: field.data or "" for lang, field in self.text_fields()}


def admin_commitment_form(event: Event, **kwargs) -> AdminCommitmentForm:
    """The text in each of the event's languages: the first required, the others optional."""

    class Form(AdminCommitmentForm):
        languages = list(event.languages)

    for position, lang in enumerate(event.languages):
        required = DataRequired(
            _("Write the commitment in %(language)s.", language=LANGUAGE_NAMES.get(lang, lang))
        )
        field = TextAreaField(
            _l("Commitment (%(language)s)", language=LANGUAGE_NAMES.get(lang, lang)),
            validators=[required if position == 0 else Optional(), Length(max=TEXT_MAX_CHARS)],
        )
        setattr(Form, f"text_{lang}", field)
    form = _with_owners(Form(**kwargs), event)
    form.table_id.choices = [(table.id, table.display_name) for table in event.tables]
    return form


class FacilitatorCommitmentForm(OwnerFields):
    proposal = SelectField(_l("From a proposal of the notes (optional)"), validators=[Optional()])
    text = TextAreaField(
        _l("Commitment"),
        validators=[Length(max=TEXT_MAX_CHARS)],  # not Optional(): it would skip the check below
        description=_l(
            "What will be done, in one or two sentences. Leave it empty to use the proposal chosen above."
        ),
    )

    def validate_text(self, field):
        if not (field.data or "").strip() and not self.proposal.data:
            raise ValidationError(_("Write the commitment, or choose a proposal from the notes."))

    def chosen_text(self) -> str:
        return (self.text.data or "").strip() or self.proposal.data


def facilitator_commitment_form(event: Event, proposals: list[str], **kwargs) -> FacilitatorCommitmentForm:
    form = _with_owners(FacilitatorCommitmentForm(**kwargs), event)
    # A long line is cut in the list (a select as wide as the phone), kept whole as the value.
    labels = [(line, line if len(line) <= 90 else line[:89].rstrip() + "…") for line in proposals]
    form.proposal.choices = [("", _("None: I write it below")), *labels]
    return form


class StatusForm(AppForm):
    status = SelectField(
        _l("Status"), choices=[(status.value, label) for status, label in STATUS_LABELS.items()]
    )

    def note_fields(self):
        return [(lang, self[f"note_{lang}"]) for lang in self.languages]

    def notes(self) -> dict[str, str]:
        return {lang: field.data or "" for lang, field in self.note_fields()}


def status_form(event: Event, **kwargs) -> StatusForm:
    """The public note in each of the event's languages, all optional."""

    class Form(StatusForm):
        languages = list(event.languages)

    for lang in event.languages:
        field = TextAreaField(
            _l("Public note (%(language)s)", language=LANGUAGE_NAMES.get(lang, lang)),
            validators=[Optional(), Length(max=NOTE_MAX_CHARS)],
            description=_l("Shown on the public page and in the feed: no names of people."),
        )
        setattr(Form, f"note_{lang}", field)
    return Form(**kwargs)
