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

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from app.core.transactions import commit_keeping_loaded
from app.extensions import db
from app.facilitation.note_content import (  # noqa: F401 (theirs, used through this module)
    FIELD_MAX_CHARS,
    TAGS_MAX,
    SheetContent,
    items,
    normalise_tags,
)
from app.models import NOTE_KINDS, CafeTable, NoteRevision, NoteSheet, User, utcnow

SUMMARY_ROUND = 0
SAVE_ID_MAX_CHARS = 64


class SaveResult(enum.Enum):
    SAVED = "saved"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class SaveOutcome:
    """SAVED: ``version`` is the version this save made. CONFLICT: nothing was overwritten;
    ``version`` and ``content`` are the server's, ``revision`` keeps the incoming text."""

    result: SaveResult
    version: int
    content: SheetContent
    revision: "SavedRevision"
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
        return _save_locked(table.id, round, content, base_version, save_id, author, set(resolves))
    except IntegrityError:
        # The same save id committed by a request running beside this one, which the lock's
        # statement may not see on PostgreSQL (its snapshot predates that commit): a replay.
        db.session.rollback()
        sheet = _locked_sheet(table.id, round, save_id)
        recorded = _recorded(sheet)
        db.session.commit()
        if recorded is None:
            raise
        return _replayed(recorded, sheet)


# The save is the facilitators' autosave, every few seconds from every table: it runs on
# SQLAlchemy Core statements built once (building one costs more than running it), in the
# session's transaction, with no ORM bookkeeping (bench/facilitators.py). A save is the
# sheet locked and read with its save id looked up, the revision written, and the sheet
# updated when the save applies; then the commit.
_SHEETS, _REVISIONS = NoteSheet.__table__, NoteRevision.__table__
_SHEET_COLUMNS = [
    _SHEETS.c[name] for name in ("id", *NOTE_KINDS, "tags", "version", "finished", "updated_by", "updated_at")
]
_THE_SHEET = (_SHEETS.c.cafe_table_id == bindparam("of_table")) & (_SHEETS.c.round == bindparam("of_round"))
_RECORDED_ID = select(_REVISIONS.c.id).where(_REVISIONS.c.save_id == bindparam("save_id")).scalar_subquery()
_LOCK = {
    "postgresql": select(*_SHEET_COLUMNS, _RECORDED_ID.label("recorded_id"))
    .where(_THE_SHEET)
    .with_for_update(of=_SHEETS),
    # A no-op UPDATE: it takes the database's single write lock, even when no row matches.
    "sqlite": _SHEETS.update()
    .where(_THE_SHEET)
    .values(id=_SHEETS.c.id)
    .returning(*_SHEET_COLUMNS, _RECORDED_ID.label("recorded_id")),
}
# Two first saves racing (PostgreSQL) meet on the unique constraint: the one that inserts
# nothing then locks the other's row.
_NEW_SHEET = {
    name: insert(_SHEETS).on_conflict_do_nothing(index_elements=["cafe_table_id", "round"])
    for name, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}
_NEW_REVISION = _REVISIONS.insert()
_UPDATE_SHEET = _SHEETS.update().where(_SHEETS.c.id == bindparam("of_sheet"))
_RESOLVE = (
    _REVISIONS.update()
    .where(
        _REVISIONS.c.sheet_id == bindparam("of_sheet"),
        _REVISIONS.c.conflict.is_(True),
        _REVISIONS.c.resolved.is_(False),
        _REVISIONS.c.id.in_(bindparam("resolves", expanding=True)),
    )
    .values(resolved=True)
)
_REVISION_BY_ID = select(_REVISIONS).where(_REVISIONS.c.id == bindparam("revision_id"))


def _save_locked(table_id, round, content, base_version, save_id, author, resolves) -> SaveOutcome:
    sheet = _locked_sheet(table_id, round, save_id)
    recorded = _recorded(sheet)
    if recorded is not None:
        outcome = _replayed(recorded, sheet)
        commit_keeping_loaded()  # ends the transaction: releases the lock
        return outcome
    applies = base_version == sheet.version
    _decided_to_save(sheet)
    now = utcnow()
    connection = db.session.connection()
    revision = {
        "sheet_id": sheet.id,
        "save_id": save_id,
        "base_version": base_version,
        "content": content.as_json(),
        "conflict": not applies,
        "resolved": False,
        "author": author,
        "created_at": now,
    }
    revision_id = connection.execute(_NEW_REVISION, revision).inserted_primary_key[0]
    if applies:
        _apply(connection, sheet.id, content, sheet.version + 1, author, now, resolves)
    _forget_loaded(sheet.id, resolves)
    commit_keeping_loaded()  # the request goes on using its user, event and table
    revision = SavedRevision(revision_id, base_version, content, not applies, author, now)
    if applies:
        return SaveOutcome(SaveResult.SAVED, sheet.version + 1, content, revision, False, author, now)
    server = SheetContent.of(sheet)
    return SaveOutcome(
        SaveResult.CONFLICT, sheet.version, server, revision, False, sheet.updated_by, sheet.updated_at
    )


@dataclass(frozen=True)
class SavedRevision:
    """The revision a save recorded (or, on a replay, found), as its answer needs it."""

    id: int
    base_version: int
    content: SheetContent
    conflict: bool
    author: str
    created_at: datetime


def _decided_to_save(sheet) -> None:
    """The point between reading the sheet's version and writing, under the sheet's lock.

    Does nothing. tests/test_notes_conflicts.py holds two saves here, each in its own
    thread and session, to prove that the second one waits for the first one's lock and
    then reads its version. Calling the read and the write as separate steps could not show
    it: the second read blocks inside the database, so the pause has to be here.
    """


def _apply(connection, sheet_id: int, content: SheetContent, version: int, author, now, resolves) -> None:
    """The save is based on the current version: it becomes the sheet's text, and settles
    the open conflicts of this sheet that it names."""
    values = {kind: getattr(content, kind) for kind in NOTE_KINDS}
    values.update(tags=list(content.tags), finished=content.finished, version=version)
    values.update(updated_by=author, updated_at=now, of_sheet=sheet_id)
    connection.execute(_UPDATE_SHEET, values)
    if resolves:
        connection.execute(_RESOLVE, {"of_sheet": sheet_id, "resolves": sorted(resolves)})


def _forget_loaded(sheet_id: int, resolves: set[int]) -> None:
    """Core wrote these rows: copies the session loaded earlier are read again when used."""
    for model, row_id in [(NoteSheet, sheet_id), *((NoteRevision, id) for id in resolves)]:
        loaded = db.session.identity_map.get(identity_key(model, row_id))
        if loaded is not None:
            db.session.expire(loaded)


def _recorded(sheet) -> SavedRevision | None:
    """The revision of the save id looked up with the lock (``sheet.recorded_id``)."""
    if sheet.recorded_id is None:
        return None
    row = db.session.connection().execute(_REVISION_BY_ID, {"revision_id": sheet.recorded_id}).one()
    if row.sheet_id != sheet.id:
        db.session.rollback()
        raise ValueError("this save id belongs to another sheet")
    content = SheetContent.from_json(row.content)
    return SavedRevision(row.id, row.base_version, content, row.conflict, row.author, row.created_at)


def _replayed(revision: SavedRevision, sheet) -> SaveOutcome:
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
        revision.content,
        revision,
        True,
        revision.author,
        revision.created_at,
    )


def _locked_sheet(table_id: int, round: int, save_id: str):
    """The sheet's row, locked until the transaction ends (created empty when missing),
    with ``recorded_id``: the revision of ``save_id``, if any, read in the same statement."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    which = {"of_table": table_id, "of_round": round, "save_id": save_id}
    sheet = connection.execute(_LOCK[dialect], which).first()
    if sheet is None:  # the sheet's first save
        empty = {**dict.fromkeys(NOTE_KINDS, ""), "tags": [], "version": 0, "finished": False}
        new = {**empty, "cafe_table_id": table_id, "round": round, "updated_at": utcnow()}
        connection.execute(_NEW_SHEET[dialect], new)
        sheet = connection.execute(_LOCK[dialect], which).one()
    return sheet
