"""Public pages every visitor sees alike, kept rendered per process until their content changes.

The procedure catalogue (its search page and its API answers) is read far more than it is
written, and is the same for every visitor who is not signed in: rendering it costs more than
everything else a request does (bench/page_bench.py). So a view marked `@shared_page(CATALOGUE)`
is rendered once per address, language and htmx-ness, and kept with the catalogue's version
(app/models/content_versions.py) it was rendered at. The next visitor gets the kept copy while
the version is unchanged; each request still passes every hook (rate limits, security
headers, language cookie), only the view is skipped.

Correct whatever the writer, on every node:
* the version is raised by the writing transaction itself: a flush that adds, changes or
  deletes a watched model raises it (`_raise_versions`, a Session event, so the admin, the CLI
  and the demo seed are all covered, and an ORM bulk UPDATE/DELETE of a watched model too);
* a process reads the version at most once every FRESH_FOR seconds (a read costs ~50 µs, a
  kept page ~250 µs in all, so reading it on every request would cost a fifth of the answer),
  and at once after it committed a change itself: the node where an administrator saves a
  procedure shows the change on the next request, the others within FRESH_FOR.

Only what cannot differ between visitors is shared: a signed-in visitor, or one with a message
waiting to be shown (a flash), gets the page rendered for them, and a shared page carries no
CSRF token (base.html leaves the <meta> out; these pages post nothing). Each kept answer has
an ETag, so a phone coming back gets a 304 without the body.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import wraps

from flask import Flask, Response, current_app, g, make_response, request, session
from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

# Flask-Compress's own negotiation and encoders, so a kept page is compressed exactly as any
# other answer is (pinned in setup.cfg).
from flask_compress import flask_compress as compression

from app.extensions import compress, db
from app.locale import current_language
from app.models import ContentVersion, Procedure, ProcedureDocument, ProcedureField
from app.security import visitor_signed_in

CATALOGUE = "catalogue"
# What each version covers: a change to any of these models raises it.
WATCHED: dict[str, tuple[type, ...]] = {
    CATALOGUE: (Procedure, ProcedureField, ProcedureDocument),
}
FRESH_FOR = 1.0  # seconds a process trusts the version it read
MAX_PAGES = 512  # per process and name; a catalogue page is ~30 kB, so at most ~15 MB
# Headers a view sets that belong to the answer; hooks add the rest on every request.
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Vary")
SHARED_ATTR = "_shared_page"  # on a view: the content it is kept under
RAISED = "page_cache_raised"  # Session.info: the versions this transaction raised


@dataclass(frozen=True)
class Kept:
    version: int
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    # The body compressed, per algorithm, made on the first request asking for each: a phone
    # sends Accept-Encoding, and compressing costs a third of answering from the kept copy.
    encoded: dict[str, bytes] = field(default_factory=dict, compare=False)

    def answer(self) -> Response:
        """The kept page, compressed as the client asks and Flask-Compress would (its
        after_request then leaves an encoded answer alone)."""
        app = current_app
        algorithm = compression._choose_algorithm(compress.enabled_algorithms,
                                                  request.headers.get("Accept-Encoding", ""))
        mimetype = dict(self.headers).get("Content-Type", "").split(";")[0]
        if (algorithm is None or len(self.body) < app.config["COMPRESS_MIN_SIZE"]
                or mimetype not in compress.compress_mimetypes_set):
            return Response(self.body, self.status, list(self.headers))
        body = self.encoded.get(algorithm)
        if body is None:
            body = self.encoded[algorithm] = compression._compress_data(app, self.body, algorithm)
        # Flask-Compress's own form of an encoded answer's ETag.
        headers = [(k, f'"{self.etag}:{algorithm}"' if k == "ETag" else v)
                   for k, v in self.headers]
        headers.append(("Content-Encoding", algorithm))
        return Response(body, self.status, headers)


class PageStore:
    """A bounded least-recently-used map, shared by a process's threads."""

    def __init__(self, size: int = MAX_PAGES):
        self.size = size
        self._pages: OrderedDict[tuple, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, version: int) -> Kept | None:
        with self._lock:
            kept = self._pages.get(key)
            if kept is None or kept.version != version:
                return None
            self._pages.move_to_end(key)
            return kept

    def put(self, key: tuple, kept: Kept) -> None:
        with self._lock:
            self._pages[key] = kept
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


class Versions:
    """The versions as this process last read them, trusted for FRESH_FOR seconds."""

    def __init__(self, fresh_for: float = FRESH_FOR):
        self.fresh_for = fresh_for
        self._read: dict[str, tuple[int, float]] = {}

    def get(self, session: Session, name: str) -> int:
        known = self._read.get(name)
        now = time.monotonic()
        if known is not None and now - known[1] < self.fresh_for:
            return known[0]
        value = read_version(session, name)
        self._read[name] = (value, now)
        return value

    def forget(self, name: str) -> None:
        self._read.pop(name, None)


@dataclass
class AppPages:
    """One app's kept pages and versions (tests build many apps in one process)."""
    versions: Versions
    stores: dict[str, PageStore]


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = AppPages(Versions(), {name: PageStore() for name in WATCHED})
    watch()


def pages() -> AppPages:
    return current_app.extensions["page_cache"]


# -- the versions ---------------------------------------------------------------------------------

def read_version(session: Session, name: str) -> int:
    return session.execute(select(ContentVersion.version)
                           .where(ContentVersion.name == name)).scalar() or 0


def raise_version(session: Session, name: str) -> None:
    """+1, in the caller's transaction (the row is made on the first change)."""
    table = ContentVersion.__table__
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    session.execute(insert(table).values(name=name, version=1).on_conflict_do_update(
        index_elements=[table.c.name], set_={"version": table.c.version + 1}))
    session.info.setdefault(RAISED, set()).add(name)


def _changed(session: Session, models: tuple[type, ...]) -> bool:
    if any(isinstance(o, models) for o in session.new) or \
            any(isinstance(o, models) for o in session.deleted):
        return True
    return any(isinstance(o, models) and session.is_modified(o) for o in session.dirty)


def _raise_versions(session: Session, flush_context, instances) -> None:
    for name, models in WATCHED.items():
        if _changed(session, models):
            raise_version(session, name)


def _raise_on_bulk(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    # An ORM statement's table is an annotated copy: compared by name.
    target = getattr(getattr(state.statement, "table", None), "name", None)
    for name, models in WATCHED.items():
        if any(target == m.__tablename__ for m in models):
            raise_version(state.session, name)


def _committed(session: Session) -> None:
    raised = session.info.pop(RAISED, None)
    if not raised or not current_app:  # nothing raised, or a script outside the app
        return
    app_pages = current_app.extensions.get("page_cache")
    for name in raised if app_pages is not None else ():
        app_pages.versions.forget(name)


def _rolled_back(session: Session, _previous_transaction) -> None:
    session.info.pop(RAISED, None)


def watch() -> None:
    """Listen to every Session (idempotent: create_app may run many times in one process)."""
    if not event.contains(Session, "before_flush", _raise_versions):
        event.listen(Session, "before_flush", _raise_versions)
        event.listen(Session, "do_orm_execute", _raise_on_bulk)
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_soft_rollback", _rolled_back)


# -- the views ------------------------------------------------------------------------------------

def visitor_sees_shared() -> bool:
    """Nothing on the page can be this visitor's own: not signed in, no message waiting."""
    if request.method not in ("GET", "HEAD"):
        return False
    return "_flashes" not in session and not visitor_signed_in()


def _still_fresh(etag: str) -> bool:
    """The client's copy is this page, in whichever encoding it got it ("tag:br" as
    Flask-Compress writes an encoded answer's tag)."""
    asked = request.if_none_match
    if not asked:
        return False
    return asked.star_tag or any(tag.partition(":")[0] == etag
                                 for tag in asked.as_set(include_weak=True))


def shared_page(name: str):
    """Answer from the kept copy of this address when the content `name` is unchanged."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not visitor_sees_shared():
                return view(*args, **kwargs)
            app_pages = pages()
            store = app_pages.stores[name]
            current = app_pages.versions.get(db.session, name)
            key = (request.path, request.query_string, current_language(),
                   request.headers.get("HX-Request") == "true")
            kept = store.get(key, current)
            if kept is None:
                # On `g`, which an application context outliving the request (tests, the
                # CLI) would hand to the next request: taken off again at once.
                g.shared_page = True
                try:
                    response = make_response(view(*args, **kwargs))
                finally:
                    g.pop("shared_page", None)
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                body = response.get_data()
                etag = f"{name}-{current}-{hashlib.blake2b(body, digest_size=12).hexdigest()}"
                kept = Kept(current, response.status_code,
                            tuple((k, v) for k, v in response.headers.items()
                                  if k in KEPT_HEADERS) + (("ETag", f'"{etag}"'),),
                            body, etag)
                store.put(key, kept)
            if _still_fresh(kept.etag):
                return Response(status=304, headers=[h for h in kept.headers
                                                     if h[0] != "Content-Type"])
            return kept.answer()

        setattr(wrapper, SHARED_ATTR, name)
        return wrapper

    return decorator


__all__ = ["CATALOGUE", "SHARED_ATTR", "WATCHED", "FRESH_FOR", "PageStore", "Versions",
           "init_app", "pages", "shared_page", "read_version", "raise_version", "watch",
           "visitor_sees_shared"]
