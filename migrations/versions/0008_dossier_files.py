"""Dossier attachments, drafts and the resident's papers.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dossier_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('applicant_name', sa.String(length=120), nullable=False),
    sa.Column('applicant_phone', sa.String(length=15), nullable=True),
    sa.Column('applicant_id_number', sa.String(length=12), nullable=True),
    sa.Column('form_data', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossier_drafts_procedure_id_procedures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_dossier_drafts_unit_id_admin_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_dossier_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_drafts')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_dossier_drafts_idempotency_key'))
    )
    with op.batch_alter_table('dossier_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_drafts_user_id'), ['user_id'], unique=False)

    op.create_table('dossier_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('paper_type', sa.String(length=40), nullable=True),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('submission', 'supplement', 'scan')", name=op.f('ck_dossier_files_purpose')),
    sa.CheckConstraint('case_id IS NOT NULL OR draft_id IS NOT NULL OR owner_id IS NOT NULL', name=op.f('ck_dossier_files_attached')),
    sa.CheckConstraint('size > 0', name=op.f('ck_dossier_files_size')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_dossier_files_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['procedure_documents.id'], name=op.f('fk_dossier_files_document_id_procedure_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['dossier_drafts.id'], name=op.f('fk_dossier_files_draft_id_dossier_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_dossier_files_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_dossier_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_files'))
    )
    with op.batch_alter_table('dossier_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_files_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_files_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index('ix_dossier_files_owner_paper', ['owner_id', 'paper_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_files_storage_key'), ['storage_key'], unique=False)

    with op.batch_alter_table('procedure_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_type', sa.String(length=40), nullable=True))



def downgrade():
    with op.batch_alter_table('procedure_documents', schema=None) as batch_op:
        batch_op.drop_column('paper_type')

    with op.batch_alter_table('dossier_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_files_storage_key'))
        batch_op.drop_index('ix_dossier_files_owner_paper')
        batch_op.drop_index(batch_op.f('ix_dossier_files_draft_id'))
        batch_op.drop_index(batch_op.f('ix_dossier_files_case_id'))

    op.drop_table('dossier_files')
    with op.batch_alter_table('dossier_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_drafts_user_id'))

    op.drop_table('dossier_drafts')
