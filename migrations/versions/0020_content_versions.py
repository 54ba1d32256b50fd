"""A counter per kind of public content (app/models/content_versions.py), so a node keeping the
catalogue's pages rendered knows when any node changed the catalogue.

Revision ID: 0020
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'content_versions',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_content_versions')),
    )


def downgrade():
    op.drop_table('content_versions')
