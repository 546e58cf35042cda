"""staff accounts: language, password chosen, last sign-in

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='it', nullable=False))
        batch_op.add_column(sa.Column('password_set_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
    # Accounts made before this revision were made with a password (flask user create).
    op.execute("UPDATE users SET password_set_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('password_set_at')
        batch_op.drop_column('language')
