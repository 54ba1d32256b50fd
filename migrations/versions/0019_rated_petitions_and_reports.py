"""Petitions, questions and field reports count their ratings like dossiers: a "rated" event
for every rating they were given before this revision (app/queue/tally.record_rating writes it
from now on), so the statistics' satisfaction per kind reads them from the event log. Run
`flask --app wsgi stats rebuild` after upgrading a database that already has ratings.

Revision ID: 0019
Revises: 0018
"""
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# (the kind's table, who rated)
_RATED = (("petitions", "k.user_id"), ("field_reports", "k.reporter_id"))


def upgrade():
    rating = ("json_object('rating', k.rating)" if op.get_bind().dialect.name == "sqlite"
              else "json_build_object('rating', k.rating)")
    for table, actor in _RATED:
        op.execute(
            "INSERT INTO case_events (case_id, at, actor_id, action, from_state, to_state, data) "
            f"SELECT k.case_id, COALESCE(k.rated_at, c.updated_at), {actor}, 'rated', "
            f"c.state, c.state, {rating} FROM {table} k JOIN cases c ON c.id = k.case_id "
            "WHERE k.rating IS NOT NULL AND NOT EXISTS (SELECT 1 FROM case_events e "
            "WHERE e.case_id = k.case_id AND e.action = 'rated')")


def downgrade():
    pass  # the "rated" events stay: case_events is append-only (its triggers refuse a delete)
