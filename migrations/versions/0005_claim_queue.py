"""Claim queue: indexes for claims bounded by skills.

The claim index is now led by (department_id, category, state): a claim probes it once per
(skill, stage) the officer may take, each probe an equality prefix followed by claim order, so
a claim (or one that finds nothing) costs a few index descents whatever the queue's length.
See app/queue/claims.py.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_CLAIMABLE = "assignee_id IS NULL AND state IN (1, 2, 4)"


def upgrade():
    op.drop_index("ix_cases_claim_queue", table_name="cases")
    op.create_index(
        "ix_cases_claim_queue", "cases",
        ["department_id", "category", "state", "due_at", sa.text("priority DESC"),
         "received_at", "id"],
        sqlite_where=sa.text(_CLAIMABLE), postgresql_where=sa.text(_CLAIMABLE),
    )


def downgrade():
    op.drop_index("ix_cases_claim_queue", table_name="cases")
    op.create_index(
        "ix_cases_claim_queue", "cases",
        ["department_id", "due_at", sa.text("priority DESC"), "received_at", "id", "category"],
        sqlite_where=sa.text(_CLAIMABLE), postgresql_where=sa.text(_CLAIMABLE),
    )
