"""Field reports (phản ánh hiện trường) and Open311: report categories with their extra fields
and per-unit departments, the reports beside their cases, their photos and supports, and the
API keys of Open311 clients (only a hash of each key).

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('description_vi', sa.String(length=500), nullable=False),
    sa.Column('description_en', sa.String(length=500), nullable=False),
    sa.Column('group_vi', sa.String(length=80), nullable=False),
    sa.Column('group_en', sa.String(length=80), nullable=False),
    sa.Column('keywords', sa.String(length=300), nullable=False),
    sa.Column('sla_days', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('sla_days BETWEEN 1 AND 60', name=op.f('ck_report_categories_sla_days')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_report_categories_code'))
    )
    op.create_table('report_attributes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('datatype', sa.String(length=20), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description_vi', sa.String(length=300), nullable=False),
    sa.Column('description_en', sa.String(length=300), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=True),
    sa.CheckConstraint("datatype IN ('string', 'number', 'text', 'singlevaluelist', 'multivaluelist')", name=op.f('ck_report_attributes_datatype')),
    sa.CheckConstraint('position BETWEEN 1 AND 1000', name=op.f('ck_report_attributes_position')),
    sa.ForeignKeyConstraint(['category_id'], ['report_categories.id'], name=op.f('fk_report_attributes_category_id_report_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_attributes')),
    sa.UniqueConstraint('category_id', 'code', name='uq_report_attributes_category_code')
    )
    with op.batch_alter_table('report_attributes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_attributes_category_id'), ['category_id'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_keys_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('report_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.CheckConstraint("mode IN ('assign', 'pull')", name=op.f('ck_report_routes_mode')),
    sa.ForeignKeyConstraint(['category_id'], ['report_categories.id'], name=op.f('fk_report_routes_category_id_report_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_report_routes_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_report_routes_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_routes')),
    sa.UniqueConstraint('category_id', 'unit_id', name='uq_report_routes_category_unit')
    )
    with op.batch_alter_table('report_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_routes_department_id'), ['department_id'], unique=False)

    op.create_table('field_reports',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=120), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=15), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('location_source', sa.String(length=10), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('fix_photo_key', sa.String(length=80), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.String(length=1000), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('web', 'open311')", name=op.f('ck_field_reports_channel')),
    sa.CheckConstraint("location_source IS NULL OR location_source IN ('device', 'photo', 'typed', 'api')", name=op.f('ck_field_reports_location_source')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('fixed', 'closed', 'not_responsible')", name=op.f('ck_field_reports_outcome')),
    sa.CheckConstraint('(lat IS NULL) = (lng IS NULL)', name=op.f('ck_field_reports_lat_lng')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_field_reports_rating')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_field_reports_answered_by_id_users')),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_field_reports_api_key_id_api_keys')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_field_reports_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['report_categories.id'], name=op.f('fk_field_reports_category_id_report_categories')),
    sa.ForeignKeyConstraint(['commune_id'], ['admin_units.id'], name=op.f('fk_field_reports_commune_id_admin_units')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['field_reports.case_id'], name=op.f('fk_field_reports_merged_into_id_field_reports')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_field_reports_reporter_id_users')),
    sa.ForeignKeyConstraint(['village_id'], ['admin_units.id'], name=op.f('fk_field_reports_village_id_admin_units')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_field_reports')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_field_reports_idempotency_key'))
    )
    with op.batch_alter_table('field_reports', schema=None) as batch_op:
        batch_op.create_index('ix_field_reports_commune_created', ['commune_id', 'created_at'], unique=False)
        batch_op.create_index('ix_field_reports_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_reports_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index('ix_field_reports_nearby', ['category_id', 'lat', 'lng'], unique=False, sqlite_where=sa.text('lat IS NOT NULL'), postgresql_where=sa.text('lat IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_field_reports_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_reports_village_id'), ['village_id'], unique=False)

    op.create_table('field_report_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.CheckConstraint('position BETWEEN 1 AND 3', name=op.f('ck_field_report_photos_position')),
    sa.ForeignKeyConstraint(['case_id'], ['field_reports.case_id'], name=op.f('fk_field_report_photos_case_id_field_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_report_photos')),
    sa.UniqueConstraint('case_id', 'position', name='uq_field_report_photos_case_position')
    )
    op.create_table('field_report_supports',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['field_reports.case_id'], name=op.f('fk_field_report_supports_case_id_field_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_field_report_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'user_id', name=op.f('pk_field_report_supports'))
    )


def downgrade():
    op.drop_table('field_report_supports')
    op.drop_table('field_report_photos')
    with op.batch_alter_table('field_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_reports_village_id'))
        batch_op.drop_index(batch_op.f('ix_field_reports_reporter_id'))
        batch_op.drop_index('ix_field_reports_nearby', sqlite_where=sa.text('lat IS NOT NULL'), postgresql_where=sa.text('lat IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_field_reports_merged_into_id'))
        batch_op.drop_index('ix_field_reports_created')
        batch_op.drop_index('ix_field_reports_commune_created')

    op.drop_table('field_reports')
    with op.batch_alter_table('report_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_routes_department_id'))

    op.drop_table('report_routes')
    op.drop_table('api_keys')
    with op.batch_alter_table('report_attributes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_attributes_category_id'))

    op.drop_table('report_attributes')
    op.drop_table('report_categories')
