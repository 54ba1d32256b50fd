"""Outbox delivery: claims, backoff, parked failures, SMS channel state.

Revision ID: 0004
Revises: 0003

* `status` (pending, sent, failed, undeliverable) replaces "sent_at IS NULL" as the state of a
  message, so a parked failure and an SMS nobody can send are visible and no longer retried.
* `next_attempt_at` is both the backoff and the claim lease: claiming a message pushes it
  forward by the lease, so a worker that dies mid-send leaves the message due again later.
* `secret` holds what must not stay readable (a reset link) apart from the body, which keeps a
  placeholder; it is erased once the message is sent, parked, undeliverable or old.
* `ix_outbox_due` is the claim's partial index (app/notifications/outbox.py repeats its
  predicate literally), small whatever the number of messages already sent;
  `ix_outbox_attention` lists what the administrator must look at.
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=15), server_default='pending',
                                      nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('secret', sa.Text(), nullable=True))
        batch_op.drop_index('ix_outbox_pending')

    # Messages written before this revision: what went out is sent, what used up the old five
    # attempts is parked, the rest is due now.
    op.execute("UPDATE outbox_messages SET next_attempt_at = created_at")
    op.execute("UPDATE outbox_messages SET status = 'sent' WHERE sent_at IS NOT NULL")
    op.execute("UPDATE outbox_messages SET status = 'failed' "
               "WHERE sent_at IS NULL AND attempts >= 5")

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('next_attempt_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.create_check_constraint(
            'status', "status IN ('pending', 'sent', 'failed', 'undeliverable')")
        batch_op.create_index('ix_outbox_due', ['next_attempt_at', 'id'], unique=False,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))
        batch_op.create_index('ix_outbox_secret_age', ['created_at'], unique=False,
                              sqlite_where=sa.text('secret IS NOT NULL'),
                              postgresql_where=sa.text('secret IS NOT NULL'))
        batch_op.create_index('ix_outbox_attention', ['id'], unique=False,
                              sqlite_where=sa.text("status IN ('failed', 'undeliverable')"),
                              postgresql_where=sa.text("status IN ('failed', 'undeliverable')"))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_attention')
        batch_op.drop_index('ix_outbox_secret_age')
        batch_op.drop_index('ix_outbox_due')
        batch_op.drop_constraint('ck_outbox_messages_status', type_='check')
        batch_op.drop_column('secret')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('status')
        batch_op.create_index('ix_outbox_pending', ['created_at'], unique=False,
                              sqlite_where=sa.text('sent_at IS NULL'),
                              postgresql_where=sa.text('sent_at IS NULL'))
