"""Procedure catalogue: procedures, their fields of law, documents, fees and form schemas.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('procedure_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_fields')),
    sa.UniqueConstraint('code', name=op.f('uq_procedure_fields_code'))
    )
    op.create_table('procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name_vi', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('agency_vi', sa.String(length=300), nullable=False),
    sa.Column('agency_en', sa.String(length=300), nullable=False),
    sa.Column('applicants_vi', sa.Text(), nullable=False),
    sa.Column('applicants_en', sa.Text(), nullable=False),
    sa.Column('steps_vi', sa.Text(), nullable=False),
    sa.Column('steps_en', sa.Text(), nullable=False),
    sa.Column('legal_basis_vi', sa.Text(), nullable=False),
    sa.Column('legal_basis_en', sa.Text(), nullable=False),
    sa.Column('processing_days', sa.Integer(), nullable=False),
    sa.Column('online_level', sa.String(length=10), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('fee_in_person', sa.Integer(), nullable=True),
    sa.Column('fee_online', sa.Integer(), nullable=True),
    sa.Column('fee_post', sa.Integer(), nullable=True),
    sa.Column('fee_note_vi', sa.Text(), nullable=False),
    sa.Column('fee_note_en', sa.Text(), nullable=False),
    sa.Column('form_schema', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.CheckConstraint("level IN ('commune', 'district', 'province')", name=op.f('ck_procedures_level')),
    sa.CheckConstraint("online_level IN ('partial', 'full')", name=op.f('ck_procedures_online_level')),
    sa.CheckConstraint('fee_in_person IS NULL OR fee_in_person >= 0', name=op.f('ck_procedures_fee_in_person')),
    sa.CheckConstraint('fee_online IS NULL OR fee_online >= 0', name=op.f('ck_procedures_fee_online')),
    sa.CheckConstraint('fee_post IS NULL OR fee_post >= 0', name=op.f('ck_procedures_fee_post')),
    sa.CheckConstraint('processing_days >= 0', name=op.f('ck_procedures_processing_days')),
    sa.ForeignKeyConstraint(['field_id'], ['procedure_fields.id'], name=op.f('fk_procedures_field_id_procedure_fields')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures')),
    sa.UniqueConstraint('code', name=op.f('uq_procedures_code'))
    )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index('ix_procedures_field_active', ['field_id', 'active'], unique=False)

    op.create_table('procedure_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_vi', sa.String(length=500), nullable=False),
    sa.Column('name_en', sa.String(length=500), nullable=False),
    sa.Column('original_or_copy', sa.String(length=10), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('upload_required', sa.Boolean(), nullable=False),
    sa.Column('template_key', sa.String(length=100), nullable=True),
    sa.Column('template_kind', sa.String(length=10), nullable=True),
    sa.CheckConstraint("original_or_copy IN ('original', 'copy', 'either')", name=op.f('ck_procedure_documents_original_or_copy')),
    sa.CheckConstraint('copies >= 1', name=op.f('ck_procedure_documents_copies')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_procedure_documents_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_documents'))
    )
    with op.batch_alter_table('procedure_documents', schema=None) as batch_op:
        batch_op.create_index('ix_procedure_documents_procedure_position', ['procedure_id', 'position'], unique=False)


def downgrade():
    with op.batch_alter_table('procedure_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_procedure_documents_procedure_position')
    op.drop_table('procedure_documents')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index('ix_procedures_field_active')
    op.drop_table('procedures')
    op.drop_table('procedure_fields')
