"""A migration run on a database that holds data keeps every row, on both engines.

The class of defect: on SQLite a batch migration rebuilds a table (copy, drop, rename), and with
foreign keys enforced dropping `cases` deletes every dossier, file, fee, result and field report
whose key cascades. migrations/env.py turns the keys off for the run and checks them all before
the commit; these tests load the whole demo (once per engine, copied for each test) into a
database one revision before the newest rebuild of `cases` (0021), upgrade, downgrade, and
count every table each time.
"""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine, func, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.conftest import BACKENDS, _app_for, _migrate, _pg_admin, _pg_url

BEFORE_REBUILD = "0020"


@pytest.fixture(scope="module", params=BACKENDS)
def demo_at_0020(request, tmp_path_factory, worker_id):
    """The whole demo in a database migrated to BEFORE_REBUILD, loaded once per engine; each
    test gets a copy of it (`loaded_url`)."""
    folder = tmp_path_factory.mktemp("keep")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'template.db'}"
    else:
        url = _pg_url(worker_id).replace(f"_{worker_id}_", f"_{worker_id}_keep_")
        _pg_admin(url, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', 'CREATE DATABASE "{db}"')
    _migrate(url, BEFORE_REBUILD)
    _load_demo(url, folder)
    yield url
    if request.param == "postgresql":
        _pg_admin(url, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture
def loaded_url(demo_at_0020, tmp_path):
    if demo_at_0020.startswith("sqlite"):
        path = tmp_path / "migrated.db"
        shutil.copyfile(demo_at_0020.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    copy = demo_at_0020.replace("_keep_", "_keep_copy_")
    template = make_url(demo_at_0020).database
    _pg_admin(copy, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)',
              f'CREATE DATABASE "{{db}}" TEMPLATE "{template}"')
    yield copy
    _pg_admin(copy, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _load_demo(url: str, tmp_path) -> None:
    from app.demo.seed import seed_demo

    app = _app_for(url, UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        from app.extensions import db
        seed_demo(db.session)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _rows(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
            return {t: conn.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in tables}
    finally:
        engine.dispose()


def _revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        engine.dispose()


def test_upgrading_and_downgrading_a_loaded_database_keeps_every_row(loaded_url, tmp_path):
    from app.models import Case, RoutingRule

    loaded = _rows(loaded_url)
    # What a cascading drop of `cases` would take: the test means nothing without them.
    for table in ("dossiers", "field_reports", "case_events"):
        assert loaded[table] > 0, table

    _migrate(loaded_url)
    assert _rows(loaded_url) == loaded
    # The keys hold now: a case or a routing rule naming no procedure is refused.
    app = _app_for(loaded_url, UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        from app.extensions import db
        missing = db.session.scalar(select(func.max(Case.procedure_id))) + 1000
        case_id = db.session.scalar(select(func.min(Case.id)))
        with pytest.raises(IntegrityError):
            db.session.execute(Case.__table__.update().where(Case.id == case_id)
                               .values(procedure_id=missing))
            db.session.commit()
        db.session.rollback()
        rule = db.session.scalar(select(RoutingRule).limit(1))
        with pytest.raises(IntegrityError):
            db.session.execute(insert(RoutingRule).values(
                case_type="dossier", procedure_id=missing, department_id=rule.department_id,
                mode="pull", active=True))
            db.session.commit()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()

    _migrate(loaded_url, BEFORE_REBUILD, down=True)
    assert _revision(loaded_url) == BEFORE_REBUILD
    assert _rows(loaded_url) == loaded


def test_an_upgrade_that_would_leave_a_dangling_key_stops_and_changes_nothing(loaded_url,
                                                                            tmp_path, caplog):
    from app.models import Case

    engine = create_engine(loaded_url)
    with engine.begin() as conn:  # 0020 has no key yet, so this is possible there
        missing = conn.scalar(select(func.max(Case.procedure_id))) + 1000
        conn.execute(Case.__table__.update()
                     .where(Case.id == conn.scalar(select(func.min(Case.id))))
                     .values(procedure_id=missing))
    engine.dispose()
    loaded = _rows(loaded_url)

    # SQLite: env.py's check, which `flask db upgrade` reports and exits 1 on; PostgreSQL: the
    # constraint refused as it is added.
    with pytest.raises((SystemExit, DBAPIError)) as stopped:
        _migrate(loaded_url)
    assert "procedure" in caplog.text + str(stopped.value)
    assert _revision(loaded_url) == BEFORE_REBUILD
    assert _rows(loaded_url) == loaded


def test_the_connection_a_migration_ran_on_enforces_foreign_keys_again(tmp_path):
    from flask_migrate import upgrade

    app = _app_for(f"sqlite:///{tmp_path / 'migrated.db'}")
    with app.app_context():
        from app.extensions import db
        upgrade()
        # The pool hands back the connection used last (app/db.sqlite_pool_options): the one
        # the run turned the keys off on.
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
