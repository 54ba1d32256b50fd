"""Rate limits that hold: counted once in Redis for every process, per account on the
change-password form, by the real client address behind a known number of proxies, and never
quietly multiplied by running several processes on per-process storage.

Redis runs on 127.0.0.1:6379 here and in CI (TEST_REDIS_URL to point elsewhere). Each test
counts under its own key prefix, so parallel runs and other developers never share a counter.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
import redis
from bs4 import BeautifulSoup

from app.config import ConfigError
from app.ratelimits import worker_count
from tests.checked_client import CheckedClient
from tests.conftest import _app_for
from tests.factories import make_resident

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "mat-khau-2026"

STRONG_KEY = "k7Qp2vX9sLm4Tz8Rb1Wn6Yc3Hd5Jf0Ga"  # production refuses weak keys


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own; its counters are deleted afterwards."""
    prefix = f"conglang-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _redis_keys(prefix: str) -> list[bytes]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return list(client.scan_iter(f"*{prefix}*"))
    finally:
        client.close()


@contextmanager
def limited_app(database: str, prefix: str, **overrides):
    """The portal with rate limits on, counted in Redis under `prefix`."""
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL,
              # Flask-Limiter keeps the first RATELIMIT_KEY_PREFIX it is given for the life of
              # its (module-level) limiter; the storage's own prefix follows each app.
              "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix}}
    config.update(overrides)
    app = _app_for(database, **config)
    app.test_client_class = CheckedClient
    # No app context held open around the requests: each request gets its own, as in a server,
    # so one client's signed-in user is never cached for the next.
    try:
        yield app
    finally:
        with app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()


def _resident(app, phone: str) -> None:
    with app.app_context():
        from app.extensions import db

        make_resident(db.session, phone=phone, password=PASSWORD)
        db.session.commit()
        db.session.remove()


def _failed_logins(client, attempts: int, **kwargs) -> list[int]:
    data = {"csrf_token": client.csrf_token("/vi/account/login"), "identifier": "0900000000",
            "password": "wrong-password"}
    return [client.post("/vi/account/login", data=data, **kwargs).status_code
            for _ in range(attempts)]


# --- One count for the whole portal (Redis), through the test client --------------------------

@pytest.mark.parametrize("lang, wording",
                         [("vi", "Thử quá nhiều lần"), ("en", "Too many attempts")])
def test_the_eleventh_login_in_a_minute_is_refused_with_a_page_saying_when_to_retry(
        database, redis_prefix, lang, wording):
    with limited_app(database, redis_prefix, RATELIMIT_LOGIN="10 per minute") as app:
        client = app.test_client()
        token = client.csrf_token(f"/{lang}/account/login")
        responses = [client.post(f"/{lang}/account/login",
                                 data={"csrf_token": token, "identifier": "0900000000",
                                       "password": "wrong-password"}) for _ in range(11)]
    assert [r.status_code for r in responses] == [200] * 10 + [429]
    refused = responses[-1]
    assert wording in refused.page.find("h1").get_text()
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert _redis_keys(redis_prefix), "the attempts were not counted in Redis"


def test_a_stolen_session_cannot_keep_guessing_the_current_password_from_other_addresses(
        database, redis_prefix):
    with limited_app(database, redis_prefix, RATELIMIT_PASSWORD="3 per minute") as app:
        _resident(app, "0911222333")
        guess = {"current_password": "guess", "new_password": "new-pass-123",
                 "confirm": "new-pass-123"}
        first = app.test_client()
        first.environ_base["REMOTE_ADDR"] = "10.0.0.1"
        assert first.login("0911222333", PASSWORD).status_code == 302
        statuses = [first.submit("/en/account/password", guess).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]

        second = app.test_client()
        second.environ_base["REMOTE_ADDR"] = "10.0.0.2"
        assert second.login("0911222333", PASSWORD).status_code == 302
        refused = second.submit("/en/account/password", {**guess, "current_password": PASSWORD})
        assert refused.status_code == 429
        assert "Too many attempts" in refused.page.get_text()


def test_one_address_cannot_spread_password_guesses_over_many_sessions(database, redis_prefix):
    with limited_app(database, redis_prefix, RATELIMIT_PASSWORD="3 per minute") as app:
        guess = {"current_password": "guess", "new_password": "new-pass-123",
                 "confirm": "new-pass-123"}
        statuses = []
        for phone in ("0911222555", "0911222666"):
            _resident(app, phone)
            client = app.test_client()
            client.login(phone, PASSWORD)
            statuses += [client.submit("/en/account/password", guess).status_code
                         for _ in range(2)]
    assert statuses == [200, 200, 200, 429]


def test_viewing_the_change_password_form_is_not_counted(database, redis_prefix):
    with limited_app(database, redis_prefix, RATELIMIT_PASSWORD="2 per minute") as app:
        _resident(app, "0911222444")
        client = app.test_client()
        client.login("0911222444", PASSWORD)
        assert [client.get("/en/account/password").status_code for _ in range(5)] == [200] * 5
        changed = client.submit("/en/account/password", {
            "current_password": PASSWORD, "new_password": "new-pass-123",
            "confirm": "new-pass-123"})
        assert changed.status_code == 302


# --- Which address is counted -----------------------------------------------------------------

def test_a_forged_forwarded_for_header_does_not_buy_fresh_attempts_without_a_proxy(
        database, redis_prefix):
    with limited_app(database, redis_prefix, RATELIMIT_LOGIN="2 per minute") as app:
        client = app.test_client()
        statuses = [_failed_logins(client, 1, headers={"X-Forwarded-For": f"203.0.113.{n}"})[0]
                    for n in range(3)]
    assert statuses == [200, 200, 429]


def test_behind_one_proxy_each_client_address_counts_apart(database, redis_prefix):
    with limited_app(database, redis_prefix, RATELIMIT_LOGIN="2 per minute", PROXY_COUNT=1) as app:
        client = app.test_client()
        # The proxy appends the address it saw; anything before it is the client's own claim.
        apart = [_failed_logins(client, 1, headers={"X-Forwarded-For": f"203.0.113.{n}"})[0]
                 for n in range(3)]
        same = _failed_logins(client, 3, headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    assert apart == [200, 200, 200]
    assert same == [200, 200, 429]


# --- When Redis is away ---------------------------------------------------------------------

def test_logins_are_still_limited_per_process_when_redis_cannot_be_reached(database, redis_prefix):
    with limited_app(database, redis_prefix, RATELIMIT_LOGIN="3 per minute",
                     RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0") as app:
        statuses = _failed_logins(app.test_client(), 4)
    assert statuses == [200, 200, 200, 429]


# --- Start-up rule: several processes need a shared store ----------------------------------------

def test_production_refuses_several_processes_counting_apart(tmp_path):
    with pytest.raises(ConfigError, match="WEB_CONCURRENCY=1"):
        _app_for(f"sqlite:///{tmp_path / 'x.db'}", APP_ENV="production", SECRET_KEY=STRONG_KEY,
                 PUBLIC_URL="https://dvc.example.vn",
                 RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", WEB_CONCURRENCY=2)


def test_elsewhere_several_processes_on_memory_storage_start_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        _app_for(f"sqlite:///{tmp_path / 'x.db'}", APP_ENV="development", SECRET_KEY=STRONG_KEY,
                 PUBLIC_URL="https://dvc.example.vn",
                 RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", WEB_CONCURRENCY=2)
    assert any(r.levelno == logging.WARNING and "2 times weaker" in r.getMessage()
               for r in caplog.records)


@pytest.mark.parametrize("storage, processes", [("memory://", 1), (REDIS_URL, 2), (REDIS_URL, 4)])
def test_safe_set_ups_start_quietly_in_production(tmp_path, caplog, storage, processes):
    with caplog.at_level(logging.WARNING):
        _app_for(f"sqlite:///{tmp_path / 'x.db'}", APP_ENV="production", SECRET_KEY=STRONG_KEY,
                 PUBLIC_URL="https://dvc.example.vn",
                 RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage, WEB_CONCURRENCY=processes)
    assert not [r for r in caplog.records if "times weaker" in r.getMessage()]


@pytest.mark.parametrize("environ, workers", [
    ({}, 1),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, 1),
    ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}, 2),
    ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "WEB_CONCURRENCY": "5"}, 5),
    ({"WEB_CONCURRENCY": "3"}, 3),  # asked for explicitly: the app then warns or refuses
])
def test_gunicorn_starts_one_process_unless_the_counts_are_shared(environ, workers):
    assert worker_count(environ) == workers


# --- Real processes: gunicorn with two workers ------------------------------------------------

@dataclass
class Server:
    url: str
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def login_pids_and_statuses(self) -> list[tuple[int, int]]:
        return [(int(pid), int(status)) for pid, status in
                re.findall(r"^ACCESS <(\d+)> POST /vi/account/login (\d+)$", self.text(), re.M)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(tmp_path: Path, sqlite_template: Path, *, boots: int, **env: str):
    """gunicorn as `make run` starts it (gunicorn.conf.py), on a migrated SQLite copy; waits
    until `boots` workers have booted, and always stops it."""
    database = tmp_path / "portal.db"
    shutil.copyfile(sqlite_template, database)
    port = _free_port()
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("RATELIMIT_", "WEB_CONCURRENCY", "GUNICORN", "PROXY_"))}
    environ.update({
        "APP_ENV": "testing", "SECRET_KEY": STRONG_KEY, "PUBLIC_URL": "http://127.0.0.1", "DATABASE_URL": f"sqlite:///{database}",
        "RATELIMIT_LOGIN": "10 per minute", "PYTHONUNBUFFERED": "1",
        # The worker's pid on every access line tells which process answered.
        "GUNICORN_CMD_ARGS": "--access-logformat 'ACCESS %(p)s %(m)s %(U)s %(s)s'",
    })
    environ.update(env)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 30
        while server.text().count("Booting worker") < boots or not _answers(server.url):
            if process.poll() is not None:
                break
            assert time.monotonic() < deadline, f"gunicorn did not start:\n{server.text()}"
            time.sleep(0.2)
        yield server, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with build_opener().open(f"{url}/vi/account/login", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


class Browser:
    """One browser (one cookie jar, one CSRF token) sending failed logins one after another."""

    def __init__(self, url: str):
        self.url = url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))
        with self.opener.open(f"{url}/vi/account/login", timeout=10) as response:
            page = BeautifulSoup(response.read(), "html.parser")
        token = page.find("input", attrs={"name": "csrf_token"})["value"]
        self.body = urlencode({"csrf_token": token, "identifier": "0900000000",
                               "password": "wrong-password"}).encode()

    def failed_logins(self, attempts: int) -> list[int]:
        statuses = []
        for _ in range(attempts):
            try:
                with self.opener.open(f"{self.url}/vi/account/login", data=self.body,
                                      timeout=10) as response:
                    statuses.append(response.status)
            except HTTPError as error:
                statuses.append(error.code)
        return statuses


def _hold_a_worker(url: str) -> socket.socket:
    """Keep one idle sync worker busy: it accepts this connection and waits for a request that
    never comes, so every other connection meanwhile goes to another worker."""
    host, port = url.removeprefix("http://").split(":")
    held = socket.create_connection((host, int(port)), timeout=10)
    time.sleep(0.5)  # an idle worker accepts it within milliseconds
    return held


def _first_refusal_across_two_workers(url: str) -> int | None:
    """The attempt number of the first 429 when the two workers take turns: attempts 1-5 go to
    one process and the rest to the other (sync workers: one connection each at a time)."""
    browser = Browser(url)
    first = _hold_a_worker(url)
    try:
        statuses = browser.failed_logins(5)
        second = _hold_a_worker(url)  # taken by the worker that answered: the other is held
    finally:
        first.close()
    try:
        statuses += browser.failed_logins(20)
    finally:
        second.close()
    return statuses.index(429) + 1 if 429 in statuses else None


def _first_refusal(url: str) -> int | None:
    statuses = Browser(url).failed_logins(25)
    return statuses.index(429) + 1 if 429 in statuses else None


def test_two_gunicorn_workers_on_redis_refuse_exactly_the_eleventh_login(
        tmp_path, sqlite_template, redis_prefix):
    with gunicorn(tmp_path, sqlite_template, boots=2, WEB_CONCURRENCY="2", GUNICORN_THREADS="1",
                  RATELIMIT_STORAGE_URI=REDIS_URL,
                  RATELIMIT_KEY_PREFIX=redis_prefix) as (server, _):
        first_429 = _first_refusal_across_two_workers(server.url)
    served = server.login_pids_and_statuses()  # once gunicorn has stopped and written every line
    print(f"\nredis://, 2 workers: first 429 at attempt {first_429}")
    assert first_429 == 11
    # Both processes answered attempts before the refusal: the one count was really shared.
    assert len({pid for pid, _ in served[:10]}) == 2, served
    assert "times weaker" not in server.text()


def test_two_gunicorn_workers_on_memory_storage_warn_that_limits_are_weaker(
        tmp_path, sqlite_template):
    with gunicorn(tmp_path, sqlite_template, boots=2, WEB_CONCURRENCY="2", GUNICORN_THREADS="1",
                  RATELIMIT_STORAGE_URI="memory://") as (server, _):
        first_429 = _first_refusal_across_two_workers(server.url)
    served = server.login_pids_and_statuses()
    print(f"\nmemory://, 2 workers: first 429 at attempt {first_429}")
    warnings = re.findall(r"WARNING.*2 times weaker", server.text())
    assert len(warnings) == 2, server.text()  # one from each worker as its app starts
    # What the warning is about: each process counted its own ten.
    assert len({pid for pid, _ in served[:10]}) == 2, served
    assert first_429 == 16  # five counted by one process, then eleven by the other


def test_gunicorn_on_memory_storage_starts_one_process_that_refuses_the_eleventh_login(
        tmp_path, sqlite_template):
    with gunicorn(tmp_path, sqlite_template, boots=1) as (server, _):
        first_429 = _first_refusal(server.url)
    assert first_429 == 11
    assert server.text().count("Booting worker") == 1
    assert "Using worker: gthread" in server.text()  # one process, several threads
    assert "times weaker" not in server.text()


def test_production_gunicorn_refuses_to_start_two_processes_counting_apart(
        tmp_path, sqlite_template):
    with gunicorn(tmp_path, sqlite_template, boots=2, APP_ENV="production", COOKIE_SECURE="0",
                  WEB_CONCURRENCY="2", RATELIMIT_STORAGE_URI="memory://") as (server, process):
        code = process.wait(timeout=30)
    assert code != 0
    assert "2 times weaker" in server.text()
    assert not _answers(server.url)
