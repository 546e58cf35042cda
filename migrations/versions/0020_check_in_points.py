"""check-in points: point_scans, day_parts.check_in, events.exit_scans

Revision ID: 0020
Revises: 0019
Create Date: 2027-03-22 10:00:00

Scans at lunch, at the world café's entrance and at the exit, kept apart from the door's
check-ins (app/checkin/points.py). Plain ADD COLUMN on events and day_parts: on SQLite no
table is copied, so the place counters' triggers (migration 0016) stay.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("events", sa.Column("exit_scans", sa.Boolean(), server_default="0", nullable=False))
    op.add_column("day_parts", sa.Column("check_in", sa.Boolean(), server_default="0", nullable=False))
    op.create_table(
        "point_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("day_part_id", sa.Integer(), nullable=True),
        sa.Column("cafe_table_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=True),
        sa.Column("desk_device_id", sa.Integer(), nullable=True),
        sa.Column("desk_name", sa.String(length=60), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("scanned_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=254), nullable=True),
        sa.CheckConstraint("kind IN ('part', 'exit')", name=op.f("ck_point_scans_kind")),
        sa.CheckConstraint(
            "(kind = 'part') = (day_part_id IS NOT NULL)", name=op.f("ck_point_scans_part_has_day_part")
        ),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendees.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cafe_table_id"], ["cafe_tables.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["day_part_id"], ["day_parts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["desk_device_id"], ["desk_devices.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index(
        "ix_point_scans_event_point", "point_scans", ["event_id", "kind", "day_part_id", "undone_at"]
    )
    where = "undone_at IS NULL AND kind = '{}'"
    op.create_index(
        "uq_point_scans_active_part",
        "point_scans",
        ["attendee_id", "day_part_id"],
        unique=True,
        sqlite_where=sa.text(where.format("part")),
        postgresql_where=sa.text(where.format("part")),
    )
    op.create_index(
        "uq_point_scans_active_exit",
        "point_scans",
        ["attendee_id"],
        unique=True,
        sqlite_where=sa.text(where.format("exit")),
        postgresql_where=sa.text(where.format("exit")),
    )


def downgrade():
    op.drop_table("point_scans")
    op.drop_column("day_parts", "check_in")
    op.drop_column("events", "exit_scans")
