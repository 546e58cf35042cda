"""badge version: revocable badge tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:00:00

Written by hand. The server default fills the column for attendees registered before this
migration (their badges are version 1) and keeps NOT NULL valid on both SQLite and
PostgreSQL; batch mode lets SQLite rebuild the table where it must.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendees') as batch_op:
        batch_op.add_column(
            sa.Column('badge_version', sa.Integer(), nullable=False, server_default='1')
        )


def downgrade():
    with op.batch_alter_table('attendees') as batch_op:
        batch_op.drop_column('badge_version')
