"""A table's notes: one sheet per round (round 0 is the closing summary), saved as the
facilitator types, never silently overwritten.

Every save carries the version it was based on and an id made by the browser. Under the
sheet's row lock: a save id seen before gets its recorded answer again (a replay after a
dropped connection); a save based on the current version applies and bumps the version;
a save based on an older version is a conflict, kept as a revision beside the server's
text for the facilitator to merge. Revisions are never deleted.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.core.transactions import commit_keeping_loaded
from app.extensions import db
from app.models import NOTE_KINDS, CafeTable, NoteRevision, NoteSheet, User, utcnow

SUMMARY_ROUND = 0
FIELD_MAX_CHARS = 20_000
TAGS_MAX = 30
TAG_MAX_CHARS = 40
SAVE_ID_MAX_CHARS = 64


class SaveResult(enum.Enum):
    SAVED = "saved"
    CONFLICT = "conflict"


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
    def of(cls, sheet: NoteSheet | None) -> "SheetContent":
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

    def apply_to(self, sheet: NoteSheet) -> None:
        for kind in NOTE_KINDS:
            setattr(sheet, kind, getattr(self, kind))
        sheet.tags = list(self.tags)
        sheet.finished = self.finished


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


@dataclass(frozen=True)
class SaveOutcome:
    """SAVED: ``version`` is the version this save made. CONFLICT: nothing was overwritten;
    ``version`` and ``content`` are the server's, ``revision`` keeps the incoming text."""

    result: SaveResult
    version: int
    content: SheetContent
    revision: NoteRevision
    replayed: bool = False
    updated_by: str | None = None
    updated_at: datetime | None = None


def writer_names(emails: Iterable[str | None]) -> dict[str, str]:
    """The staff names of the sheets' writers (saves record the account's e-mail), so that
    a conflict says "Marta Rossi saved a newer version", not an address. An address no
    account has any more is left out: the page then says "someone else"."""
    emails = [email for email in emails if email]
    wanted = {email.lower() for email in emails}
    if not wanted:
        return {}
    users = db.session.scalars(select(User).where(func.lower(User.email).in_(wanted)))
    by_address = {user.email.lower(): user.name for user in users}
    return {email: by_address[email.lower()] for email in emails if email.lower() in by_address}


def sheet_for(table: CafeTable, round: int) -> NoteSheet | None:
    return db.session.scalars(select(NoteSheet).filter_by(cafe_table_id=table.id, round=round)).first()


def sheets_of(table: CafeTable) -> dict[int, NoteSheet]:
    return {s.round: s for s in db.session.scalars(select(NoteSheet).filter_by(cafe_table_id=table.id))}


def open_conflicts(sheet: NoteSheet | None) -> list[NoteRevision]:
    """Conflicting saves of the sheet not yet merged by anyone."""
    if sheet is None:
        return []
    return db.session.scalars(
        select(NoteRevision)
        .filter_by(sheet_id=sheet.id, conflict=True, resolved=False)
        .order_by(NoteRevision.id)
    ).all()


def revisions_of(sheet: NoteSheet | None) -> list[NoteRevision]:
    if sheet is None:
        return []
    return db.session.scalars(
        select(NoteRevision).filter_by(sheet_id=sheet.id).order_by(NoteRevision.id.desc())
    ).all()


def save_sheet(
    table: CafeTable,
    round: int,
    content: SheetContent,
    base_version: int,
    save_id: str,
    author: str,
    resolves: Iterable[int] = (),
) -> SaveOutcome:
    """Save a sheet under its row lock; see the module docstring. ``resolves`` names the
    conflict revisions that this (merged) text settles. Raises ValueError on a bad save id."""
    if not isinstance(save_id, str) or not 8 <= len(save_id) <= SAVE_ID_MAX_CHARS:
        raise ValueError("save_id must be 8 to 64 characters")
    try:
        return _save_locked(table, round, content, base_version, save_id, author, set(resolves))
    except IntegrityError:
        # The same save id committed by a request running beside this one: answer as a replay.
        db.session.rollback()
        sheet = _locked_sheet(table, round)
        recorded = _recorded(save_id, sheet)
        db.session.commit()
        if recorded is None:
            raise
        return _replayed(recorded, sheet)


def _save_locked(table, round, content, base_version, save_id, author, resolves) -> SaveOutcome:
    sheet = _locked_sheet(table, round)
    recorded = _recorded(save_id, sheet)
    if recorded is not None:
        outcome = _replayed(recorded, sheet)
        commit_keeping_loaded()  # ends the transaction: releases the lock
        return outcome
    applies = base_version == sheet.version
    _decided_to_save(sheet)
    revision = NoteRevision(
        sheet=sheet,
        save_id=save_id,
        base_version=base_version,
        content=content.as_json(),
        conflict=not applies,
        author=author,
    )
    db.session.add(revision)
    if applies:
        _apply(sheet, content, author, resolves)
    # The answer is made of what was just written: no need to read the sheet and the revision
    # back (an expiring commit would, two more queries a save).
    commit_keeping_loaded()
    result = SaveResult.SAVED if applies else SaveResult.CONFLICT
    return SaveOutcome(
        result, sheet.version, SheetContent.of(sheet), revision, False, sheet.updated_by, sheet.updated_at
    )


def _decided_to_save(sheet: NoteSheet) -> None:
    """The point between reading the sheet's version and writing, under the sheet's lock.

    Does nothing. tests/test_notes_conflicts.py holds two saves here, each in its own
    thread and session, to prove that the second one waits for the first one's lock and
    then reads its version. Calling the read and the write as separate steps could not show
    it: the second read blocks inside the database, so the pause has to be here.
    """


def _apply(sheet: NoteSheet, content: SheetContent, author: str, resolves: set[int]) -> None:
    """The save is based on the current version: it becomes the sheet's text, and settles
    the open conflicts it names."""
    content.apply_to(sheet)
    sheet.version += 1
    sheet.updated_by, sheet.updated_at = author, utcnow()
    for conflict in open_conflicts(sheet):
        if conflict.id in resolves:
            conflict.resolved = True


def _recorded(save_id: str, sheet: NoteSheet) -> NoteRevision | None:
    revision = db.session.scalars(select(NoteRevision).filter_by(save_id=save_id)).first()
    if revision is not None and revision.sheet_id != sheet.id:
        db.session.rollback()
        raise ValueError("this save id belongs to another sheet")
    return revision


def _replayed(revision: NoteRevision, sheet: NoteSheet) -> SaveOutcome:
    if revision.conflict:
        return SaveOutcome(
            SaveResult.CONFLICT,
            sheet.version,
            SheetContent.of(sheet),
            revision,
            True,
            sheet.updated_by,
            sheet.updated_at,
        )
    # The version this save made and its text: the page rebases its next save on them, so
    # that a save made by someone else since then still shows up as a conflict.
    return SaveOutcome(
        SaveResult.SAVED,
        revision.base_version + 1,
        SheetContent.from_json(revision.content),
        revision,
        True,
        revision.author,
        revision.created_at,
    )


def _locked_sheet(table: CafeTable, round: int) -> NoteSheet:
    """The sheet's row, locked until the transaction ends; created empty when missing."""
    criteria = {"cafe_table_id": table.id, "round": round}
    query = select(NoteSheet).filter_by(**criteria).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        return _locked_row_postgresql(query, criteria)
    return _locked_row_sqlite(query, criteria)


def _locked_row_postgresql(query, criteria: dict) -> NoteSheet:
    """SELECT ... FOR UPDATE; two first saves racing meet on the unique constraint, in a
    savepoint, and the loser locks the winner's row."""
    sheet = db.session.scalars(query.with_for_update()).first()
    if sheet is not None:
        return sheet
    try:
        with db.session.begin_nested():
            sheet = NoteSheet(**criteria, version=0, tags=[])
            db.session.add(sheet)
        return sheet
    except IntegrityError:
        return db.session.scalars(query.with_for_update()).one()


def _locked_row_sqlite(query, criteria: dict) -> NoteSheet:
    """A no-op UPDATE first: it takes the database's single write lock even when no row matches."""
    db.session.execute(
        text("UPDATE note_sheets SET id = id WHERE cafe_table_id = :cafe_table_id AND round = :round"),
        criteria,
    )
    sheet = db.session.scalars(query).first()
    if sheet is None:
        sheet = NoteSheet(**criteria, version=0, tags=[])
        db.session.add(sheet)
        db.session.flush()
    return sheet
