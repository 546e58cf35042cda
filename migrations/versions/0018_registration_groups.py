"""groups registered together: registration_groups, attendees.group_id, events.group_registration

Revision ID: 0018
Revises: 0017
Create Date: 2027-03-20 10:00:00

On SQLite, attendees is copied to add group_id with its named foreign key (a REFERENCES
clause added by ALTER TABLE would be reflected without its name): the copy drops the place
counters' triggers on attendees, made again here (migration 0016). events gets its column
by a plain ALTER TABLE ADD COLUMN: not copied, as the triggers name it. outbox_messages is
copied on SQLite to rewrite its kind CHECK (no triggers there).
The enums' values are written out as they were when this revision was made (see 0010).
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
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
    "schedule_changed",
    "feedback",
    "feedback_reminder",
)
MAIL_KINDS = MAIL_KINDS_BEFORE + ("group_registered",)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _rewrite_kind_check(mail_kinds):
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_kind"), type_="check")
        batch_op.create_check_constraint("kind", _in("kind", mail_kinds))


def _counters():
    """Migration 0016, for the triggers it wrote (its file name is no module name)."""
    path = Path(__file__).with_name("0016_place_counters.py")
    spec = importlib.util.spec_from_file_location("place_counters_0016", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _put_back_counter_triggers():
    """SQLite's batch mode copies attendees, dropping the place counters' triggers on it
    (migration 0016): made again. PostgreSQL alters the table in place and keeps them."""
    if op.get_bind().dialect.name == "postgresql":
        return
    for trigger in _counters().SQLITE_TRIGGERS:
        op.execute(trigger.format(table="attendees", key="event_id", counted="events"))


def upgrade():
    op.create_table(
        "registration_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_language", sa.String(length=5), nullable=False),
        sa.Column("manage_token_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_registration_groups_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_groups")),
    )
    op.create_index("ix_registration_groups_event", "registration_groups", ["event_id"])
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_attendees_group_id_registration_groups"),
            "registration_groups",
            ["group_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _put_back_counter_triggers()
    op.create_index(op.f("ix_attendees_group_id"), "attendees", ["group_id"])
    op.add_column("events", sa.Column("group_registration", sa.JSON(), nullable=True))
    _rewrite_kind_check(MAIL_KINDS)


def downgrade():
    op.execute("DELETE FROM outbox_messages WHERE kind = 'group_registered'")
    _rewrite_kind_check(MAIL_KINDS_BEFORE)
    op.drop_index(op.f("ix_attendees_group_id"), table_name="attendees")
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_attendees_group_id_registration_groups"), type_="foreignkey")
        batch_op.drop_column("group_id")
    _put_back_counter_triggers()
    op.drop_column("events", "group_registration")
    op.drop_index("ix_registration_groups_event", table_name="registration_groups")
    op.drop_table("registration_groups")
