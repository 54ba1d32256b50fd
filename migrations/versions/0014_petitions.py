"""Petitions and questions answered in public (topics, petitions, attachments), voters'
meetings and their answer sheets, citizen reception (sessions, registrations, records).

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('petition_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('sla_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('sla_days BETWEEN 1 AND 90', name=op.f('ck_petition_topics_sla_days')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_topics')),
    sa.UniqueConstraint('code', name=op.f('uq_petition_topics_code'))
    )
    op.create_table('reception_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('ends_at', sa.Time(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('receiver', sa.String(length=200), nullable=False),
    sa.Column('topics_vi', sa.String(length=500), nullable=False),
    sa.Column('topics_en', sa.String(length=500), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('registered', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity BETWEEN 1 AND 500', name=op.f('ck_reception_sessions_capacity')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_reception_sessions_hours')),
    sa.CheckConstraint('registered >= 0 AND (capacity IS NULL OR registered <= capacity)', name=op.f('ck_reception_sessions_registered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reception_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_reception_sessions_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_sessions'))
    )
    with op.batch_alter_table('reception_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_sessions_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_reception_sessions_unit_id'), ['unit_id'], unique=False)

    op.create_table('voter_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('deputies', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_voter_meetings_created_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_voter_meetings_published_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_voter_meetings_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voter_meetings'))
    )
    with op.batch_alter_table('voter_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voter_meetings_unit_id'), ['unit_id'], unique=False)

    op.create_table('reception_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['reception_sessions.id'], name=op.f('fk_reception_registrations_session_id_reception_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reception_registrations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_registrations')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_reception_registrations_session_id'))
    )
    with op.batch_alter_table('reception_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_registrations_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reception_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('petitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('asker_name', sa.String(length=120), nullable=True),
    sa.Column('asker_phone', sa.String(length=15), nullable=True),
    sa.Column('asker_email', sa.String(length=254), nullable=True),
    sa.Column('asker_locale', sa.String(length=5), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderation_note', sa.String(length=500), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answer_drafted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'filed' AND case_id IS NOT NULL) OR (status <> 'filed' AND case_id IS NULL)", name=op.f('ck_petitions_case_when_filed')),
    sa.CheckConstraint("kind IN ('question', 'petition')", name=op.f('ck_petitions_kind')),
    sa.CheckConstraint("source IN ('online', 'voter', 'reception')", name=op.f('ck_petitions_source')),
    sa.CheckConstraint("status IN ('held', 'filed', 'rejected')", name=op.f('ck_petitions_status')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_petitions_rating')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_petitions_answered_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_petitions_case_id_cases')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_petitions_department_id_departments')),
    sa.ForeignKeyConstraint(['meeting_id'], ['voter_meetings.id'], name=op.f('fk_petitions_meeting_id_voter_meetings')),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_petitions_moderated_by_id_users')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_petitions_procedure_id_procedures')),
    sa.ForeignKeyConstraint(['topic_id'], ['petition_topics.id'], name=op.f('fk_petitions_topic_id_petition_topics')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_petitions_unit_id_admin_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_petitions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petitions')),
    sa.UniqueConstraint('case_id', name=op.f('uq_petitions_case_id')),
    sa.UniqueConstraint('code', name=op.f('uq_petitions_code')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_petitions_idempotency_key'))
    )
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petitions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_procedure_id'), ['procedure_id'], unique=False)
        batch_op.create_index('ix_petitions_topic_public', ['topic_id', 'public'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_user_id'), ['user_id'], unique=False)

    op.create_table('petition_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_petition_files_size')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_files_petition_id_petitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_files'))
    )
    with op.batch_alter_table('petition_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petition_files_petition_id'), ['petition_id'], unique=False)

    op.create_table('reception_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('citizen_name', sa.String(length=120), nullable=False),
    sa.Column('citizen_phone', sa.String(length=15), nullable=True),
    sa.Column('citizen_id_number', sa.String(length=12), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reception_records_created_by_id_users')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_reception_records_petition_id_petitions')),
    sa.ForeignKeyConstraint(['registration_id'], ['reception_registrations.id'], name=op.f('fk_reception_records_registration_id_reception_registrations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['reception_sessions.id'], name=op.f('fk_reception_records_session_id_reception_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_records')),
    sa.UniqueConstraint('petition_id', name=op.f('uq_reception_records_petition_id')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_reception_records_registration_id'))
    )
    with op.batch_alter_table('reception_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_records_session_id'), ['session_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reception_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_records_session_id'))

    op.drop_table('reception_records')
    with op.batch_alter_table('petition_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_files_petition_id'))

    op.drop_table('petition_files')
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petitions_user_id'))
        batch_op.drop_index('ix_petitions_topic_public')
        batch_op.drop_index(batch_op.f('ix_petitions_procedure_id'))
        batch_op.drop_index(batch_op.f('ix_petitions_meeting_id'))

    op.drop_table('petitions')
    with op.batch_alter_table('reception_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_registrations_user_id'))
        batch_op.drop_index(batch_op.f('ix_reception_registrations_session_id'))

    op.drop_table('reception_registrations')
    with op.batch_alter_table('voter_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voter_meetings_unit_id'))

    op.drop_table('voter_meetings')
    with op.batch_alter_table('reception_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_sessions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_reception_sessions_day'))

    op.drop_table('reception_sessions')
    op.drop_table('petition_topics')
