"""Finding attendees by what staff type: the organisers' list and the desk.

The rule, the same with or without an index: the typed text, case aside, anywhere in the
person's name ("first last"), e-mail address or organisation; accents count ("Nicolò" is not
"Nicolo"), and LIKE's wildcards (% and _) are read as typed. Case aside means what each
database's own comparison does: PostgreSQL's ILIKE folds every letter, SQLite's LIKE only
A to Z (so "é" finds "é" but not "É" there).

Without help, each search read every attendee of the event (30,000 people: 88 ms on
PostgreSQL, 48 ms on SQLite). So the database narrows it down first (migration 0019):
- PostgreSQL: a pg_trgm GIN index on each searched expression; the condition below is the
  very expression indexed, so the planner uses it, and rechecks each row it finds.
- SQLite: attendee_search, an FTS5 table of trigrams kept in step with attendees by
  triggers; a text of 3 characters or more first picks the rows holding it there (folding
  more letters than LIKE does, so never fewer), then the same LIKE as always decides.
  SQLite has no planner statistics for it, so we ask first: when more than FTS_MOST
  people (of every event) hold the text ("auser", "@gmail"), walking the event's people
  by name finds a page at once, and the table would only slow it down (67 ms instead of
  0.1 ms at 30,000), so it is left out.
A text of 1 or 2 characters has no trigram: it is read without the index, as before.
"""

import weakref

from sqlalchemy import String, and_, column, func, literal_column, or_, select, table, text
from sqlalchemy.engine import Engine

from app.extensions import db
from app.models import Attendee

SEARCH_TABLE = "attendee_search"  # SQLite only: the FTS5 table (migration 0019)
TRIGRAM = 3  # the shortest text an index can find (pg_trgm and FTS5 alike)
# Past this many holders (of every event), the SQLite table is not used (see above); counting
# up to it costs about 1 ms.
FTS_MOST = 10_000

_index = table(SEARCH_TABLE, column("rowid"), column(SEARCH_TABLE))


def full_name():
    """ "first last", as searched and as indexed on PostgreSQL (migration 0019): a literal
    space, not a parameter, so that the query's expression is the index's."""
    return Attendee.first_name + literal_column("' '", String) + Attendee.last_name


def holds_text(typed: str):
    """The organisers' search: the whole text in the name, the e-mail or the organisation."""
    condition = or_(
        full_name().icontains(typed, autoescape=True),
        Attendee.email.icontains(typed, autoescape=True),
        Attendee.organisation_name.icontains(typed, autoescape=True),
    )
    return _narrowed(condition, _phrase(typed))


def holds_every_word(words: list[str]):
    """The desk's search: each word somewhere (name, e-mail or organisation), in any order.
    A word has no space, so it is in "first last" just when it is in one of the two."""
    condition = and_(
        *(
            or_(
                full_name().icontains(word, autoescape=True),
                Attendee.email.icontains(word, autoescape=True),
                Attendee.organisation_name.icontains(word, autoescape=True),
            )
            for word in words
        )
    )
    phrases = [_phrase(word) for word in words if len(word) >= TRIGRAM]
    return _narrowed(condition, " AND ".join(phrases) if phrases else "")


def organisation_holds(typed: str):
    """The organisers' organisation filter: the text in what the person typed as theirs."""
    condition = Attendee.organisation_name.icontains(typed, autoescape=True)
    return _narrowed(condition, "organisation : " + _phrase(typed) if len(typed) >= TRIGRAM else "")


def _phrase(typed: str) -> str:
    """The text as an FTS5 phrase (trigram tokenizer: a substring), or "" when too short."""
    if len(typed) < TRIGRAM:
        return ""
    return '"' + typed.replace('"', '""') + '"'


def _narrowed(condition, fts_query: str):
    """`condition`, first narrowed by the FTS5 table on SQLite when the text allows it."""
    if not fts_query or not has_fts_index(db.engine):
        return condition
    candidates = select(_index.c.rowid).where(_index.c[SEARCH_TABLE].match(fts_query))
    held = db.session.scalar(select(func.count()).select_from(candidates.limit(FTS_MOST + 1).subquery()))
    if held > FTS_MOST:
        return condition
    return and_(Attendee.id.in_(candidates), condition)


_fts_present: "weakref.WeakKeyDictionary[Engine, bool]" = weakref.WeakKeyDictionary()


def has_fts_index(engine: Engine) -> bool:
    """Whether this SQLite database has the FTS5 table (its SQLite may lack the trigram
    tokenizer, 3.34 on); asked once per engine. PostgreSQL needs none: False."""
    if engine.dialect.name != "sqlite":
        return False
    if engine not in _fts_present:
        with engine.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                {"name": SEARCH_TABLE},
            )
        _fts_present[engine] = found is not None
    return _fts_present[engine]


def fts_drift() -> list[int]:
    """Attendees whose row in the SQLite FTS5 table is missing or differs from them, and rows
    left of people gone: what the triggers failed to keep (empty when in step)."""
    if not has_fts_index(db.engine):
        return []
    return list(db.session.scalars(text(DRIFT)))


DRIFT = f"""
SELECT a.id FROM attendees AS a LEFT JOIN {SEARCH_TABLE} AS s ON s.rowid = a.id
WHERE s.rowid IS NULL OR s.full_name IS NOT a.first_name || ' ' || a.last_name
   OR s.email IS NOT a.email OR s.organisation IS NOT a.organisation_name
UNION ALL
SELECT s.rowid FROM {SEARCH_TABLE} AS s WHERE s.rowid NOT IN (SELECT id FROM attendees)
"""


def modelled(name: str, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name: what migration 0019 keeps outside the models (the FTS5
    table and its shadow tables, the trigram indexes) is not compared with them."""
    if type_ == "table":
        return not name.startswith(SEARCH_TABLE)
    if type_ == "index":
        return not name.startswith("ix_attendees_search_")
    return True
