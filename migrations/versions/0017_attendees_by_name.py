"""attendees by name within their event: ix_attendees_event_name

Revision ID: 0017
Revises: 0016
Create Date: 2027-03-15 10:00:00

The admin's list, the arrivals list and the CSV show an event's people by name; without an
index the database sorted every attendee of the event to give the first page (20 ms at
30,000 on PostgreSQL, more as the event grows). With it, the first names come straight off
the index. A plain CREATE INDEX: on SQLite no table is copied, so the place counters'
triggers on attendees stay (migration 0016).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_attendees_event_name", "attendees", ["event_id", "last_name", "first_name", "id"])


def downgrade():
    op.drop_index("ix_attendees_event_name", table_name="attendees")
