"""many events per instance: organiser groups, staff memberships of events

Revision ID: 0014
Revises: 0013
Create Date: 2027-02-20 10:00:00

An instance made before this revision served one organiser: its events go to one group,
named after the organiser the newest event file gives; every staff account joins that group
and every existing event (as before, they could work on all of them); admins become instance
administrators, so they keep the power to load new events.
"""

import re
import unicodedata
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80] or "organisers"


def upgrade():
    op.create_table(
        "organisers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisers")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisers_slug")),
    )
    op.create_table(
        "event_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_memberships_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_event_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_memberships")),
        sa.UniqueConstraint("user_id", "event_id", name="uq_event_memberships_user_event"),
    )
    with op.batch_alter_table("event_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_memberships_event_id"), ["event_id"], unique=False)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organiser_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organiser_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("instance_admin", sa.Boolean(), server_default="0", nullable=False))
        batch_op.create_index(batch_op.f("ix_users_organiser_id"), ["organiser_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_users_organiser_id_organisers"), "organisers", ["organiser_id"], ["id"]
        )

    _put_existing_events_and_staff_in_one_group()

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("organiser_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_events_organiser_id"), ["organiser_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_events_organiser_id_organisers"), "organisers", ["organiser_id"], ["id"]
        )


def _put_existing_events_and_staff_in_one_group():
    conn = op.get_bind()
    events = conn.execute(sa.text("SELECT id, organiser FROM events ORDER BY date DESC, id DESC")).all()
    if not events:
        return
    name = next((organiser for _, organiser in events if organiser), None) or "Organisers"
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    conn.execute(
        sa.text("INSERT INTO organisers (slug, name, created_at) VALUES (:slug, :name, :now)"),
        {"slug": _slug(name), "name": name[:200], "now": now},
    )
    group_id = conn.execute(sa.text("SELECT id FROM organisers")).scalar_one()
    conn.execute(sa.text("UPDATE events SET organiser_id = :group"), {"group": group_id})
    conn.execute(
        sa.text("UPDATE users SET organiser_id = :group, instance_admin = (role = 'admin')"), {"group": group_id}
    )
    conn.execute(
        sa.text(
            "INSERT INTO event_memberships (user_id, event_id, created_at)"
            " SELECT users.id, events.id, :now FROM users CROSS JOIN events"
        ),
        {"now": now},
    )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_organiser_id_organisers"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_users_organiser_id"))
        batch_op.drop_column("instance_admin")
        batch_op.drop_column("organiser_id")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_events_organiser_id_organisers"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_events_organiser_id"))
        batch_op.drop_column("organiser_id")
    with op.batch_alter_table("event_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_memberships_event_id"))
    op.drop_table("event_memberships")
    op.drop_table("organisers")
