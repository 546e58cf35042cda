"""The event's own questions as fields of the registration form: the form class is built
per event (and per request, so labels are in the reader's language), one field per question.

Labels, help texts and option labels come from the event file: they are plain text, never
HTML. They are given to WTForms as plain strings (not lazy translations, which markupsafe
counts as safe HTML), so the labels and the templates escape them.
"""

from flask_babel import gettext as _
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.models import Attendee, Event, QuestionType, localized
from app.registration.answers import Answer, form_value, options_of

PREFIX = "question_"  # keeps a question's key from ever clashing with a fixed field's name
MAX_LENGTH = {QuestionType.TEXT: 300, QuestionType.LONG_TEXT: 2000}


def with_questions(form_class: type, event: Event) -> type:
    """A subclass of form_class with a field for each of the event's questions."""
    fields = {PREFIX + q["key"]: _field(q) for q in event.registration_questions}
    if not fields:
        return form_class
    return type(form_class.__name__, (form_class,), fields)


def _field(question: dict):
    from app.registration.forms import MultiCheckboxField, strip  # forms.py imports this module

    kind = question["type"]
    label = localized(question["label"])
    description = localized(question.get("help")) or ""
    required = question.get("required", False)
    if kind in MAX_LENGTH:
        validators = [DataRequired(_("Answer this question.")) if required else Optional()]
        field_class = StringField if kind == QuestionType.TEXT else TextAreaField
        validators.append(Length(max=MAX_LENGTH[kind]))
        return field_class(label, validators, filters=[strip], description=description)
    if kind == QuestionType.CHOICES:
        validators = [_at_least_one_option] if required else []
        return MultiCheckboxField(label, validators, choices=options_of(question), description=description)
    # One choice, or yes/no: radio buttons.
    validators = [InputRequired(_("Choose an answer.")) if required else Optional()]
    return RadioField(label, validators, choices=options_of(question), description=description)


def _at_least_one_option(form, field):
    # Not DataRequired: that would mark every checkbox "required" in the HTML.
    if not field.data:
        raise ValidationError(_("Choose at least one answer."))


def question_fields(form) -> list:
    """The form's question fields, in the event file's order (for the template)."""
    return [form[PREFIX + q["key"]] for q in form.event.registration_questions if PREFIX + q["key"] in form]


def answers_from(form) -> dict[str, Answer]:
    """What the attendee answered, by question key (the keys of the questions asked)."""
    return {field.name[len(PREFIX) :]: field.data for field in question_fields(form)}


def fill_answers(form, attendee: Attendee) -> None:
    """The attendee's stored answers into the form (their edit page)."""
    stored = {row.question_key: row.value for row in attendee.answers}
    for question in form.event.registration_questions:
        if question["key"] in stored and PREFIX + question["key"] in form:
            form[PREFIX + question["key"]].data = form_value(question, stored[question["key"]])
