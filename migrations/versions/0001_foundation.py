"""Foundation: administrative units, accounts, departments, officers, outbox.

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('admin_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("level IN ('province', 'commune', 'village')", name=op.f('ck_admin_units_level')),
    sa.ForeignKeyConstraint(['parent_id'], ['admin_units.id'], name=op.f('fk_admin_units_parent_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_units')),
    sa.UniqueConstraint('code', name=op.f('uq_admin_units_code'))
    )
    with op.batch_alter_table('admin_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=15), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("locale IN ('vi', 'en')", name=op.f('ck_users_locale')),
    sa.CheckConstraint("role IN ('resident', 'officer', 'leader', 'admin')", name=op.f('ck_users_role')),
    sa.CheckConstraint('phone IS NOT NULL OR email IS NOT NULL', name=op.f('ck_users_contact')),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_units.id'], name=op.f('fk_users_commune_id_admin_units')),
    sa.ForeignKeyConstraint(['village_id'], ['admin_units.id'], name=op.f('fk_users_village_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('phone', name=op.f('uq_users_phone'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_role'), ['role'], unique=False)

    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('case_types', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['leader_id'], ['users.id'], name=op.f('fk_departments_leader_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_departments_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_departments_code'))
    )
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departments_unit_id'), ['unit_id'], unique=False)

    op.create_table('officer_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('desk', sa.String(length=12), nullable=False),
    sa.Column('on_duty', sa.Boolean(), nullable=False),
    sa.Column('leave_from', sa.Date(), nullable=True),
    sa.Column('leave_until', sa.Date(), nullable=True),
    sa.Column('last_assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("desk IN ('intake', 'specialist', 'leader')", name=op.f('ck_officer_memberships_desk')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_officer_memberships_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_officer_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_memberships')),
    sa.UniqueConstraint('user_id', 'department_id', name='uq_officer_memberships_user_dept')
    )
    with op.batch_alter_table('officer_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_memberships_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_officer_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('officer_skills',
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['officer_memberships.id'], name=op.f('fk_officer_skills_membership_id_officer_memberships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('membership_id', 'skill', name=op.f('pk_officer_skills'))
    )

    op.create_table('password_reset_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_tokens_token_hash'))
    )
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_messages_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['created_at'], unique=False, sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))


def downgrade():
    op.drop_table('outbox_messages')
    op.drop_table('password_reset_tokens')
    op.drop_table('officer_skills')
    op.drop_table('officer_memberships')
    op.drop_table('departments')
    op.drop_table('users')
    op.drop_table('admin_units')
