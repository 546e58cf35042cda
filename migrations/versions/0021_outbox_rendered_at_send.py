"""outbox messages rendered when sent: body_text and body_html nullable, outbox_messages.locale

Revision ID: 0021
Revises: 0020
Create Date: 2027-03-20 10:00:00

A registration's confirmation is queued without its bodies (NULL) and with the language it is
written in (locale); the sender renders it from its kind and attendee when it sends it
(app/mail/outbox.py, bodies). Rendering it inside the request was a quarter of the
registration's CPU. Only outbox_messages is copied on SQLite: the place counters' triggers
on attendees and attendee_parts (migration 0016) are untouched.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=10), nullable=True))
        batch_op.alter_column("body_text", existing_type=sa.Text(), nullable=True)
        batch_op.alter_column("body_html", existing_type=sa.Text(), nullable=True)


def downgrade():
    outbox = sa.table("outbox_messages", sa.column("status"), sa.column("body_text"), sa.column("body_html"))
    unrendered = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.body_text.is_(None))
    waiting = op.get_bind().scalar(unrendered.where(outbox.c.status.in_(["queued", "sending"])))
    if waiting:
        raise RuntimeError(f"{waiting} queued messages are rendered when sent: send them first (flask mail send)")
    # Sent or failed for good: their history keeps no bodies.
    op.execute(outbox.update().where(outbox.c.body_text.is_(None)).values(body_text="", body_html=""))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("body_html", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("body_text", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("locale")
