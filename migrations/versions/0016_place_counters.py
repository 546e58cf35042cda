"""confirmed places counted as they change: events.confirmed_places, day_parts.confirmed_places

Revision ID: 0016
Revises: 0015
Create Date: 2027-03-08 10:00:00

A registration counts the places under the event's lock; a COUNT over the confirmed rows
grew with the event (40 ms at 30,000 attendees on PostgreSQL, every registration waiting
for it). The database keeps the two counts instead: triggers on attendees and
attendee_parts add or take one whenever a row becomes, or stops being, confirmed, however
it is written (the app, a bulk load, a cascade), and this migration fills them.
On SQLite, altering attendees or attendee_parts with batch_alter_table copies the table
and drops its triggers: such a migration must create them again (create_triggers below);
the check after every test (tests/conftest.py) would see the counters drift.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# (the counted rows, the key pointing at what counts them, the table holding the counter)
COUNTED = [
    ("attendees", "event_id", "events"),
    ("attendee_parts", "day_part_id", "day_parts"),
]

# PostgreSQL: statement-level, from the statement's transition tables, so a bulk INSERT or
# UPDATE of many rows changes each counter once (row-level, 30,000 rows inserted in one
# transaction updated the event's row 30,000 times, each walking the versions before it).
POSTGRESQL_FUNCTION = """
CREATE FUNCTION count_confirmed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE {counted} SET confirmed_places = confirmed_places + change.delta
    FROM (SELECT {key} AS id, count(*) AS delta FROM new_rows WHERE status = 'confirmed' GROUP BY {key}) AS change
    WHERE {counted}.id = change.id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE {counted} SET confirmed_places = confirmed_places - change.delta
    FROM (SELECT {key} AS id, count(*) AS delta FROM old_rows WHERE status = 'confirmed' GROUP BY {key}) AS change
    WHERE {counted}.id = change.id;
  ELSE
    UPDATE {counted} SET confirmed_places = confirmed_places + change.delta
    FROM (
      SELECT id, sum(delta) AS delta FROM (
        SELECT {key} AS id, 1 AS delta FROM new_rows WHERE status = 'confirmed'
        UNION ALL
        SELECT {key}, -1 FROM old_rows WHERE status = 'confirmed'
      ) AS changes GROUP BY id
    ) AS change
    WHERE {counted}.id = change.id AND change.delta <> 0;
  END IF;
  RETURN NULL;
END $$
"""
POSTGRESQL_TRIGGERS = [
    """CREATE TRIGGER {table}_confirmed_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_confirmed_{table}()""",
    """CREATE TRIGGER {table}_confirmed_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_confirmed_{table}()""",
    """CREATE TRIGGER {table}_confirmed_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_confirmed_{table}()""",
]
SQLITE_TRIGGERS = [
    """CREATE TRIGGER {table}_confirmed_insert AFTER INSERT ON {table} WHEN NEW.status = 'confirmed'
    BEGIN UPDATE {counted} SET confirmed_places = confirmed_places + 1 WHERE id = NEW.{key}; END""",
    """CREATE TRIGGER {table}_confirmed_delete AFTER DELETE ON {table} WHEN OLD.status = 'confirmed'
    BEGIN UPDATE {counted} SET confirmed_places = confirmed_places - 1 WHERE id = OLD.{key}; END""",
    """CREATE TRIGGER {table}_confirmed_update AFTER UPDATE OF status, {key} ON {table}
    WHEN OLD.status IS NOT NEW.status OR OLD.{key} IS NOT NEW.{key}
    BEGIN
      UPDATE {counted} SET confirmed_places = confirmed_places - 1
        WHERE id = OLD.{key} AND OLD.status = 'confirmed';
      UPDATE {counted} SET confirmed_places = confirmed_places + 1
        WHERE id = NEW.{key} AND NEW.status = 'confirmed';
    END""",
]
TRIGGER_NAMES = ["{table}_confirmed_insert", "{table}_confirmed_delete", "{table}_confirmed_update"]

RECOUNT = """
UPDATE {counted} SET confirmed_places = (
  SELECT count(*) FROM {table} WHERE {table}.{key} = {counted}.id AND {table}.status = 'confirmed'
)
"""


def create_triggers():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, key, counted in COUNTED:
        names = dict(table=table, key=key, counted=counted)
        if postgresql:
            op.execute(POSTGRESQL_FUNCTION.format(**names))
            for trigger in POSTGRESQL_TRIGGERS:
                op.execute(trigger.format(**names))
        else:
            for trigger in SQLITE_TRIGGERS:
                op.execute(trigger.format(**names))


def drop_triggers():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, _key, _counted in COUNTED:
        for name in TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER {name.format(table=table)}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION count_confirmed_{table}()")


def upgrade():
    for _table, _key, counted in COUNTED:
        op.add_column(counted, sa.Column("confirmed_places", sa.Integer(), server_default="0", nullable=False))
    create_triggers()
    for table, key, counted in COUNTED:
        op.execute(RECOUNT.format(table=table, key=key, counted=counted))


def downgrade():
    drop_triggers()
    for _table, _key, counted in reversed(COUNTED):
        with op.batch_alter_table(counted, schema=None) as batch_op:
            batch_op.drop_column("confirmed_places")
