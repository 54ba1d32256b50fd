"""The participation side: community initiatives (supports, versions, needs, progress), "Ba Nhà"
partners and pledges, comments, flags and moderation, the village needs board and village heads.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('community_settings',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('support_threshold', sa.Integer(), nullable=False),
    sa.Column('allow_self_support', sa.Boolean(), nullable=False),
    sa.Column('flag_threshold', sa.Integer(), nullable=False),
    sa.CheckConstraint('flag_threshold BETWEEN 1 AND 1000', name=op.f('ck_community_settings_flag_threshold')),
    sa.CheckConstraint('support_threshold BETWEEN 1 AND 100000', name=op.f('ck_community_settings_support_threshold')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_community_settings_unit_id_admin_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_community_settings'))
    )
    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('flag_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('visible', 'hidden', 'removed')", name=op.f('ck_comments_status')),
    sa.CheckConstraint("target_type IN ('initiative', 'village_need')", name=op.f('ck_comments_target_type')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_comments_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_target', ['target_type', 'target_id', 'created_at'], unique=False)

    op.create_table('flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("reason IN ('spam', 'abusive', 'off_topic', 'personal_data')", name=op.f('ck_flags_reason')),
    sa.CheckConstraint("target_type IN ('initiative', 'comment', 'village_need')", name=op.f('ck_flags_target_type')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_flags_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flags')),
    sa.UniqueConstraint('target_type', 'target_id', 'user_id', name=op.f('uq_flags_target_type'))
    )
    op.create_table('moderation_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('auto_hide', 'restore', 'remove')", name=op.f('ck_moderation_log_action')),
    sa.CheckConstraint("target_type IN ('initiative', 'comment', 'village_need')", name=op.f('ck_moderation_log_target_type')),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_moderation_log_moderator_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_log'))
    )
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_log_target', ['target_type', 'target_id'], unique=False)

    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('contact_user_id', sa.Integer(), nullable=False),
    sa.Column('contact_phone', sa.String(length=15), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('state', 'business', 'school')", name=op.f('ck_partners_kind')),
    sa.ForeignKeyConstraint(['contact_user_id'], ['users.id'], name=op.f('fk_partners_contact_user_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_partners_unit_id_admin_units')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_partners_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners'))
    )
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partners_contact_user_id'), ['contact_user_id'], unique=False)

    op.create_table('village_heads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_village_heads_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['village_id'], ['admin_units.id'], name=op.f('fk_village_heads_village_id_admin_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_village_heads'))
    )
    with op.batch_alter_table('village_heads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_heads_village_id'), ['village_id'], unique=False)

    op.create_table('initiatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('photo_key', sa.String(length=100), nullable=True),
    sa.Column('photo_kind', sa.String(length=10), nullable=True),
    sa.Column('estimated_cost', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('flag_count', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'published', 'under_evaluation', 'accepted', 'rejected', 'in_progress', 'done', 'withdrawn', 'hidden')", name=op.f('ck_initiatives_status')),
    sa.CheckConstraint('estimated_cost IS NULL OR estimated_cost BETWEEN 0 AND 1000000000000', name=op.f('ck_initiatives_estimated_cost')),
    sa.CheckConstraint('support_count >= 0', name=op.f('ck_initiatives_support_count')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_initiatives_answered_by_id_users')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_initiatives_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_initiatives_case_id_cases')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_initiatives_unit_id_admin_units')),
    sa.ForeignKeyConstraint(['village_id'], ['admin_units.id'], name=op.f('fk_initiatives_village_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiatives')),
    sa.UniqueConstraint('case_id', name=op.f('uq_initiatives_case_id'))
    )
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiatives_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_initiatives_unit_status', ['unit_id', 'status'], unique=False)

    op.create_table('village_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('posted_by_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('needed_by', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('volunteer_count', sa.Integer(), nullable=False),
    sa.Column('flag_count', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'met', 'closed')", name=op.f('ck_village_needs_status')),
    sa.CheckConstraint('support_count >= 0', name=op.f('ck_village_needs_support_count')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_village_needs_case_id_cases')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_village_needs_posted_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_village_needs_unit_id_admin_units')),
    sa.ForeignKeyConstraint(['village_id'], ['admin_units.id'], name=op.f('fk_village_needs_village_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village_needs')),
    sa.UniqueConstraint('case_id', name=op.f('uq_village_needs_case_id'))
    )
    with op.batch_alter_table('village_needs', schema=None) as batch_op:
        batch_op.create_index('ix_village_needs_unit_status', ['unit_id', 'status'], unique=False)

    op.create_table('initiative_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=True),
    sa.Column('unit_label', sa.String(length=30), nullable=True),
    sa.CheckConstraint("kind IN ('money', 'materials', 'labour', 'expertise')", name=op.f('ck_initiative_needs_kind')),
    sa.CheckConstraint('quantity IS NULL OR quantity BETWEEN 1 AND 1000000000000', name=op.f('ck_initiative_needs_quantity')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_needs_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_needs'))
    )
    with op.batch_alter_table('initiative_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_needs_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('initiative_supports',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_supports_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_initiative_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('initiative_id', 'user_id', name=op.f('pk_initiative_supports'))
    )
    with op.batch_alter_table('initiative_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_supports_user_id'), ['user_id'], unique=False)

    op.create_table('initiative_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('photo_key', sa.String(length=100), nullable=True),
    sa.Column('photo_kind', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_initiative_updates_author_id_users')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_updates_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_updates'))
    )
    with op.batch_alter_table('initiative_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_updates_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('initiative_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('estimated_cost', sa.BigInteger(), nullable=True),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['edited_by_id'], ['users.id'], name=op.f('fk_initiative_versions_edited_by_id_users')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_versions_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_versions')),
    sa.UniqueConstraint('initiative_id', 'version', name=op.f('uq_initiative_versions_initiative_id'))
    )
    op.create_table('village_need_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit_label', sa.String(length=30), nullable=False),
    sa.Column('received', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity BETWEEN 1 AND 1000000000000', name=op.f('ck_village_need_items_quantity')),
    sa.CheckConstraint('received >= 0', name=op.f('ck_village_need_items_received')),
    sa.ForeignKeyConstraint(['need_id'], ['village_needs.id'], name=op.f('fk_village_need_items_need_id_village_needs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village_need_items'))
    )
    with op.batch_alter_table('village_need_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_need_items_need_id'), ['need_id'], unique=False)

    op.create_table('village_need_supports',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['village_needs.id'], name=op.f('fk_village_need_supports_need_id_village_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_village_need_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('need_id', 'user_id', name=op.f('pk_village_need_supports'))
    )
    op.create_table('village_need_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_village_need_updates_author_id_users')),
    sa.ForeignKeyConstraint(['need_id'], ['village_needs.id'], name=op.f('fk_village_need_updates_need_id_village_needs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village_need_updates'))
    )
    with op.batch_alter_table('village_need_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_need_updates_need_id'), ['need_id'], unique=False)

    op.create_table('village_need_volunteers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('availability', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['village_needs.id'], name=op.f('fk_village_need_volunteers_need_id_village_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_village_need_volunteers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village_need_volunteers')),
    sa.UniqueConstraint('need_id', 'user_id', name=op.f('uq_village_need_volunteers_need_id'))
    )
    with op.batch_alter_table('village_need_volunteers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_need_volunteers_need_id'), ['need_id'], unique=False)

    op.create_table('pledges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('money', 'materials', 'labour', 'expertise')", name=op.f('ck_pledges_kind')),
    sa.CheckConstraint("status IN ('pledged', 'delivered', 'cancelled')", name=op.f('ck_pledges_status')),
    sa.CheckConstraint('quantity IS NULL OR quantity BETWEEN 1 AND 1000000000000', name=op.f('ck_pledges_quantity')),
    sa.ForeignKeyConstraint(['delivered_by_id'], ['users.id'], name=op.f('fk_pledges_delivered_by_id_users')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_pledges_initiative_id_initiatives')),
    sa.ForeignKeyConstraint(['need_id'], ['initiative_needs.id'], name=op.f('fk_pledges_need_id_initiative_needs')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_pledges_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_partner_id'), ['partner_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledges_partner_id'))
        batch_op.drop_index(batch_op.f('ix_pledges_initiative_id'))

    op.drop_table('pledges')
    with op.batch_alter_table('village_need_volunteers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_village_need_volunteers_need_id'))

    op.drop_table('village_need_volunteers')
    with op.batch_alter_table('village_need_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_village_need_updates_need_id'))

    op.drop_table('village_need_updates')
    op.drop_table('village_need_supports')
    with op.batch_alter_table('village_need_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_village_need_items_need_id'))

    op.drop_table('village_need_items')
    op.drop_table('initiative_versions')
    with op.batch_alter_table('initiative_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_updates_initiative_id'))

    op.drop_table('initiative_updates')
    with op.batch_alter_table('initiative_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_supports_user_id'))

    op.drop_table('initiative_supports')
    with op.batch_alter_table('initiative_needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_needs_initiative_id'))

    op.drop_table('initiative_needs')
    with op.batch_alter_table('village_needs', schema=None) as batch_op:
        batch_op.drop_index('ix_village_needs_unit_status')

    op.drop_table('village_needs')
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index('ix_initiatives_unit_status')
        batch_op.drop_index(batch_op.f('ix_initiatives_author_id'))

    op.drop_table('initiatives')
    with op.batch_alter_table('village_heads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_village_heads_village_id'))

    op.drop_table('village_heads')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partners_contact_user_id'))

    op.drop_table('partners')
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_log_target')

    op.drop_table('moderation_log')
    op.drop_table('flags')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_target')

    op.drop_table('comments')
    op.drop_table('community_settings')
