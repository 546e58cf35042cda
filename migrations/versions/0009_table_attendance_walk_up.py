"""table attendance: walk-ups (not seated at the table, added there from a badge scan)

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-10 10:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Marks made before this revision for people with no seat at that table and round in the
# event's published assignment could only come from a badge scan: they are walk-ups.
NOT_SEATED_THERE = """
UPDATE table_attendance SET walk_up = :walk_up
WHERE NOT EXISTS (
    SELECT 1 FROM seat_assignments
    WHERE seat_assignments.attendee_id = table_attendance.attendee_id
      AND seat_assignments.cafe_table_id = table_attendance.cafe_table_id
      AND seat_assignments.round = table_attendance.round
      AND seat_assignments.run_id = (
          SELECT assignment_runs.id FROM assignment_runs
          JOIN cafe_tables ON cafe_tables.event_id = assignment_runs.event_id
          WHERE cafe_tables.id = table_attendance.cafe_table_id
            AND assignment_runs.published_at IS NOT NULL
          ORDER BY assignment_runs.published_at DESC, assignment_runs.id DESC
          LIMIT 1
      )
)
"""


def upgrade():
    with op.batch_alter_table("table_attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("walk_up", sa.Boolean(), server_default="0", nullable=False))
    op.execute(sa.text(NOT_SEATED_THERE).bindparams(walk_up=True))


def downgrade():
    with op.batch_alter_table("table_attendance", schema=None) as batch_op:
        batch_op.drop_column("walk_up")
