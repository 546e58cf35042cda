"""event files: each loaded data file, as written

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 18:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('loaded_by', sa.String(length=254), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_files_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_files'))
    )
    with op.batch_alter_table('event_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_files_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_files_event_id'))
    op.drop_table('event_files')
