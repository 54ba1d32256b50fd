"""Pledges: a cancelled or withdrawn pledge keeps who ended it and when in columns of its own
(cancelled_at / cancelled_by_id) instead of reusing delivered_at / delivered_by_id; a partner
may withdraw its own pledge before delivery (status 'withdrawn'). Check constraints keep the
two outcomes apart.

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_pledges = sa.table('pledges', sa.column('status', sa.String),
                    sa.column('delivered_at', sa.DateTime(timezone=True)),
                    sa.column('delivered_by_id', sa.Integer),
                    sa.column('cancelled_at', sa.DateTime(timezone=True)),
                    sa.column('cancelled_by_id', sa.Integer))


def upgrade():
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_pledges_cancelled_by_id_users'), 'users',
                                    ['cancelled_by_id'], ['id'])
    # Pledges cancelled before this revision kept their "settled by / at" in the delivery
    # columns: move them where they belong.
    conn = op.get_bind()
    conn.execute(_pledges.update().where(_pledges.c.status == 'cancelled').values(
        cancelled_at=_pledges.c.delivered_at, cancelled_by_id=_pledges.c.delivered_by_id))
    conn.execute(_pledges.update().where(_pledges.c.status == 'cancelled').values(
        delivered_at=None, delivered_by_id=None))
    # A cancelled pledge from before that lost its moment somehow still needs one.
    conn.execute(_pledges.update().where(_pledges.c.status == 'cancelled',
                                         _pledges.c.cancelled_at.is_(None))
                 .values(cancelled_at=sa.func.current_timestamp()))
    conn.execute(_pledges.update().where(_pledges.c.status == 'delivered',
                                         _pledges.c.delivered_at.is_(None))
                 .values(delivered_at=sa.func.current_timestamp()))
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_pledges_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_pledges_status'),
            "status IN ('pledged', 'delivered', 'cancelled', 'withdrawn')")
        batch_op.create_check_constraint(
            batch_op.f('ck_pledges_delivered_when'),
            "(status = 'delivered') = (delivered_at IS NOT NULL)")
        batch_op.create_check_constraint(
            batch_op.f('ck_pledges_cancelled_when'),
            "(status IN ('cancelled', 'withdrawn')) = (cancelled_at IS NOT NULL)")


def downgrade():
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_pledges_cancelled_when'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_pledges_delivered_when'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_pledges_status'), type_='check')
    conn = op.get_bind()
    # Before this revision a pledge could only be cancelled, by staff, and kept who and when
    # in the delivery columns.
    conn.execute(_pledges.update().where(_pledges.c.status.in_(('cancelled', 'withdrawn')))
                 .values(status='cancelled', delivered_at=_pledges.c.cancelled_at,
                         delivered_by_id=_pledges.c.cancelled_by_id))
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_pledges_status'),
                                         "status IN ('pledged', 'delivered', 'cancelled')")
        batch_op.drop_constraint(batch_op.f('fk_pledges_cancelled_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
