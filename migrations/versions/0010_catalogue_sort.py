"""The catalogue's Vietnamese sort keys, so a page of procedures is ordered and cut in SQL.

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

# The same function the model uses, so the keys written here are the ones it would write.
from app.text import vietnamese_sort_text

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_key_vi', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('sort_key_en', sa.Text(), server_default='', nullable=False))
    # Existing procedures get their keys now; later writes set them (app/models/procedures.py).
    conn = op.get_bind()
    procedures = sa.table('procedures', sa.column('id', sa.Integer), sa.column('name_vi', sa.Text),
                          sa.column('name_en', sa.Text), sa.column('sort_key_vi', sa.Text),
                          sa.column('sort_key_en', sa.Text))
    rows = conn.execute(sa.select(procedures.c.id, procedures.c.name_vi,
                                  procedures.c.name_en)).all()
    for pid, name_vi, name_en in rows:
        conn.execute(procedures.update().where(procedures.c.id == pid).values(
            sort_key_vi=vietnamese_sort_text(name_vi or ''),
            sort_key_en=vietnamese_sort_text(name_en or '')))
    # The '' default only filled the existing rows; the model sets every key itself.
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.alter_column('sort_key_vi', server_default=None)
        batch_op.alter_column('sort_key_en', server_default=None)
        batch_op.create_index('ix_procedures_sort_key_vi', ['sort_key_vi', 'name_vi'], unique=False)
        batch_op.create_index('ix_procedures_sort_key_en', ['sort_key_en', 'name_en'], unique=False)


def downgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index('ix_procedures_sort_key_en')
        batch_op.drop_index('ix_procedures_sort_key_vi')
        batch_op.drop_column('sort_key_en')
        batch_op.drop_column('sort_key_vi')
