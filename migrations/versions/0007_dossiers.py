"""Dossiers: the dossier row beside its case, the daily code sequence, and the queue category
of each field of law.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The demo fields of law and the category their dossiers carry (others stay to be set).
_KNOWN = {"ho-tich": "civil_status", "chung-thuc": "certification", "cu-tru": "residence",
          "bao-tro-xa-hoi": "social_support"}


def upgrade():
    with op.batch_alter_table('procedure_fields') as batch:
        batch.add_column(sa.Column('category', sa.String(length=50), nullable=True))
    fields = sa.table('procedure_fields', sa.column('code', sa.String), sa.column('category', sa.String))
    for code, category in _KNOWN.items():
        op.execute(fields.update().where(fields.c.code == code).values(category=category))

    op.create_table('dossiers',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('applicant_name', sa.String(length=120), nullable=False),
    sa.Column('applicant_phone', sa.String(length=15), nullable=True),
    sa.Column('applicant_id_number', sa.String(length=12), nullable=True),
    sa.Column('form_data', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.String(length=1000), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('online', 'walk_in', 'post')", name=op.f('ck_dossiers_channel')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_dossiers_rating')),
    sa.CheckConstraint('applicant_phone IS NOT NULL OR applicant_id_number IS NOT NULL', name=op.f('ck_dossiers_applicant_contact')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_dossiers_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossiers_procedure_id_procedures')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_dossiers_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_dossiers_idempotency_key'))
    )
    op.create_index(op.f('ix_dossiers_procedure_id'), 'dossiers', ['procedure_id'], unique=False)
    op.create_index(op.f('ix_dossiers_applicant_phone'), 'dossiers', ['applicant_phone'], unique=False)
    op.create_index(op.f('ix_dossiers_applicant_id_number'), 'dossiers', ['applicant_id_number'], unique=False)
    op.create_table('dossier_sequences',
    sa.Column('agency_code', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agency_code', 'day', name=op.f('pk_dossier_sequences'))
    )


def downgrade():
    op.drop_table('dossier_sequences')
    op.drop_index(op.f('ix_dossiers_applicant_id_number'), table_name='dossiers')
    op.drop_index(op.f('ix_dossiers_applicant_phone'), table_name='dossiers')
    op.drop_index(op.f('ix_dossiers_procedure_id'), table_name='dossiers')
    op.drop_table('dossiers')
    with op.batch_alter_table('procedure_fields') as batch:
        batch.drop_column('category')
