"""custom registration questions per event, and fixed fields an event file can switch off

Revision ID: 0015
Revises: 0014
Create Date: 2027-03-01 10:00:00

The questions and the switches are JSON on the event, as the file gives them; the answers a
table of their own, by question key (app/models/answer.py).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("questions", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("fixed_fields", sa.JSON(), nullable=True))
    op.create_table(
        "attendee_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.CheckConstraint("length(question_key) > 0", name="question_key"),
        sa.ForeignKeyConstraint(["attendee_id"], ["attendees.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attendee_id", "question_key"),
    )


def downgrade():
    op.drop_table("attendee_answers")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("fixed_fields")
        batch_op.drop_column("questions")
