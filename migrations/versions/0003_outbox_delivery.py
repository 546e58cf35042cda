"""outbox delivery: claims, stable Message-IDs, attachments, status 'sending'

Revision ID: 0003
Revises: 0002

Written by hand; batch mode rebuilds the table on SQLite to change the CHECK constraint.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("message_id", sa.String(200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(32), nullable=True))
        batch_op.drop_constraint(op.f("ck_outbox_messages_status"), type_="check")
        batch_op.create_check_constraint("status", "status IN ('queued', 'sending', 'sent', 'failed')")
    op.execute("UPDATE outbox_messages SET message_id = '<outbox-' || id || '@noiday.local>'")


def downgrade():
    op.execute("UPDATE outbox_messages SET status = 'queued' WHERE status = 'sending'")
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_status"), type_="check")
        batch_op.create_check_constraint("status", "status IN ('queued', 'sent', 'failed')")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("message_id")
        batch_op.drop_column("attachments")
