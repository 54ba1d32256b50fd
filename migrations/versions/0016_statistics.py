"""Statistics counted as they happen (case_tallies), the scorecard's staff-entered figures, and
a "rated" event for every rating already given, so the recount reads satisfaction from the
event log like everything else. After upgrading a database that already has cases, run
`flask --app wsgi stats rebuild` (make run and the Docker image do it when the table is empty).

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_COUNTERS = ("received", "received_online", "received_offline", "refused", "withdrawn",
             "stopped", "done_early", "done_on_time", "done_late", "done_days",
             "rated_1", "rated_2", "rated_3", "rated_4", "rated_5", "open_n", "late_n", "due_n")


def upgrade():
    op.create_table('case_tallies',
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('grain', sa.SmallInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('case_type', sa.String(length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('case_group', sa.String(length=20), nullable=False),
    *[sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTERS],
    sa.CheckConstraint('grain IN (0, 1, 2)', name=op.f('ck_case_tallies_grain')),
    sa.CheckConstraint('level IN (0, 1)', name=op.f('ck_case_tallies_level')),
    sa.PrimaryKeyConstraint('level', 'grain', 'day', 'case_type', 'department_id',
                            'procedure_id', 'category', 'case_group',
                            name=op.f('pk_case_tallies'))
    )
    with op.batch_alter_table('case_tallies', schema=None) as batch_op:
        batch_op.create_index('ix_case_tallies_department',
                              ['department_id', 'level', 'grain', 'day'], unique=False)
        batch_op.create_index('ix_case_tallies_procedure',
                              ['procedure_id', 'level', 'grain', 'day'], unique=False)

    op.create_table('scorecard_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('hundredths', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_scorecard_values_year')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'],
                            name=op.f('fk_scorecard_values_entered_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'],
                            name=op.f('fk_scorecard_values_unit_id_admin_units'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_values'))
    )
    with op.batch_alter_table('scorecard_values', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_values_lookup',
                              ['unit_id', 'indicator', 'year', 'id'], unique=False)

    # Ratings given before this revision become events, as app/queue/tally.record_rating
    # writes them from now on.
    rating = ("json_object('rating', d.rating)" if op.get_bind().dialect.name == "sqlite"
              else "json_build_object('rating', d.rating)")
    op.execute(
        "INSERT INTO case_events (case_id, at, actor_id, action, from_state, to_state, data) "
        f"SELECT d.case_id, COALESCE(d.rated_at, c.updated_at), c.applicant_id, 'rated', "
        f"c.state, c.state, {rating} FROM dossiers d JOIN cases c ON c.id = d.case_id "
        "WHERE d.rating IS NOT NULL")


def downgrade():
    # The "rated" events stay: case_events is append-only (its triggers refuse a delete).
    with op.batch_alter_table('scorecard_values', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecard_values_lookup')
    op.drop_table('scorecard_values')
    with op.batch_alter_table('case_tallies', schema=None) as batch_op:
        batch_op.drop_index('ix_case_tallies_procedure')
        batch_op.drop_index('ix_case_tallies_department')
    op.drop_table('case_tallies')
