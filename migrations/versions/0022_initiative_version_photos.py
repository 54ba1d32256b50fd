"""An initiative's version keeps the photo it had (photos are never deleted, so the key stays
good); NULL in versions written before: "not recorded".

Revision ID: 0022
Revises: 0021
"""
from alembic import op
import sqlalchemy as sa

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('initiative_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_key', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('photo_kind', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('initiative_versions', schema=None) as batch_op:
        batch_op.drop_column('photo_kind')
        batch_op.drop_column('photo_key')
