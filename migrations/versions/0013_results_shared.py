"""the day's results, shared: published outcomes, commitments, feedback; the schedule update

Revision ID: 0013
Revises: 0012
Create Date: 2027-02-10 10:00:00

The enums' values are written out as they were when this revision was made (see 0010).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

MAIL_KINDS_BEFORE = (
    "confirmation",
    "waitlisted",
    "promoted",
    "updated",
    "cancelled",
    "manage_link",
    "badge_reissued",
    "assignment",
    "reminder",
    "announcement",
    "staff_invite",
    "staff_reset",
)
MAIL_KINDS = MAIL_KINDS_BEFORE + ("schedule_changed", "feedback", "feedback_reminder")
AUDIT_ACTIONS_BEFORE = (
    "registration_cancelled",
    "badge_reissued",
    "check_in_undone",
    "desk_created",
    "desk_revoked",
    "photo_deleted",
    "staff_invited",
    "staff_password_reset",
    "staff_password_chosen",
    "staff_role_changed",
    "staff_reactivated",
    "staff_deactivated",
    "registration_reinstated",
    "capacity_overridden",
)
AUDIT_ACTIONS = AUDIT_ACTIONS_BEFORE + ("outcomes_published", "outcomes_unpublished")
COMMITMENT_STATUSES = ("open", "in_progress", "done", "dropped")
COMMITMENT_OWNERS = ("organisation", "city")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _rewrite_checks(mail_kinds, audit_actions):
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_kind"), type_="check")
        batch_op.create_check_constraint("kind", _in("kind", mail_kinds))
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_entries_action"), type_="check")
        batch_op.create_check_constraint("action", _in("action", audit_actions))


def upgrade():
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consent_name_public", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feedback", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("open_data", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("schedule_announced", sa.JSON(), nullable=True))
    _rewrite_checks(MAIL_KINDS, AUDIT_ACTIONS)
    op.create_table(
        "table_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("cafe_table_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by", sa.String(length=254), nullable=True),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cafe_table_id"], ["cafe_tables.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cafe_table_id"),
    )
    op.create_index("ix_table_outcomes_event_id", "table_outcomes", ["event_id"])
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("cafe_table_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("owner_kind", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("public_note", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(_in("status", COMMITMENT_STATUSES), name="status"),
        sa.CheckConstraint(_in("owner_kind", COMMITMENT_OWNERS), name="owner_kind"),
        sa.ForeignKeyConstraint(["cafe_table_id"], ["cafe_tables.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_commitments_event_id", "commitments", ["event_id"])
    op.create_table(
        "commitment_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("public_note", sa.JSON(), nullable=True),
        sa.Column("changed_by", sa.String(length=254), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(_in("status", COMMITMENT_STATUSES), name="status"),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_commitment_updates_commitment_id", "commitment_updates", ["commitment_id"])
    op.create_table(
        "feedback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendees.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attendee_id"),
    )
    op.create_index("ix_feedback_requests_event_id", "feedback_requests", ["event_id"])
    op.create_table(
        "feedback_answers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feedback_answers_event_id", "feedback_answers", ["event_id"])
    op.create_table(
        "published_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("caption", sa.JSON(), nullable=True),
        sa.Column("picked_by", sa.String(length=254), nullable=False),
        sa.Column("picked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["table_photos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("photo_id"),
    )


def downgrade():
    op.drop_table("published_photos")
    op.drop_index("ix_feedback_answers_event_id", table_name="feedback_answers")
    op.drop_table("feedback_answers")
    op.drop_index("ix_feedback_requests_event_id", table_name="feedback_requests")
    op.drop_table("feedback_requests")
    op.drop_index("ix_commitment_updates_commitment_id", table_name="commitment_updates")
    op.drop_table("commitment_updates")
    op.drop_index("ix_commitments_event_id", table_name="commitments")
    op.drop_table("commitments")
    op.drop_index("ix_table_outcomes_event_id", table_name="table_outcomes")
    op.drop_table("table_outcomes")
    _rewrite_checks(MAIL_KINDS_BEFORE, AUDIT_ACTIONS_BEFORE)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("schedule_announced")
        batch_op.drop_column("open_data")
        batch_op.drop_column("feedback")
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_column("consent_name_public")
