"""The case queue: cases, the append-only event log, routing rules, calendar days.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'makeup')", name=op.f('ck_calendar_days_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_days_day'))
    )

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('case_type', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('sla_days', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('pending_approval', sa.Boolean(), nullable=False),
    sa.Column('apology_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('apology_approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sla_band', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("case_type IN ('dossier', 'petition', 'field_report', 'initiative', 'village_need')", name=op.f('ck_cases_case_type')),
    sa.CheckConstraint('state BETWEEN 1 AND 10', name=op.f('ck_cases_state')),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_cases_applicant_id_users')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_cases_assignee_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_cases_department_id_departments')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_cases_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('code', name=op.f('uq_cases_code'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index('ix_cases_assignee_state', ['assignee_id', 'state'], unique=False)
        batch_op.create_index('ix_cases_department_state_due', ['department_id', 'state', 'due_at'], unique=False)
        batch_op.create_index('ix_cases_lease', ['lease_until'], unique=False, sqlite_where=sa.text('lease_until IS NOT NULL'), postgresql_where=sa.text('lease_until IS NOT NULL'))

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.Integer(), nullable=True),
    sa.Column('to_state', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_case_events_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_type', sa.String(length=20), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=50), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("mode IN ('assign', 'pull')", name=op.f('ck_routing_rules_mode')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_routing_rules_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_routing_rules_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules'))
    )
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.create_index('ix_routing_rules_lookup', ['case_type', 'unit_id'], unique=False)

    # The claim queue (see app/queue/claims.py, which must keep the same predicate and order):
    # unassigned open cases of one department, in claim order. due_at ascending already puts
    # overdue cases first, so the index can both filter and sort with no OR or CASE. category
    # trails the order so SQLite can reject a case outside the claimer's skills from the index
    # entry alone (PostgreSQL reads the row either way; the extra column costs it nothing).
    op.create_index(
        "ix_cases_claim_queue", "cases",
        ["department_id", "due_at", sa.text("priority DESC"), "received_at", "id", "category"],
        sqlite_where=sa.text("assignee_id IS NULL AND state IN (1, 2, 4)"),
        postgresql_where=sa.text("assignee_id IS NULL AND state IN (1, 2, 4)"),
    )

    # The SLA sweep's work list (see app/queue/sla.py): open cases whose clock runs and that
    # still owe an escalation. Without it each worker pass reads every finished case too.
    op.create_index(
        "ix_cases_sla_watch", "cases", ["due_at"],
        sqlite_where=sa.text("state IN (1, 2, 4, 6) AND sla_band < 2"),
        postgresql_where=sa.text("state IN (1, 2, 4, 6) AND sla_band < 2"),
    )

    # case_events is the audit trail and the source of every statistic: append-only in the
    # database itself, whatever code (or person with psql) touches it.
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION case_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'case_events is append-only';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER case_events_no_update BEFORE UPDATE OR DELETE ON case_events
            FOR EACH ROW EXECUTE FUNCTION case_events_append_only()
        """)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER case_events_no_{verb.lower()} BEFORE {verb} ON case_events
                BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END
            """)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS case_events_no_update ON case_events")
        op.execute("DROP FUNCTION IF EXISTS case_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS case_events_no_delete")
    op.drop_index("ix_cases_sla_watch", table_name="cases")
    op.drop_index("ix_cases_claim_queue", table_name="cases")
    op.drop_table('routing_rules')
    op.drop_table('case_events')
    op.drop_table('cases')
    op.drop_table('calendar_days')
