"""The event's own registration questions and their answers: writing what an attendee
answered, and reading the answers back in words for the pages, the data export, the CSV and
the numbers page.

A question is the JSON the event file gave (app/events/event_file_questions.py). Answers are
kept by question key: a question dropped from the file keeps its answers, shown under its key
in the attendee's data export, on the attendee's admin page and in the CSV (nothing typed by
a person disappears because a file changed); an option dropped shows its key likewise.
"""

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attendee, AttendeeAnswer, AttendeeStatus, Event, QuestionType, localized

# What the form gives for one question: text, an option key, option keys, "yes"/"no", or None.
Answer = str | list[str] | None


def save_answers(attendee: Attendee, answers: dict[str, Answer]) -> None:
    """Write the answers to the questions the form asked (the keys given); an empty answer
    removes the row. Answers to questions not asked this time stay as they are."""
    stored = {row.question_key: row for row in attendee.answers}
    for key, answer in answers.items():
        value = _stored_value(answer)
        row = stored.get(key)
        if value is None:
            if row is not None:
                attendee.answers.remove(row)
        elif row is None:
            attendee.answers.append(AttendeeAnswer(question_key=key, value=value))
        else:
            row.value = value


def _stored_value(answer: Answer) -> str | None:
    if isinstance(answer, list):
        return json.dumps(answer) if answer else None
    answer = (answer or "").strip()
    return answer or None


def form_value(question: dict, value: str) -> Answer:
    """A stored answer as the form field holds it (the edit page fills it in)."""
    if question["type"] == QuestionType.CHOICES:
        return option_keys(value)
    return value


def option_keys(value: str) -> list[str]:
    """The option keys of a several-choices answer (an answer written as text when the
    question was of another type reads as one key)."""
    try:
        keys = json.loads(value)
    except ValueError:
        return [value]
    return [str(key) for key in keys] if isinstance(keys, list) else [value]


def answer_text(question: dict | None, value: str, locale: str | None = None) -> str:
    """An answer in words: option labels, "yes"/"no" translated, or the text as typed.
    question None: it left the event file, so the answer is shown as stored."""
    kind = question["type"] if question else None
    if kind == QuestionType.YES_NO:
        return {"yes": _("Yes"), "no": _("No")}.get(value, value)
    if kind in (QuestionType.CHOICE, QuestionType.CHOICES):
        labels = {option["key"]: option["label"] for option in question["options"]}
        keys = option_keys(value) if kind == QuestionType.CHOICES else [value]
        return ", ".join(localized(labels[key], locale) if key in labels else key for key in keys)
    if question is None and value.startswith("["):
        return ", ".join(option_keys(value))
    return value


@dataclass(frozen=True)
class ShownAnswer:
    key: str
    label: str  # the question's label, or its key once it left the event file
    text: str
    in_file: bool  # False: the question is no longer in the event file


def shown_answers(attendee: Attendee, locale: str | None = None, removed: bool = True) -> list[ShownAnswer]:
    """The attendee's answers in the file's order of questions, then (removed=True) those
    to questions the file no longer has, by key."""
    stored = {row.question_key: row.value for row in attendee.answers}
    shown = []
    for question in attendee.event.registration_questions:
        if question["key"] in stored:
            value = stored.pop(question["key"])
            label = localized(question["label"], locale)
            shown.append(ShownAnswer(question["key"], label, answer_text(question, value, locale), True))
    if removed:
        for key, value in sorted(stored.items()):
            shown.append(ShownAnswer(key, key, answer_text(None, value), False))
    return shown


def exported_answers(attendee: Attendee) -> list[dict]:
    """For the attendee's data export: each answer with its key, the question and the words."""
    return [
        {"question_key": a.key, "question": a.label if a.in_file else None, "answer": a.text}
        for a in shown_answers(attendee, attendee.language)
    ]


def filterable_questions(event: Event) -> list[dict]:
    """The questions the attendee list filters by: those with options (choices, yes/no)."""
    free_text = (QuestionType.TEXT, QuestionType.LONG_TEXT)
    return [q for q in event.registration_questions if q["type"] not in free_text]


def options_of(question: dict) -> list[tuple[str, str]]:
    """(key, label) of each possible answer of a choice or yes/no question."""
    if question["type"] == QuestionType.YES_NO:
        return [("yes", _("Yes")), ("no", _("No"))]
    return [(option["key"], localized(option["label"])) for option in question.get("options", [])]


def answered_with(question: dict, option_key: str):
    """A condition on attendees: they gave this answer to the question."""
    value = AttendeeAnswer.value == option_key
    if question["type"] == QuestionType.CHOICES:
        # A JSON list of keys: the key in quotes is that option and no other ("bus" in "minibus").
        value = AttendeeAnswer.value.contains(json.dumps(option_key), autoescape=True)
    return Attendee.answers.any((AttendeeAnswer.question_key == question["key"]) & value)


@dataclass(frozen=True)
class QuestionFigures:
    question: dict
    label: str
    answered: int
    per_option: list[tuple[str, int]]  # (label, count); empty for text questions


def question_figures(event: Event) -> list[QuestionFigures]:
    """For the numbers page: among confirmed attendees, how many answered each question,
    and how many chose each option (a several-choices answer counts once per option)."""
    rows = db.session.execute(
        select(AttendeeAnswer.question_key, AttendeeAnswer.value, func.count())
        .join(Attendee, Attendee.id == AttendeeAnswer.attendee_id)
        .where(Attendee.event_id == event.id, Attendee.status == AttendeeStatus.CONFIRMED)
        .group_by(AttendeeAnswer.question_key, AttendeeAnswer.value)
    ).all()
    figures = []
    for question in event.registration_questions:
        values = [(value, count) for key, value, count in rows if key == question["key"]]
        per_key: dict[str, int] = {}
        for value, count in values:
            keys = option_keys(value) if question["type"] == QuestionType.CHOICES else [value]
            for key in keys:
                per_key[key] = per_key.get(key, 0) + count
        per_option = []
        if question["type"] not in (QuestionType.TEXT, QuestionType.LONG_TEXT):
            per_option = [(label, per_key.get(key, 0)) for key, label in options_of(question)]
        answered = sum(count for _value, count in values)
        figures.append(QuestionFigures(question, localized(question["label"]), answered, per_option))
    return figures


def csv_columns(event: Event) -> list[str]:
    """The CSV's columns for the answers: each question (its label in the event's first
    language), then the keys of questions no longer in the file that still have answers."""
    first = event.languages[0]
    return [localized(q["label"], first) for q in event.registration_questions] + removed_keys(event)


def removed_keys(event: Event) -> list[str]:
    """Keys of answers kept for questions the event file no longer has."""
    current = {q["key"] for q in event.registration_questions}
    keys = db.session.scalars(
        select(AttendeeAnswer.question_key)
        .join(Attendee, Attendee.id == AttendeeAnswer.attendee_id)
        .where(Attendee.event_id == event.id)
        .distinct()
    ).all()
    return sorted(key for key in keys if key not in current)


def csv_cells(event: Event, attendee: Attendee, removed: list[str]) -> list[str]:
    """One attendee's answers in the columns of csv_columns, in the event's first language."""
    first = event.languages[0]
    stored = {row.question_key: row.value for row in attendee.answers}
    cells = []
    for question in event.registration_questions:
        value = stored.get(question["key"])
        if value is None:
            cells.append("")
        elif question["type"] == QuestionType.YES_NO:
            cells.append(value)  # yes / no, as the CSV's other yes-or-no columns
        else:
            cells.append(answer_text(question, value, first))
    return cells + [answer_text(None, stored[key]) if key in stored else "" for key in removed]
