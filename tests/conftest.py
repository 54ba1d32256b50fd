"""Shared fixtures.

Databases are built by the Alembic migrations, never by create_all. Every database test runs on
SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set (the `database` fixture is
parametrised). SQLite: migrated once into a template file, copied per test. PostgreSQL: one
database per xdist worker, migrated once, truncated per test.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.checked_client import CheckedClient

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
if os.environ.get("REQUIRE_POSTGRES") == "1" and not TEST_DATABASE_URL:
    # CI must never pass by quietly running on SQLite alone.
    raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "25")),
        help="hostile requests per route in tests/integration/test_fuzz_routes.py (default 25, "
             "or $FUZZ_EXAMPLES); a long run: --fuzz-examples 500")


@pytest.fixture
def fuzz_examples(request) -> int:
    return request.config.getoption("--fuzz-examples")


def _app_for(url: str, **overrides):
    from app import create_app

    # PUBLIC_URL pinned: `make run`'s environment (the Makefile exports it) must not change the
    # links the tests read in messages and QR codes.
    config = {"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
              "SERVER_NAME": None, "PUBLIC_URL": "http://localhost"}
    config.update(overrides)
    return create_app(config)


def _migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    from flask_migrate import downgrade, upgrade

    app = _app_for(url)
    with app.app_context():
        (downgrade if down else upgrade)(revision=revision)
        from app.extensions import db
        db.engine.dispose()


def _pg_url(worker_id: str) -> str:
    url = make_url(TEST_DATABASE_URL)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    # The pid keeps two test runs on one machine (two developers, or CI) out of each other's way.
    name = f"{url.database or 'conglang_test'}_{worker_id}_{os.getpid()}"
    return url.set(database=name).render_as_string(hide_password=False)


def _pg_admin(url: str, *statements: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement.format(db=target.database)))
    admin.dispose()


def only_on(backend: str):
    """Run a database test on one engine only (its SQL or locking is that engine's), instead of
    collecting it for both and skipping one: CI counts a skipped PostgreSQL test as a failure.
    A PostgreSQL-only test is skipped when no TEST_DATABASE_URL is configured at all."""
    marks = []
    if backend == "postgresql" and not TEST_DATABASE_URL:
        marks.append(pytest.mark.skip(reason="TEST_DATABASE_URL is not set"))
    return pytest.mark.parametrize("database", [pytest.param(backend, marks=marks)],
                                   indirect=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database(worker_id) -> str:
    url = _pg_url(worker_id)
    _pg_admin(url, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', 'CREATE DATABASE "{db}"')
    _migrate(url)
    yield url
    _pg_admin(url, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    # pytest-xdist provides this fixture; without xdist there is one worker.
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'")).scalars().all()
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                              + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> str:
    """A freshly migrated, empty database URL: SQLite, then PostgreSQL when configured."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    _truncate_pg(url)
    return url


@pytest.fixture
def app(database, tmp_path):
    # Uploaded files go to the test's own directory, never the instance folder.
    app = _app_for(database, UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        yield app
        from app.extensions import db
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(app):
    from app.extensions import db

    return db.session


@pytest.fixture
def client(app) -> CheckedClient:
    app.test_client_class = CheckedClient
    return app.test_client()


@pytest.fixture
def units(session):
    """The demo province's units (no people): communes and villages to register into."""
    from app.demo.seed import seed_units

    created = seed_units(session)
    session.commit()
    return created


@pytest.fixture
def demo_people(session):
    """The demo province and accounts with an empty queue, for tests that count what they add."""
    from app.demo.seed import seed_foundation

    seed_foundation(session)
    session.commit()
    return session


@pytest.fixture
def demo(session):
    """The whole demo data set, as `make run` loads it."""
    from app.demo.seed import seed_demo

    seed_demo(session)
    return session
