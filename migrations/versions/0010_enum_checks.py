"""CHECK constraints on the columns that hold an enum: audit actions, check-in methods, mail kinds

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-20 10:00:00

The values are written out here, as they were when this revision was made: a migration
must not change when the models' enums grow (a later revision rewrites the CHECK).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

AUDIT_ACTIONS = (
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
)
CHECK_IN_METHODS = ("scan", "search", "walk_in")
MAIL_KINDS = (
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
ACTIVE_CHECK_IN = sa.text("undone_at IS NULL")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_check_constraint("action", _in("action", AUDIT_ACTIONS))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_check_constraint("kind", _in("kind", MAIL_KINDS))
    # SQLite's batch mode copies the table; the partial unique index (one check-in in force
    # per attendee) is made again by hand so that its WHERE is kept.
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("uq_check_ins_active_attendee")
        batch_op.create_check_constraint("method", _in("method", CHECK_IN_METHODS))
        batch_op.create_index(
            "uq_check_ins_active_attendee",
            ["attendee_id"],
            unique=True,
            sqlite_where=ACTIVE_CHECK_IN,
            postgresql_where=ACTIVE_CHECK_IN,
        )


def downgrade():
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("uq_check_ins_active_attendee")
        batch_op.drop_constraint(op.f("ck_check_ins_method"), type_="check")
        batch_op.create_index(
            "uq_check_ins_active_attendee",
            ["attendee_id"],
            unique=True,
            sqlite_where=ACTIVE_CHECK_IN,
            postgresql_where=ACTIVE_CHECK_IN,
        )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_kind"), type_="check")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_entries_action"), type_="check")
