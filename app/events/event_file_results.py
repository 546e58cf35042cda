"""The after-the-day parts of an event file: the feedback questionnaire and the open data
licence. Each is stored on the event as plain JSON, as read here."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from app.events.event_file_fields import EMAIL_RE
from app.events.event_file_reader import NodeReader

QUESTION_KINDS = ("rating", "text")  # a 1-5 rating, or an open answer
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
MAX_QUESTIONS = 10
# The licences an Italian open data portal accepts without a note (their SPDX ids), with the
# address of each one's text: the DCAT-AP_IT metadata names it.
LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": ("Creative Commons CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "IODL-2.0": ("Italian Open Data License v2.0", "https://www.dati.gov.it/iodl/2.0/"),
}
# The EU's data themes (DCAT-AP), the ones a day like this fits: society, government, education...
THEMES = (
    "SOCI",
    "GOVE",
    "EDUC",
    "HEAL",
    "REGI",
    "JUST",
    "ECON",
    "ENVI",
    "TECH",
    "TRAN",
    "AGRI",
    "ENER",
    "INTR",
)


def read_feedback(r: NodeReader, top: dict, languages: list[str]) -> dict | None:
    """{"questions": [{key, kind, label, help, required}], "send_after_hours", "reminder_after_days"}."""
    if top.get("feedback") is None:
        return None
    section = r.mapping(top["feedback"], "feedback") or {}
    questions, keys = [], set()
    for name, node in r.numbered(section, "questions"):
        question = _question(r, node, f"feedback.{name}", languages)
        if question["key"] in keys:
            r.fail(node, f"feedback.{name}.key", _l("appears twice"))
        keys.add(question["key"])
        questions.append(question)
    if not questions:
        r.fail(top["feedback"], "feedback.questions", _l("is required"))
    elif len(questions) > MAX_QUESTIONS:
        r.fail(top["feedback"], "feedback.questions", _l("at most %(max)d questions", max=MAX_QUESTIONS))
    hours = r.integer(section.get("send_after_hours"), "feedback.send_after_hours")
    days = r.integer(section.get("reminder_after_days"), "feedback.reminder_after_days")
    return {
        "questions": questions,
        "send_after_hours": 2 if hours is None else hours,
        # 0: no reminder; at most one in any case.
        "reminder_after_days": 4 if days is None else days,
    }


def _question(r: NodeReader, node, name: str, languages: list[str]) -> dict:
    item = r.mapping(node, name) or {}
    key = r.text(r.require(item, "key", node, f"{name}.key"), f"{name}.key") or ""
    if key and not KEY_RE.fullmatch(key):
        r.fail(item["key"], f"{name}.key", _l("use lower-case letters, digits and underscores"))
    kind = r.text(r.require(item, "kind", node, f"{name}.kind"), f"{name}.kind") or "text"
    if kind not in QUESTION_KINDS:
        r.fail(
            item["kind"], f"{name}.kind", _l("expected one of: %(kinds)s", kinds=", ".join(QUESTION_KINDS))
        )
    return {
        "key": key,
        "kind": kind,
        "label": r.localized(r.require(item, "label", node, f"{name}.label"), f"{name}.label", languages, 300)
        or {},
        "help": r.localized(item.get("help"), f"{name}.help", languages, 500),
        "required": r.boolean(item.get("required"), f"{name}.required", default=False),
    }


def read_open_data(r: NodeReader, top: dict) -> dict | None:
    """{"licence": SPDX id, "publisher": {"name", "identifier"}, "theme", "contact_email"}."""
    if top.get("open_data") is None:
        return None
    node = top["open_data"]
    section = r.mapping(node, "open_data") or {}
    licence = r.text(r.require(section, "licence", node, "open_data.licence"), "open_data.licence")
    if licence and licence not in LICENCES:
        r.fail(
            section["licence"],
            "open_data.licence",
            _l("expected one of: %(licences)s", licences=", ".join(LICENCES)),
        )
    publisher_node = r.require(section, "publisher", node, "open_data.publisher")
    publisher = r.mapping(publisher_node, "open_data.publisher") or {} if publisher_node else {}
    theme = r.text(section.get("theme"), "open_data.theme") or "SOCI"
    if theme not in THEMES:
        r.fail(
            section["theme"], "open_data.theme", _l("expected one of: %(themes)s", themes=", ".join(THEMES))
        )
    contact = r.text(section.get("contact_email"), "open_data.contact_email", one_line=True)
    if contact and not EMAIL_RE.match(contact):
        r.fail(
            section["contact_email"],
            "open_data.contact_email",
            _l("not an e-mail address: %(value)s", value=repr(contact)),
        )
    return {
        "licence": licence,
        "publisher": {
            "name": r.text(
                r.require(publisher, "name", publisher_node or node, "open_data.publisher.name"),
                "open_data.publisher.name",
            ),
            # The publisher's code in the Italian public administrations' index (IPA), e.g. c_b157.
            "identifier": r.text(
                r.require(publisher, "identifier", publisher_node or node, "open_data.publisher.identifier"),
                "open_data.publisher.identifier",
            ),
        },
        "theme": theme,
        "contact_email": contact,
    }
