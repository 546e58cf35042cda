"""Read the YAML node tree of an event file, converting values and collecting problems.

Every scalar is read as text and converted here, so that YAML's own guesses (``10:00`` as
a number of minutes, ``no`` as false) never change a value; each problem keeps its line.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import yaml
from flask_babel import lazy_gettext as _l

from app.mail.headers import has_control_characters


class NodeReader:
    """Walks the YAML node tree, converting values and collecting problems."""

    def __init__(self):
        self.problems: list[tuple[int, str, str]] = []

    def fail(self, node, name: str, message: str):
        self.problems.append((node.start_mark.line + 1, name, message))

    def mapping(self, node, name: str) -> dict | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, name, _l("expected a mapping of keys to values"))
            return None
        result = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in result:
                self.fail(key_node, f"{name}.{key}", _l("appears twice"))
            result[key] = value_node
        return result

    def sequence(self, node, name: str) -> list:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, name, _l("expected a list"))
            return []
        return node.value

    def text(self, node, name: str, required=True, max_length=300, one_line=False) -> str | None:
        """one_line: the text reaches a mail header (the event's name is in every subject),
        where a line break would end the header and start another."""
        if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ""):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, name, _l("expected text"))
            return None
        value = node.value.strip()
        if len(value) > max_length:
            self.fail(node, name, _l("longer than %(max)d characters", max=max_length))
        if one_line and has_control_characters(value):
            self.fail(node, name, _l("must be on one line, without line breaks or control characters"))
        return value

    def localized(
        self, node, name: str, languages=("it", "en"), max_length=2000, one_line=False
    ) -> dict | None:
        """Text in one language for all, or a mapping {language: text}."""
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode):
            value = self.text(node, name, max_length=max_length, one_line=one_line)
            return {"*": value} if value else None
        items = self.mapping(node, name) or {}
        result = {}
        for lang, value_node in items.items():
            if lang not in languages:
                self.fail(
                    value_node,
                    f"{name}.{lang}",
                    _l("language not among %(languages)s", languages=", ".join(languages)),
                )
            value = self.text(value_node, f"{name}.{lang}", max_length=max_length, one_line=one_line)
            if value:
                result[lang] = value
        return result or None

    def integer(self, node, name: str, minimum=0) -> int | None:
        value = self.text(node, name)
        if value is None:
            return None
        if not re.fullmatch(r"\d+", value) or int(value) < minimum:
            self.fail(
                node,
                name,
                _l(
                    "expected a whole number of at least %(minimum)d, got %(value)s",
                    minimum=minimum,
                    value=repr(value),
                ),
            )
            return None
        return int(value)

    def boolean(self, node, name: str, default: bool) -> bool:
        value = self.text(node, name)
        if value is None:
            return default
        if value.lower() in ("true", "yes"):
            return True
        if value.lower() in ("false", "no"):
            return False
        self.fail(node, name, _l("expected true or false, got %(value)s", value=repr(value)))
        return default

    def date(self, node, name: str) -> date | None:
        value = self.text(node, name)
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            self.fail(node, name, _l("expected a date as YYYY-MM-DD, got %(value)s", value=repr(value)))
            return None

    def time(self, node, name: str) -> time | None:
        value = self.text(node, name)
        if value is None:
            return None
        if not re.fullmatch(r"\d{1,2}:\d{2}", value):
            self.fail(node, name, _l("expected a time as HH:MM, got %(value)s", value=repr(value)))
            return None
        hours, minutes = map(int, value.split(":"))
        if hours > 23 or minutes > 59:
            self.fail(node, name, _l("not a time of day: %(value)s", value=repr(value)))
            return None
        return time(hours, minutes)

    def time_range(self, node, name: str) -> tuple[time | None, time | None]:
        value = self.text(node, name)
        if value is None:
            return None, None
        start, _, end = value.partition("-")
        return self._time_text(node, name, start), self._time_text(node, name, end)

    def _time_text(self, node, name, text):
        text = text.strip()
        if not text:
            return None
        return self.time(yaml.ScalarNode("tag:yaml.org,2002:str", text, node.start_mark), name)

    def local_datetime(self, node, name: str, tz: ZoneInfo | None) -> datetime | None:
        value = self.text(node, name)
        if value is None:
            return None
        try:
            local = datetime.fromisoformat(value.replace(" ", "T"))
        except ValueError:
            self.fail(
                node,
                name,
                _l("expected a local date and time as YYYY-MM-DD HH:MM, got %(value)s", value=repr(value)),
            )
            return None
        if tz is None:
            return None
        utc = local.replace(tzinfo=local.tzinfo or tz).astimezone(ZoneInfo("UTC"))
        return utc.replace(tzinfo=None)

    def require(self, items: dict, key: str, parent_node, name: str):
        if items.get(key) is None:
            self.fail(parent_node, name, _l("is required"))
        return items.get(key)

    def numbered(self, items: dict, key: str) -> list[tuple[str, object]]:
        """The nodes of the list ``key`` (none when it is absent), each with the name the
        problems give it: ``programme[1]``, ``programme[2]``..."""
        nodes = self.sequence(items.get(key) or empty_sequence(), key)
        return [(f"{key}[{index + 1}]", node) for index, node in enumerate(nodes)]


def empty_sequence():
    return yaml.SequenceNode("tag:yaml.org,2002:seq", [])
