"""cases.procedure_id and routing_rules.procedure_id become foreign keys to procedures: they
were plain integers from before the catalogue existed (0002), so nothing stopped a case or a
routing rule from naming a procedure that is not there.

No index on cases.procedure_id: a procedure is withdrawn (active = false), never deleted, so
nothing looks cases up by it through the key, and every claim rewrites each index of `cases`
(its update is not HOT).

On SQLite the two tables are rebuilt (batch mode): migrations/env.py turns foreign keys off for
the run, so dropping the old `cases` neither fails on case_events' key nor cascades to dossiers,
and checks them all before the commit. The rebuild re-creates indexes from reflection, which
loses what SQLite cannot reflect (`priority DESC` in the claim queue's index), so each index is
put back from the CREATE INDEX text SQLite stored for it.

Revision ID: 0021
Revises: 0020
"""
from contextlib import contextmanager

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_KEYS = (("cases", "fk_cases_procedure_id_procedures"),
         ("routing_rules", "fk_routing_rules_procedure_id_procedures"))


@contextmanager
def _rebuilt(table: str):
    """SQLite: a batch operation that rebuilds `table` and then puts its indexes back as they
    were stored."""
    bind = op.get_bind()
    indexes = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL", (table,)).fetchall()
    with op.batch_alter_table(table, recreate="always") as batch:
        yield batch
    for name, sql in indexes:
        bind.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
        bind.exec_driver_sql(sql)


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, name in _KEYS:
        if sqlite:
            with _rebuilt(table) as batch:
                batch.create_foreign_key(name, "procedures", ["procedure_id"], ["id"])
        else:
            op.create_foreign_key(name, table, "procedures", ["procedure_id"], ["id"])


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, name in _KEYS:
        if sqlite:
            with _rebuilt(table) as batch:
                batch.drop_constraint(name, type_="foreignkey")
        else:
            op.drop_constraint(name, table, type_="foreignkey")
