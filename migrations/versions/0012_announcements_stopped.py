"""announcements stopped: the attendee's one-click unsubscribe from announcements

Revision ID: 0012
Revises: 0011
Create Date: 2027-02-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announcements_stopped_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_column("announcements_stopped_at")
