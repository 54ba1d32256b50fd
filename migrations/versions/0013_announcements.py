"""Village announcements, emergency alerts and subscriptions; outbox priorities.

Revision ID: 0013
Revises: 0012

* `announcements`: bilingual notices of a commune or one of its villages, with a category, the
  days they apply to and an optional attachment kept in the file store.
* `alerts` and `alert_areas`: an emergency alert and the communes and villages it is for. The
  banner on every page asks `alert_areas` for the viewer's home units whose `ends_at` (expiry,
  or withdrawal) is still ahead: `ix_alert_areas_banner` (unit_id, ends_at, alert_id) answers
  it from the index alone.
* `village_subscriptions`: one per person; the daily digest's candidates come from a partial
  index on the digest subscribers.
* `outbox_messages.priority` (0 urgent, 1 normal, 2 bulk) leads the claim's order, so an alert
  is delivered before the bulk of an announcement queued earlier; `ix_outbox_due` is rebuilt
  with it in front. `unsubscribe_url` is the one-click link a mail program may POST to.
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('title_vi', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_vi', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('attachment_key', sa.String(length=64), nullable=True),
    sa.Column('attachment_kind', sa.String(length=10), nullable=True),
    sa.Column('attachment_name', sa.String(length=200), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('posted_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("category IN ('meeting', 'vaccination', 'power_cut', 'water', 'agriculture', 'health', 'education', 'security', 'other')", name=op.f('ck_announcements_category')),
    sa.CheckConstraint("status IN ('published', 'withdrawn')", name=op.f('ck_announcements_status')),
    sa.CheckConstraint('valid_until IS NULL OR valid_until >= valid_from', name=op.f('ck_announcements_valid_range')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_announcements_posted_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_announcements_unit_id_admin_units')),
    sa.ForeignKeyConstraint(['village_id'], ['admin_units.id'], name=op.f('fk_announcements_village_id_admin_units')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_announcements_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index('ix_announcements_unit', ['unit_id', 'created_at'], unique=False)
        batch_op.create_index('ix_announcements_village', ['village_id'], unique=False)
        batch_op.create_index('ix_announcements_created', ['created_at'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard', sa.String(length=20), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('title_vi', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_vi', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("hazard IN ('flood', 'storm', 'landslide', 'outage', 'public_health')", name=op.f('ck_alerts_hazard')),
    sa.CheckConstraint("severity IN ('advisory', 'warning', 'emergency')", name=op.f('ck_alerts_severity')),
    sa.CheckConstraint('expires_at > issued_at', name=op.f('ck_alerts_expiry')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_alerts_issued_by_id_users')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_alerts_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_current', ['expires_at'], unique=False,
                              sqlite_where=sa.text('withdrawn_at IS NULL'),
                              postgresql_where=sa.text('withdrawn_at IS NULL'))

    op.create_table('alert_areas',
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_areas_alert_id_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_alert_areas_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('alert_id', 'unit_id', name=op.f('pk_alert_areas'))
    )
    with op.batch_alter_table('alert_areas', schema=None) as batch_op:
        batch_op.create_index('ix_alert_areas_banner', ['unit_id', 'ends_at', 'alert_id'], unique=False)

    op.create_table('village_subscriptions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('alerts', sa.Boolean(), nullable=False),
    sa.Column('announcements', sa.String(length=10), nullable=False),
    sa.Column('categories', sa.String(length=300), nullable=False),
    sa.Column('digest_sent_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("announcements IN ('each', 'digest', 'none')", name=op.f('ck_village_subscriptions_announcements')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_village_subscriptions_unit_id_admin_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_village_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_village_subscriptions'))
    )
    with op.batch_alter_table('village_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_village_subscriptions_unit', ['unit_id'], unique=False)
        batch_op.create_index('ix_village_subscriptions_digest', ['digest_sent_until'], unique=False,
                              sqlite_where=sa.text("announcements = 'digest'"),
                              postgresql_where=sa.text("announcements = 'digest'"))

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=500), nullable=True))
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_due', ['priority', 'next_attempt_at', 'id'], unique=False,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_due', ['next_attempt_at', 'id'], unique=False,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_column('unsubscribe_url')
        batch_op.drop_column('priority')

    with op.batch_alter_table('village_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_village_subscriptions_digest',
                            sqlite_where=sa.text("announcements = 'digest'"),
                            postgresql_where=sa.text("announcements = 'digest'"))
        batch_op.drop_index('ix_village_subscriptions_unit')
    op.drop_table('village_subscriptions')
    with op.batch_alter_table('alert_areas', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_areas_banner')
    op.drop_table('alert_areas')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_current', sqlite_where=sa.text('withdrawn_at IS NULL'),
                            postgresql_where=sa.text('withdrawn_at IS NULL'))
    op.drop_table('alerts')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index('ix_announcements_created')
        batch_op.drop_index('ix_announcements_village')
        batch_op.drop_index('ix_announcements_unit')
    op.drop_table('announcements')
