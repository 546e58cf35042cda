"""Each table's outcomes for the public: drafted from the facilitators' notes, edited by an
organiser (one text per language of the event), published and unpublished.

A save carries the version it was based on: a save on an older version is refused and
changes nothing, so that two organisers never overwrite each other unseen. Publishing is
refused while the text names someone who did not agree to be named; the public page
blanks such names out anyway (app/results/names.py), so that consent withdrawn
after publication takes effect at once.
"""

import enum
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.facilitation.notes import SUMMARY_ROUND, items, sheets_of
from app.models import NOTE_KINDS, AuditAction, AuditEntry, CafeTable, Event, TableOutcome, utcnow
from app.reporting.report import KIND_LABELS, round_title
from app.results.names import NameGuard

TEXT_MAX_CHARS = 20_000
LIST_MARKERS = ("- ", "* ", "• ")


class SaveResult(enum.Enum):
    SAVED = "saved"
    PUBLISHED = "published"  # saved and published
    STALE = "stale"  # someone saved since this text was opened: nothing changed
    NAMES = "names"  # names people who did not agree to be named: nothing changed
    EMPTY = "empty"  # nothing to publish


@dataclass(frozen=True)
class SaveOutcome:
    result: SaveResult
    names: list[str] = field(default_factory=list)  # NAMES: the names found


@dataclass(frozen=True)
class RoundNotes:
    round: int  # 0: the closing summary
    title: str
    kinds: list[tuple[str, list[str]]]  # (label, items), kinds with items only


def outcome_of(table: CafeTable) -> TableOutcome | None:
    return db.session.scalars(select(TableOutcome).filter_by(cafe_table_id=table.id)).first()


def table_outcomes(event: Event) -> list[tuple[CafeTable, TableOutcome | None]]:
    """Every table of the event, in order, with its outcome when one was saved."""
    saved = {
        o.cafe_table_id: o for o in db.session.scalars(select(TableOutcome).filter_by(event_id=event.id))
    }
    return [(table, saved.get(table.id)) for table in event.tables]


def notes_of(table: CafeTable) -> list[RoundNotes]:
    """The table's notes that hold anything: the closing summary first, then each round."""
    sheets = sheets_of(table)
    shown = []
    for round in sorted(sheets, key=lambda r: (r != SUMMARY_ROUND, r)):
        kinds = [(str(KIND_LABELS[kind]), items(getattr(sheets[round], kind))) for kind in NOTE_KINDS]
        kinds = [(label, found) for label, found in kinds if found]
        if kinds:
            shown.append(RoundNotes(round, round_title(round), kinds))
    return shown


def draft_texts(event: Event, table: CafeTable) -> dict[str, str]:
    """The notes laid out as plain text, once per language of the event: the headings in
    that language, the notes as the facilitators wrote them (the organiser translates)."""
    drafts = {}
    for language in event.languages:
        with force_locale(language):
            drafts[language] = _draft(notes_of(table))
    return drafts


def _draft(rounds: list[RoundNotes]) -> str:
    chunks = []
    for notes in rounds:
        chunks.append(notes.title)
        chunks += [label + ":\n" + "\n".join("- " + item for item in found) for label, found in notes.kinds]
    return "\n\n".join(chunks)


def save_texts(
    table: CafeTable, texts: dict[str, str], base_version: int, actor: str, publish: bool = False
) -> SaveOutcome:
    """Save the texts (base_version 0: none saved yet), and publish them when asked. While
    published, and to publish, the texts must name no one who did not agree to it."""
    texts = {language: _clean(texts.get(language)) for language in table_languages(table)}
    current = outcome_of(table)
    if (current.version if current else 0) != base_version:
        return SaveOutcome(SaveResult.STALE)
    public = publish or bool(current and current.published_at)
    if public and not any(texts.values()):
        return SaveOutcome(SaveResult.EMPTY)
    if public:
        names = NameGuard.of_event(table_event(table)).names_in(*texts.values())
        if names:
            return SaveOutcome(SaveResult.NAMES, names)
    values = {"text": texts, "updated_by": actor, "updated_at": utcnow()}
    if publish:
        values |= {"published_at": utcnow(), "published_by": actor}
    if not _written(table, current, values, base_version):
        db.session.rollback()
        return SaveOutcome(SaveResult.STALE)
    if publish:
        _audit(table, actor, AuditAction.OUTCOMES_PUBLISHED, base_version + 1)
    db.session.commit()
    return SaveOutcome(SaveResult.PUBLISHED if publish else SaveResult.SAVED)


def _written(table: CafeTable, current: TableOutcome | None, values: dict, base_version: int) -> bool:
    """The row written, only if still at base_version: the check and the write are one
    statement, so a save racing this one cannot slip in between."""
    if current is None:
        db.session.add(TableOutcome(event_id=table.event_id, cafe_table_id=table.id, version=1, **values))
        try:
            db.session.flush()
        except IntegrityError:  # another first save of this table won
            return False
        return True
    written = db.session.execute(
        update(TableOutcome)
        .where(TableOutcome.id == current.id, TableOutcome.version == base_version)
        .values(version=TableOutcome.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(current)
    return written.rowcount == 1


def unpublish(table: CafeTable, actor: str) -> bool:
    """Take the table's outcomes off the public page (the text stays); False if they were not on it."""
    current = outcome_of(table)
    if current is None or current.published_at is None:
        return False
    current.published_at, current.published_by = None, None
    _audit(table, actor, AuditAction.OUTCOMES_UNPUBLISHED, current.version)
    db.session.commit()
    return True


def _audit(table: CafeTable, actor: str, action: AuditAction, version: int) -> None:
    db.session.add(
        AuditEntry(
            event_id=table.event_id,
            actor=actor,
            action=action,
            details={"table": table.key, "version": version},
        )
    )


def _clean(text) -> str:
    text = text if isinstance(text, str) else ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()[:TEXT_MAX_CHARS]


def table_event(table: CafeTable) -> Event:
    return db.session.get(Event, table.event_id)


def table_languages(table: CafeTable) -> list[str]:
    return list(table_event(table).languages)


def has_published(event: Event) -> bool:
    """Is anything of the event on the public results page? One query."""
    return bool(
        db.session.scalar(
            select(exists().where(TableOutcome.event_id == event.id, TableOutcome.published_at.is_not(None)))
        )
    )


# ---- The public page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # "p": lines of a paragraph; "ul": items of a list
    lines: list[str]


@dataclass(frozen=True)
class PublishedTable:
    table: CafeTable
    language: str  # the language of the text shown (another one when the current one is empty)
    blocks: list[Block]
    published_at: datetime


def published_tables(event: Event, locale: str, guard: NameGuard | None = None) -> list[PublishedTable]:
    """The tables whose outcomes are published, in the event's order, their text in the
    locale (else another language of the event), names without consent blanked out."""
    guard = guard or NameGuard.of_event(event)
    shown = []
    for table, outcome in table_outcomes(event):
        if outcome is None or outcome.published_at is None:
            continue
        language, text = text_in(outcome.text or {}, locale, event.languages)
        shown.append(PublishedTable(table, language, text_blocks(guard.blanked(text)), outcome.published_at))
    return shown


def public_texts(event: Event) -> list[tuple[CafeTable, dict[str, str], datetime]]:
    """For exports (open data, feeds): each published table, its text in every language with
    names without consent blanked out, and when it was published."""
    guard = NameGuard.of_event(event)
    return [
        (
            table,
            {lang: guard.blanked(text) for lang, text in (outcome.text or {}).items()},
            outcome.published_at,
        )
        for table, outcome in table_outcomes(event)
        if outcome is not None and outcome.published_at is not None
    ]


def text_in(texts: dict, locale: str, languages: list[str]) -> tuple[str, str]:
    """(language, text): the locale's text, else the first language of the event that has one."""
    for language in [locale, *languages]:
        if texts.get(language):
            return language, texts[language]
    return locale, ""


def text_blocks(text: str) -> list[Block]:
    """Plain text as paragraphs and lists: blank lines part paragraphs, lines starting with
    "- " are list items."""
    blocks: list[Block] = []
    for chunk in text.split("\n\n"):
        chunk_blocks: list[Block] = []
        for line in (line.strip() for line in chunk.splitlines()):
            if not line:
                continue
            kind, line = ("ul", line[2:].strip()) if line.startswith(LIST_MARKERS) else ("p", line)
            if chunk_blocks and chunk_blocks[-1].kind == kind:
                chunk_blocks[-1].lines.append(line)
            else:
                chunk_blocks.append(Block(kind, [line]))
        blocks += chunk_blocks
    return blocks
