"""Alembic environment, run through Flask-Migrate (`flask --app wsgi db upgrade`)."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def run_migrations_offline():
    context.configure(url=str(db.engine.url), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


class ForeignKeyViolations(RuntimeError):
    pass


def _sqlite_foreign_keys(connection, on: bool) -> None:
    # On the driver's connection, outside any transaction: inside one SQLite ignores the pragma,
    # and SQLAlchemy's first execute() would open one (app/db.py emits BEGIN itself).
    connection.connection.driver_connection.execute(
        f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def run_migrations_online():
    connectable = db.engine
    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        # A batch migration on SQLite rebuilds a table: it copies the rows, drops the old table
        # and renames the copy. With foreign keys enforced, that drop fails where a key has no
        # ON DELETE and, worse, deletes every row whose key cascades (a dossier, its files, its
        # fees); so keys are off while the migrations run, and all are checked before the
        # commit (tests/integration/test_migrations_keep_data.py).
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            # One transaction for the whole run on SQLite too (Alembic would commit each
            # migration on its own there), so the check below can still undo all of it.
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=sqlite, compare_type=True, transactional_ddl=True)
            with context.begin_transaction():
                before = context.get_context().get_current_heads()
                context.run_migrations()
                # The check reads every key of every table: only when a migration ran.
                if sqlite and context.get_context().get_current_heads() != before:
                    violations = connection.exec_driver_sql(
                        "PRAGMA foreign_key_check").fetchall()
                    if violations:
                        raise ForeignKeyViolations(
                            "the migrations would leave rows pointing at rows that do not "
                            "exist (table, rowid, referenced table, constraint): "
                            + ", ".join(map(str, violations[:20])))
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
