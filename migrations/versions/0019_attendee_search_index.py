"""attendees found by what staff type: trigram indexes (PostgreSQL), an FTS5 table (SQLite)

Revision ID: 0019
Revises: 0018
Create Date: 2027-03-22 10:00:00

A search (the organisers' list, the desk) looks for the typed text anywhere in the name,
the e-mail address or the organisation (app/registration/attendee_search.py): every
attendee of the event was read (30,000 people: 88 ms on PostgreSQL, 48 ms on SQLite).
- PostgreSQL: pg_trgm's GIN indexes on the three searched expressions. pg_trgm ships with
  PostgreSQL (contrib) and is trusted: a database owner may create it. Where it cannot be
  created, the migration says so and goes on without the indexes: searches stay right,
  only slower. The downgrade leaves the extension: something else may use it.
- SQLite (3.34 on, with FTS5): attendee_search, an FTS5 table of trigrams holding each
  attendee's name, e-mail and organisation, kept by triggers on attendees however they are
  written. A batch_alter_table on attendees copies the table and drops its triggers (as
  migration 0016's): such a migration must create them again (create_sqlite_triggers).
Neither is in the models (SQLAlchemy declares no FTS5 table, and the indexes are
PostgreSQL's): attendee_search.modelled keeps them out of the comparison with the models.
"""

import logging
import sqlite3

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# name -> the expression searched, exactly as app/registration/attendee_search.py writes it
POSTGRESQL_INDEXES = {
    "ix_attendees_search_name": "(first_name || ' ' || last_name)",
    "ix_attendees_search_email": "email",
    "ix_attendees_search_organisation": "organisation_name",
}

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE attendee_search USING fts5(full_name, email, organisation, tokenize = 'trigram')"
)
SQLITE_ROW = "NEW.id, NEW.first_name || ' ' || NEW.last_name, NEW.email, NEW.organisation_name"
# The update trigger fires only when a searched value really changes: the check-in's lock
# (UPDATE attendees SET id = id, app/checkin/scan_statements.py) names id and must not
# rewrite the person's index row on every scan (it made a scan 2.5 times dearer at 30,000).
SQLITE_TRIGGERS = {
    "attendees_search_insert": f"""CREATE TRIGGER attendees_search_insert AFTER INSERT ON attendees
    BEGIN INSERT INTO attendee_search (rowid, full_name, email, organisation) VALUES ({SQLITE_ROW}); END""",
    "attendees_search_delete": """CREATE TRIGGER attendees_search_delete AFTER DELETE ON attendees
    BEGIN DELETE FROM attendee_search WHERE rowid = OLD.id; END""",
    "attendees_search_update": f"""CREATE TRIGGER attendees_search_update
    AFTER UPDATE OF id, first_name, last_name, email, organisation_name ON attendees
    WHEN OLD.id IS NOT NEW.id OR OLD.first_name IS NOT NEW.first_name
      OR OLD.last_name IS NOT NEW.last_name OR OLD.email IS NOT NEW.email
      OR OLD.organisation_name IS NOT NEW.organisation_name
    BEGIN
      DELETE FROM attendee_search WHERE rowid = OLD.id;
      INSERT INTO attendee_search (rowid, full_name, email, organisation) VALUES ({SQLITE_ROW});
    END""",
}
SQLITE_FILL = """INSERT INTO attendee_search (rowid, full_name, email, organisation)
SELECT id, first_name || ' ' || last_name, email, organisation_name FROM attendees"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        if _trigram_extension():
            for name, expression in POSTGRESQL_INDEXES.items():
                op.execute(f"CREATE INDEX {name} ON attendees USING gin ({expression} gin_trgm_ops)")
    elif _sqlite_has_trigrams():
        op.execute(SQLITE_TABLE)
        create_sqlite_triggers()
        op.execute(SQLITE_FILL)
    else:
        log.warning("SQLite %s has no FTS5 trigram tokenizer: searches read every attendee", sqlite3.sqlite_version)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRESQL_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS attendee_search")


def create_sqlite_triggers():
    for trigger in SQLITE_TRIGGERS.values():
        op.execute(trigger)


def _trigram_extension() -> bool:
    """Whether pg_trgm is there, created if need be (in a savepoint: refused, the
    migration goes on)."""
    bind = op.get_bind()
    if bind.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")):
        return True
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        log.warning("pg_trgm could not be created, searches read every attendee: %s", error.orig)
        return False
    return True


def _sqlite_has_trigrams() -> bool:
    """FTS5 compiled in, with the trigram tokenizer (SQLite 3.34, December 2020)."""
    if sqlite3.sqlite_version_info < (3, 34):
        return False
    options = {row[0] for row in op.get_bind().execute(sa.text("PRAGMA compile_options"))}
    return "ENABLE_FTS5" in options
