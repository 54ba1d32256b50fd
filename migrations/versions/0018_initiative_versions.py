"""An initiative's versions keep everything its author can change before the official answer:
the category, the village and the list of needs, beside the title, text and cost they kept
already. Versions written before this revision have none of them (NULL: "not recorded").

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('initiative_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('village_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('needs', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_initiative_versions_village_id_admin_units'),
                                    'admin_units', ['village_id'], ['id'])


def downgrade():
    with op.batch_alter_table('initiative_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_initiative_versions_village_id_admin_units'),
                                 type_='foreignkey')
        batch_op.drop_column('needs')
        batch_op.drop_column('village_id')
        batch_op.drop_column('category')
