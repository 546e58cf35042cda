"""Read and validate an event data file (YAML), reporting each problem with its line.

Every scalar is read as text and converted by the schema below, so that YAML's own
guesses (``10:00`` as a number of minutes, ``no`` as false) never change a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from flask_babel import lazy_gettext as _l

from app.mail.headers import has_control_characters
from app.models.event import DayPartKind

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EventFileError(ValueError):
    """The file is not a valid event: ``problems`` lists (line, field, message).

    Messages are lazy translations: the admin page shows them in the reader's language,
    the command line in the language it is run in (str() of the error).
    """

    def __init__(self, filename: str, problems: list[tuple[int, str, str]]):
        super().__init__(filename, problems)
        self.filename = filename
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(
            f"{self.filename}, line {line}: {name}: {message}" for line, name, message in self.problems
        )


@dataclass
class ProgrammeSpec:
    starts_at: time
    ends_at: time | None
    title: dict
    speaker: str | None
    description: dict | None


@dataclass
class DayPartSpec:
    key: str
    kind: str
    name: dict
    starts_at: time | None
    ends_at: time | None
    capacity: int | None
    line: int


@dataclass
class TableSpec:
    key: str
    name: dict
    description: dict | None
    capacity: int
    accessible: bool
    small_tables: int
    line: int


@dataclass
class EventSpec:
    slug: str
    name: dict
    tagline: dict | None
    description: dict | None
    organiser: str | None
    contact_email: str | None
    venue_name: str
    venue_address: str | None
    date: date
    timezone: str
    languages: list[str]
    capacity: int | None
    privacy_version: str
    registration_opens_at: datetime | None  # naive UTC
    registration_closes_at: datetime | None  # naive UTC
    cafe_rounds: int = 1
    cafe_rotation: str = "stay"
    programme: list[ProgrammeSpec] = field(default_factory=list)
    day_parts: list[DayPartSpec] = field(default_factory=list)
    tables: list[TableSpec] = field(default_factory=list)
    organisations: list[tuple[str, str]] = field(default_factory=list)


class _Reader:
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


def parse_event_file(text: str, filename: str = "<event file>") -> EventSpec:
    """Parse and validate; raises EventFileError naming every bad field and its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise EventFileError(
            filename,
            [
                (
                    line,
                    "(syntax)",
                    _l("not valid YAML: %(problem)s", problem=str(getattr(error, "problem", error))),
                )
            ],
        ) from None
    if root is None:
        raise EventFileError(filename, [(1, "(file)", _l("the file is empty"))])

    r = _Reader()
    top = r.mapping(root, "(file)") or {}
    known = {
        "slug", "name", "tagline", "description", "organiser", "contact_email", "venue",
        "date", "timezone", "languages", "capacity", "privacy_version", "registration",
        "programme", "day_parts", "tables", "organisations", "world_cafe",
    }  # fmt: skip
    for key, node in top.items():
        if key not in known:
            r.fail(
                node,
                str(key),
                _l("unknown field (expected one of: %(fields)s)", fields=", ".join(sorted(known))),
            )

    languages = []
    for node in r.sequence(r.require(top, "languages", root, "languages") or root, "languages"):
        lang = r.text(node, "languages")
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            r.fail(
                node, "languages", _l("expected a two-letter language code, got %(value)s", value=repr(lang))
            )
        languages.append(lang)
    languages = languages or ["it"]

    slug = r.text(r.require(top, "slug", root, "slug"), "slug")
    if slug and not SLUG_RE.fullmatch(slug):
        r.fail(top["slug"], "slug", _l("use lower-case letters, digits and dashes"))

    tz_name = r.text(r.require(top, "timezone", root, "timezone"), "timezone")
    tz = None
    if tz_name:
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            r.fail(top["timezone"], "timezone", _l("unknown time zone: %(value)s", value=repr(tz_name)))

    venue = r.mapping(r.require(top, "venue", root, "venue") or root, "venue") or {}
    venue_name = r.text(r.require(venue, "name", top.get("venue", root), "venue.name"), "venue.name")
    # The name, the organiser and the contact address are the ones that can reach a header.
    contact_email = r.text(top.get("contact_email"), "contact_email", one_line=True)
    if contact_email and not has_control_characters(contact_email) and not EMAIL_RE.match(contact_email):
        r.fail(
            top["contact_email"],
            "contact_email",
            _l("not an e-mail address: %(value)s", value=repr(contact_email)),
        )

    registration = r.mapping(top["registration"], "registration") if "registration" in top else {}
    registration = registration or {}

    spec = EventSpec(
        slug=slug or "",
        name=r.localized(r.require(top, "name", root, "name"), "name", languages, one_line=True) or {},
        tagline=r.localized(top.get("tagline"), "tagline", languages),
        description=r.localized(top.get("description"), "description", languages, 5000),
        organiser=r.text(top.get("organiser"), "organiser", one_line=True),
        contact_email=contact_email,
        venue_name=venue_name or "",
        venue_address=r.text(venue.get("address"), "venue.address"),
        date=r.date(r.require(top, "date", root, "date"), "date"),
        timezone=tz_name or "",
        languages=languages,
        capacity=r.integer(top.get("capacity"), "capacity"),
        privacy_version=r.text(top.get("privacy_version"), "privacy_version") or "1",
        registration_opens_at=r.local_datetime(registration.get("opens"), "registration.opens", tz),
        registration_closes_at=r.local_datetime(registration.get("closes"), "registration.closes", tz),
    )
    if (
        spec.registration_opens_at
        and spec.registration_closes_at
        and spec.registration_closes_at <= spec.registration_opens_at
    ):
        r.fail(registration["closes"], "registration.closes", _l("must come after registration.opens"))

    for index, node in enumerate(r.sequence(top.get("programme") or _empty(), "programme")):
        name = f"programme[{index + 1}]"
        item = r.mapping(node, name) or {}
        starts, ends = r.time_range(r.require(item, "time", node, f"{name}.time"), f"{name}.time")
        title = r.localized(r.require(item, "title", node, f"{name}.title"), f"{name}.title", languages)
        spec.programme.append(
            ProgrammeSpec(
                starts_at=starts,
                ends_at=ends,
                title=title or {},
                speaker=r.text(item.get("speaker"), f"{name}.speaker"),
                description=r.localized(item.get("description"), f"{name}.description", languages),
            )
        )

    kinds = [kind.value for kind in DayPartKind]
    for index, node in enumerate(r.sequence(top.get("day_parts") or _empty(), "day_parts")):
        name = f"day_parts[{index + 1}]"
        item = r.mapping(node, name) or {}
        key = _key(r, item, node, name, [p.key for p in spec.day_parts])
        kind = r.text(r.require(item, "kind", node, f"{name}.kind"), f"{name}.kind")
        if kind and kind not in kinds:
            r.fail(
                item["kind"],
                f"{name}.kind",
                _l("expected one of %(choices)s, got %(value)s", choices=", ".join(kinds), value=repr(kind)),
            )
        starts, ends = r.time_range(item.get("time"), f"{name}.time")
        spec.day_parts.append(
            DayPartSpec(
                key=key,
                kind=kind or "other",
                name=r.localized(r.require(item, "name", node, f"{name}.name"), f"{name}.name", languages)
                or {},
                starts_at=starts,
                ends_at=ends,
                capacity=r.integer(item.get("capacity"), f"{name}.capacity"),
                line=node.start_mark.line + 1,
            )
        )

    for index, node in enumerate(r.sequence(top.get("tables") or _empty(), "tables")):
        name = f"tables[{index + 1}]"
        item = r.mapping(node, name) or {}
        key = _key(r, item, node, name, [t.key for t in spec.tables])
        spec.tables.append(
            TableSpec(
                key=key,
                name=r.localized(r.require(item, "name", node, f"{name}.name"), f"{name}.name", languages)
                or {},
                description=r.localized(item.get("description"), f"{name}.description", languages),
                capacity=r.integer(r.require(item, "capacity", node, f"{name}.capacity"), f"{name}.capacity")
                or 0,
                accessible=r.boolean(item.get("accessible"), f"{name}.accessible", True),
                small_tables=r.integer(item.get("small_tables"), f"{name}.small_tables") or 0,
                line=node.start_mark.line + 1,
            )
        )
    if "world_cafe" in top:
        cafe = r.mapping(top["world_cafe"], "world_cafe") or {}
        spec.cafe_rounds = r.integer(cafe.get("rounds"), "world_cafe.rounds", minimum=1) or 1
        rotation = r.text(cafe.get("rotation"), "world_cafe.rotation") or "stay"
        if rotation not in ("stay", "visit"):
            r.fail(
                cafe["rotation"],
                "world_cafe.rotation",
                _l("expected one of %(choices)s, got %(value)s", choices="stay, visit", value=repr(rotation)),
            )
        spec.cafe_rotation = rotation
    if spec.tables and not any(p.kind == DayPartKind.WORLD_CAFE for p in spec.day_parts):
        r.fail(top["tables"], "tables", _l("tables need a day part of kind world_cafe"))

    seen = set()
    for index, node in enumerate(r.sequence(top.get("organisations") or _empty(), "organisations")):
        name = f"organisations[{index + 1}]"
        if isinstance(node, yaml.ScalarNode):
            org_name, kind = r.text(node, name, max_length=200), "member"
        else:
            item = r.mapping(node, name) or {}
            org_name = r.text(r.require(item, "name", node, f"{name}.name"), f"{name}.name", max_length=200)
            kind = r.text(item.get("kind"), f"{name}.kind") or "member"
        if org_name and org_name.casefold() in seen:
            r.fail(node, name, _l("%(value)s is listed twice", value=repr(org_name)))
        if org_name:
            seen.add(org_name.casefold())
            spec.organisations.append((org_name, kind))

    if r.problems:
        raise EventFileError(filename, sorted(r.problems))
    return spec


def _empty():
    return yaml.SequenceNode("tag:yaml.org,2002:seq", [])


def _key(r: _Reader, item: dict, node, name: str, taken: list[str]) -> str:
    key = r.text(r.require(item, "key", node, f"{name}.key"), f"{name}.key") or ""
    if key and not KEY_RE.fullmatch(key):
        r.fail(item["key"], f"{name}.key", _l("use lower-case letters, digits, '-' and '_'"))
    if key in taken:
        r.fail(item["key"], f"{name}.key", _l("%(value)s is used twice", value=repr(key)))
    return key
