"""Engine set-up shared by the web app, the worker, the tests and the benchmarks (no Flask).

SQLite: WAL so readers never block the writer, a busy timeout so writers queue instead of
failing, foreign keys on. pysqlite's own implicit BEGIN is switched off so that we choose the
transaction mode: a write that first reads (claiming, state changes) must start with
BEGIN IMMEDIATE, or the deferred read lock fails to upgrade with "database is locked".
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

# The hot paths (claims, the statistics' tallies) talk to the driver itself, so the portal
# runs on these two and refuses any other when its engine is set up, not on the first claim.
SUPPORTED_DRIVERS = frozenset({"pysqlite", "psycopg"})
SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def sqlite_pool_options(url: str) -> dict:
    """Engine options for a SQLite database: a "connection" is an open file that cannot go
    stale, so it is not pinged; a file database's pool hands out the connection used last, as
    its page cache is the one most likely still current (an in-memory one has a single
    connection and no choice)."""
    if url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url:
        return {"pool_pre_ping": False}
    return {"pool_pre_ping": False, "pool_use_lifo": True}
_configured: set[int] = set()


class UnsupportedDriver(RuntimeError):
    pass


def configure_engine(engine: Engine) -> Engine:
    if engine.dialect.driver not in SUPPORTED_DRIVERS:
        raise UnsupportedDriver(f"Cổng Làng runs on sqlite3 or psycopg, not "
                                f"{engine.dialect.driver}: use sqlite:/// or "
                                f"postgresql+psycopg:// in DATABASE_URL")
    if engine.dialect.name != "sqlite" or id(engine) in _configured:
        return engine
    _configured.add(id(engine))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # Pages are read from the OS cache by address instead of a read() and a copy each:
            # a connection's own page cache is dropped whenever another connection has written
            # (WAL), so in a pool of several connections most reads are such re-reads.
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


_WROTE = "conglang_wrote"


@event.listens_for(Session, "after_flush")
def _remember_flush(session, _flush_context):
    # After a flush the session looks clean again; begin_write must still not end (commit)
    # a transaction that holds flushed, uncommitted work.
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_flush(session, transaction):
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def has_pending_work(session: Session) -> bool:
    """Whether the session's transaction holds changes, flushed or not (a read-only one can be
    ended for free)."""
    if isinstance(session, scoped_session):
        session = session()
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


def begin_write(session: Session) -> None:
    """Open the session's transaction as a write transaction, before its first read.

    On SQLite this takes the write lock up front (BEGIN IMMEDIATE), waiting up to the busy
    timeout; on PostgreSQL row locks do the work and this is a no-op. Call it first thing in
    a service function that reads and then writes. A read-only transaction already open is
    ended first; one with pending changes is left as it is.
    """
    if not is_sqlite(session):
        return
    if isinstance(session, scoped_session):
        session = session()  # the registry proxy does not expose transaction state
    if in_write_transaction(session):
        # Inside write_transaction the write lock is already held, and the work done so far may
        # be plain SQL the session cannot see (a sequence upsert): never end it here.
        return
    if session.in_transaction():
        if has_pending_work(session):
            return  # work is pending or flushed; the caller already chose the transaction mode
        # A read-only deferred transaction (e.g. loading the current user) holds a snapshot
        # that cannot be upgraded safely; ending it costs nothing.
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


_DEPTH = "conglang_write_depth"


def in_write_transaction(session: Session) -> bool:
    """Whether `write_transaction` is open on this session (the write lock is held)."""
    if isinstance(session, scoped_session):
        session = session()
    return bool(session.info.get(_DEPTH))


@contextmanager
def write_transaction(session: Session, *, join: bool = False):
    """The one way to write: `with write_transaction(session): ...` opens a write transaction
    (BEGIN IMMEDIATE on SQLite, see begin_write), commits when the block ends, rolls back and
    re-raises on any error.

    Nesting is explicit. Inside an open write_transaction on the same session:
      * `write_transaction(session, join=True)` takes part in the outer one: it neither commits
        nor rolls back; an error leaves the block and the outer one rolls everything back.
        A function that may run alone or inside a caller's transaction (handing cases back
        when an officer goes on leave) uses join=True: alone it commits, inside it joins.
      * a plain `write_transaction(session)` raises RuntimeError instead of silently committing
        the caller's half-done work.
    Committing inside the block is allowed (the outer commit then has nothing left to do).
    """
    if isinstance(session, scoped_session):
        session = session()  # the registry proxy has no `info` of its own per session
    depth = session.info.get(_DEPTH, 0)
    if depth:
        if not join:
            raise RuntimeError("a write transaction is already open on this session; "
                               "pass join=True to take part in it")
        session.info[_DEPTH] = depth + 1
        try:
            yield session
        finally:
            session.info[_DEPTH] = depth
        return
    begin_write(session)
    session.info[_DEPTH] = 1
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_DEPTH, None)
