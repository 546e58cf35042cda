"""What a facilitator writes on a sheet, as the page sends it and as it is kept: the five
kinds of items (one per line), tags, and whether the sheet is done."""

from collections.abc import Iterable
from dataclasses import dataclass

from app.models import NOTE_KINDS

FIELD_MAX_CHARS = 20_000
TAGS_MAX = 30
TAG_MAX_CHARS = 40


@dataclass(frozen=True)
class SheetContent:
    """What a facilitator writes on a sheet: one item per line in each kind, tags, done."""

    insights: str = ""
    proposals: str = ""
    questions: str = ""
    developments: str = ""
    free_text: str = ""
    tags: tuple[str, ...] = ()
    finished: bool = False

    @classmethod
    def from_json(cls, data) -> "SheetContent":
        """Parse the page's JSON; raises ValueError naming the first bad field."""
        if not isinstance(data, dict):
            raise ValueError("content must be an object")
        values = {}
        for kind in NOTE_KINDS:
            value = data.get(kind, "")
            if not isinstance(value, str):
                raise ValueError(f"'{kind}' must be text")
            if len(value) > FIELD_MAX_CHARS:
                raise ValueError(f"'{kind}' is longer than {FIELD_MAX_CHARS} characters")
            values[kind] = value.replace("\r\n", "\n").replace("\r", "\n")
        tags = data.get("tags", [])
        if isinstance(tags, str):
            tags = tags.split(",")
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ValueError("'tags' must be a list of words")
        values["tags"] = normalise_tags(tags)
        values["finished"] = bool(data.get("finished", False))
        return cls(**values)

    @classmethod
    def of(cls, sheet) -> "SheetContent":
        """Of a NoteSheet, or of a row of its columns; empty for None."""
        if sheet is None:
            return cls()
        return cls(
            **{kind: getattr(sheet, kind) or "" for kind in NOTE_KINDS},
            tags=tuple(sheet.tags or ()),
            finished=bool(sheet.finished),
        )

    def as_json(self) -> dict:
        return {
            **{kind: getattr(self, kind) for kind in NOTE_KINDS},
            "tags": list(self.tags),
            "finished": self.finished,
        }


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, without a leading #, duplicates dropped (ignoring case), at most TAGS_MAX."""
    seen, kept = set(), []
    for tag in tags:
        tag = " ".join(tag.strip().lstrip("#").split())[:TAG_MAX_CHARS]
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            kept.append(tag)
    return tuple(kept[:TAGS_MAX])


def items(value: str) -> list[str]:
    """The structured items of one field: one per line, list markers and blanks dropped."""
    found = []
    for line in (value or "").splitlines():
        line = line.strip()
        if line[:2] in ("- ", "* ", "• "):
            line = line[2:].strip()
        if line:
            found.append(line)
    return found
