"""The lists in an event file: the programme, the day parts, the world café's tables and
its rounds, and the organisations. Each function reads one and reports its problems."""

from __future__ import annotations

import re

import yaml
from flask_babel import lazy_gettext as _l

from app.events.event_file_reader import NodeReader
from app.events.event_file_spec import DayPartSpec, ProgrammeSpec, TableSpec
from app.models.event import DayPartKind

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def read_programme(r: NodeReader, top: dict, languages: list[str]) -> list[ProgrammeSpec]:
    return [_programme_item(r, node, name, languages) for name, node in r.numbered(top, "programme")]


def _programme_item(r: NodeReader, node, name: str, languages: list[str]) -> ProgrammeSpec:
    item = r.mapping(node, name) or {}
    starts, ends = r.time_range(r.require(item, "time", node, f"{name}.time"), f"{name}.time")
    title = r.localized(r.require(item, "title", node, f"{name}.title"), f"{name}.title", languages)
    return ProgrammeSpec(
        starts_at=starts,
        ends_at=ends,
        title=title or {},
        speaker=r.text(item.get("speaker"), f"{name}.speaker"),
        description=r.localized(item.get("description"), f"{name}.description", languages),
    )


def read_day_parts(r: NodeReader, top: dict, languages: list[str]) -> list[DayPartSpec]:
    parts = []
    for name, node in r.numbered(top, "day_parts"):
        parts.append(_day_part(r, node, name, languages, taken=[part.key for part in parts]))
    return parts


def _day_part(r: NodeReader, node, name: str, languages: list[str], taken: list[str]) -> DayPartSpec:
    item = r.mapping(node, name) or {}
    key = _key(r, item, node, name, taken)
    kind = _day_part_kind(r, item, node, name)
    starts, ends = r.time_range(item.get("time"), f"{name}.time")
    return DayPartSpec(
        key=key,
        kind=kind,
        name=r.localized(r.require(item, "name", node, f"{name}.name"), f"{name}.name", languages) or {},
        starts_at=starts,
        ends_at=ends,
        capacity=r.integer(item.get("capacity"), f"{name}.capacity"),
        line=node.start_mark.line + 1,
        check_in=_own_entrance(r, item, name, key),
    )


# The desk names its check-in point: "door" and "exit" are taken (app/checkin/points.py).
POINT_NAMES_TAKEN = ("door", "exit")


def _own_entrance(r: NodeReader, item: dict, name: str, key: str) -> bool:
    """``check_in: true``: the part has its own entrance, where desks scan for it."""
    if "check_in" not in item:
        return False
    own = r.boolean(item["check_in"], f"{name}.check_in", default=False)
    if own and key in POINT_NAMES_TAKEN:
        r.fail(
            item["key"],
            f"{name}.key",
            _l(
                "a part with its own check-in cannot have the key %(key)s, which the desk uses for "
                "the %(key)s: choose another key",
                key=repr(key),
            ),
        )
    return own


def _day_part_kind(r: NodeReader, item: dict, node, name: str) -> str:
    kinds = [kind.value for kind in DayPartKind]
    kind = r.text(r.require(item, "kind", node, f"{name}.kind"), f"{name}.kind")
    if kind and kind not in kinds:
        r.fail(
            item["kind"],
            f"{name}.kind",
            _l("expected one of %(choices)s, got %(value)s", choices=", ".join(kinds), value=repr(kind)),
        )
    return kind or "other"


def read_tables(
    r: NodeReader, top: dict, languages: list[str], day_parts: list[DayPartSpec]
) -> list[TableSpec]:
    tables = []
    for name, node in r.numbered(top, "tables"):
        tables.append(_table(r, node, name, languages, taken=[table.key for table in tables]))
    if tables and not any(part.kind == DayPartKind.WORLD_CAFE for part in day_parts):
        r.fail(top["tables"], "tables", _l("tables need a day part of kind world_cafe"))
    return tables


def _table(r: NodeReader, node, name: str, languages: list[str], taken: list[str]) -> TableSpec:
    item = r.mapping(node, name) or {}
    return TableSpec(
        key=_key(r, item, node, name, taken),
        name=r.localized(r.require(item, "name", node, f"{name}.name"), f"{name}.name", languages) or {},
        description=r.localized(item.get("description"), f"{name}.description", languages),
        capacity=r.integer(r.require(item, "capacity", node, f"{name}.capacity"), f"{name}.capacity") or 0,
        accessible=r.boolean(item.get("accessible"), f"{name}.accessible", True),
        small_tables=r.integer(item.get("small_tables"), f"{name}.small_tables") or 0,
        line=node.start_mark.line + 1,
    )


def _key(r: NodeReader, item: dict, node, name: str, taken: list[str]) -> str:
    key = r.text(r.require(item, "key", node, f"{name}.key"), f"{name}.key") or ""
    if key and not KEY_RE.fullmatch(key):
        r.fail(item["key"], f"{name}.key", _l("use lower-case letters, digits, '-' and '_'"))
    if key and key in taken:  # a missing key is reported once, as "is required"
        r.fail(item["key"], f"{name}.key", _l("%(value)s is used twice", value=repr(key)))
    return key


def read_world_cafe(r: NodeReader, top: dict) -> tuple[int, str]:
    """The number of rounds and how people move between them (one round, staying, if absent)."""
    if "world_cafe" not in top:
        return 1, "stay"
    cafe = r.mapping(top["world_cafe"], "world_cafe") or {}
    rounds = r.integer(cafe.get("rounds"), "world_cafe.rounds", minimum=1) or 1
    rotation = r.text(cafe.get("rotation"), "world_cafe.rotation") or "stay"
    if rotation not in ("stay", "visit"):
        r.fail(
            cafe["rotation"],
            "world_cafe.rotation",
            _l("expected one of %(choices)s, got %(value)s", choices="stay, visit", value=repr(rotation)),
        )
    return rounds, rotation


def read_organisations(r: NodeReader, top: dict) -> list[tuple[str, str]]:
    """(name, kind) pairs; a name alone is a member. Names are unique, whatever their case."""
    organisations = []
    seen = set()
    for name, node in r.numbered(top, "organisations"):
        org_name, kind = _organisation(r, node, name)
        if org_name and org_name.casefold() in seen:
            r.fail(node, name, _l("%(value)s is listed twice", value=repr(org_name)))
        if org_name:
            seen.add(org_name.casefold())
            organisations.append((org_name, kind))
    return organisations


def _organisation(r: NodeReader, node, name: str) -> tuple[str | None, str]:
    if isinstance(node, yaml.ScalarNode):
        return r.text(node, name, max_length=200), "member"
    item = r.mapping(node, name) or {}
    org_name = r.text(r.require(item, "name", node, f"{name}.name"), f"{name}.name", max_length=200)
    return org_name, r.text(item.get("kind"), f"{name}.kind") or "member"
