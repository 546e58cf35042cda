"""The registration form's own parts of an event file: its ``questions:`` (short or long
text, one choice, several choices, yes/no) and its ``fields:``, which switch the fixed
fields (organisation, participant type, dietary and accessibility needs) on or off.

Both are stored on the event as plain JSON, as read here. Answers are kept by question key
(app/models/answer.py), so a question may be reworded, reordered or dropped by a later file
without touching what people already answered.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from app.events.event_file_reader import NodeReader
from app.models import FIXED_FIELDS, QuestionType

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")  # attendee_answers.question_key is 60 long
OPTION_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_QUESTIONS = 20
MAX_OPTIONS = 30
QUESTION_FIELDS = ("key", "type", "label", "help", "required", "options")
TYPES = [kind.value for kind in QuestionType]


def read_questions(r: NodeReader, top: dict, languages: list[str]) -> list[dict]:
    """[{key, type, label, help, required, options: [{key, label}]}], in the file's order."""
    questions: list[dict] = []
    for name, node in r.numbered(top, "questions"):
        question = _question(r, node, name, languages)
        if question["key"] and question["key"] in {q["key"] for q in questions}:
            r.fail(node, f"{name}.key", _l("%(value)s is used twice", value=repr(question["key"])))
        questions.append(question)
    if len(questions) > MAX_QUESTIONS:
        r.fail(top["questions"], "questions", _l("at most %(max)d questions", max=MAX_QUESTIONS))
    return questions


def _question(r: NodeReader, node, name: str, languages: list[str]) -> dict:
    item = r.mapping(node, name) or {}
    for field_name, field_node in item.items():
        if field_name not in QUESTION_FIELDS:
            r.fail(
                field_node,
                f"{name}.{field_name}",
                _l("unknown field (expected one of: %(fields)s)", fields=", ".join(QUESTION_FIELDS)),
            )
    key = r.text(r.require(item, "key", node, f"{name}.key"), f"{name}.key") or ""
    if key and not KEY_RE.fullmatch(key):
        r.fail(item["key"], f"{name}.key", _l("use lower-case letters, digits, '-' and '_'"))
    kind = r.text(r.require(item, "type", node, f"{name}.type"), f"{name}.type") or ""
    if kind and kind not in TYPES:
        r.fail(
            item["type"],
            f"{name}.type",
            _l("expected one of %(choices)s, got %(value)s", choices=", ".join(TYPES), value=repr(kind)),
        )
    label_node = r.require(item, "label", node, f"{name}.label")
    return {
        "key": key,
        "type": kind,
        "label": r.localized(label_node, f"{name}.label", languages, 300) or {},
        "help": r.localized(item.get("help"), f"{name}.help", languages, 500),
        "required": r.boolean(item.get("required"), f"{name}.required", default=False),
        "options": _options(r, item, node, name, kind, languages),
    }


def _options(r: NodeReader, item: dict, node, name: str, kind: str, languages: list[str]) -> list[dict]:
    """A choice's options; only choice and choices have them (yes/no has its own two)."""
    if kind not in (QuestionType.CHOICE, QuestionType.CHOICES):
        if item.get("options") is not None and kind in TYPES:
            message = _l("only questions of type choice or choices have options")
            r.fail(item["options"], f"{name}.options", message)
        return []
    options: list[dict] = []
    for option_name, option_node in r.numbered(item, "options"):
        option_name = f"{name}.{option_name}"
        option = r.mapping(option_node, option_name) or {}
        key_node = r.require(option, "key", option_node, f"{option_name}.key")
        key = r.text(key_node, f"{option_name}.key") or ""
        if key and not OPTION_KEY_RE.fullmatch(key):
            r.fail(key_node, f"{option_name}.key", _l("use lower-case letters, digits, '-' and '_'"))
        elif key and key in {o["key"] for o in options}:
            r.fail(key_node, f"{option_name}.key", _l("%(value)s is used twice", value=repr(key)))
        label_node = r.require(option, "label", option_node, f"{option_name}.label")
        label = r.localized(label_node, f"{option_name}.label", languages, 200) or {}
        options.append({"key": key, "label": label})
    if len(options) < 2:
        r.fail(item.get("options") or node, f"{name}.options", _l("a choice needs at least two options"))
    elif len(options) > MAX_OPTIONS:
        r.fail(item["options"], f"{name}.options", _l("at most %(max)d options", max=MAX_OPTIONS))
    return options


def read_fixed_fields(r: NodeReader, top: dict) -> dict[str, bool]:
    """Which fixed fields the form asks: every one unless the file switches it off."""
    if top.get("fields") is None:
        return dict.fromkeys(FIXED_FIELDS, True)
    section = r.mapping(top["fields"], "fields") or {}
    for field_name, node in section.items():
        if field_name not in FIXED_FIELDS:
            r.fail(
                node,
                f"fields.{field_name}",
                _l("unknown field (expected one of: %(fields)s)", fields=", ".join(FIXED_FIELDS)),
            )
    return {name: r.boolean(section.get(name), f"fields.{name}", default=True) for name in FIXED_FIELDS}
