"""Dossier fees, payments and how the result is collected.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dossier_fees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('table_amount', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=True),
    sa.Column('receipt_number', sa.String(length=40), nullable=True),
    sa.Column('amount_paid', sa.Integer(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_dossier_fees_amount')),
    sa.CheckConstraint('table_amount IS NULL OR table_amount >= 0', name=op.f('ck_dossier_fees_table_amount')),
    sa.CheckConstraint('reason IS NOT NULL OR (table_amount IS NOT NULL AND amount = table_amount)', name=op.f('ck_dossier_fees_reason')),
    sa.CheckConstraint('amount_paid IS NULL OR amount_paid > 0', name=op.f('ck_dossier_fees_amount_paid')),
    sa.CheckConstraint('(paid_on IS NULL) = (receipt_number IS NULL) AND (paid_on IS NULL) = (amount_paid IS NULL) AND (paid_on IS NULL) = (provider IS NULL)', name=op.f('ck_dossier_fees_payment')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_dossier_fees_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_dossier_fees_requested_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_dossier_fees_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_fees'))
    )
    op.create_index(op.f('ix_dossier_fees_case_id'), 'dossier_fees', ['case_id'], unique=False)
    op.create_table('dossier_results',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('file_key', sa.String(length=80), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handed_over_method', sa.String(length=12), nullable=True),
    sa.Column('handed_over_note', sa.String(length=500), nullable=True),
    sa.Column('handed_over_by_id', sa.Integer(), nullable=True),
    sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("method IN ('desk', 'post', 'electronic')", name=op.f('ck_dossier_results_method')),
    sa.CheckConstraint("handed_over_method IS NULL OR handed_over_method IN ('desk', 'post', 'electronic')", name=op.f('ck_dossier_results_handed_over_method')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_dossier_results_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_dossier_results_set_by_id_users')),
    sa.ForeignKeyConstraint(['handed_over_by_id'], ['users.id'], name=op.f('fk_dossier_results_handed_over_by_id_users')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_dossier_results'))
    )


def downgrade():
    op.drop_table('dossier_results')
    op.drop_index(op.f('ix_dossier_fees_case_id'), table_name='dossier_fees')
    op.drop_table('dossier_fees')
