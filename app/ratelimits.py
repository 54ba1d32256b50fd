"""Who is asking, and how often: the rate limiter's keys, the proxies we trust, and where the
counts are kept.

A limit is only as strong as its counter. `memory://` keeps one counter per process, so with N
gunicorn workers an attacker gets about N times the attempts (the hardening review saw the first
429 at attempt 20 against 10 per minute with two workers). The rule, in one place:

- several processes need a shared store (`RATELIMIT_STORAGE_URI=redis://…`);
- on `memory://` the portal runs one process (with threads): gunicorn.conf.py asks
  `worker_count` how many workers to start, and exports the number it started as
  WEB_CONCURRENCY so each process's `check_storage` sees the truth;
- asking for several processes on `memory://` anyway is refused in production (a security
  control that silently weakens is worse than a deploy that stops with a clear message; the fix
  is one variable) and logged as a WARNING elsewhere, so a developer can still watch it happen.

The client address is the socket peer unless the operator says how many proxies sit in front
(PROXY_COUNT): otherwise anyone could pick a fresh X-Forwarded-For per request and never be
limited. X-Forwarded-Host is never trusted: the portal answers only its configured host names.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Flask
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import ConfigError

# Storage schemes whose counts live inside one process; every other limits backend is shared.
PER_PROCESS_SCHEMES = frozenset({"memory"})
# Workers gunicorn starts on a shared store when WEB_CONCURRENCY does not say.
SHARED_STORE_WORKERS = 2


def is_per_process(storage_uri: str) -> bool:
    return urlsplit(storage_uri).scheme in PER_PROCESS_SCHEMES


def worker_count(environ: Mapping[str, str]) -> int:
    """How many gunicorn worker processes to start: WEB_CONCURRENCY when given, otherwise one on
    per-process storage and SHARED_STORE_WORKERS on a shared store."""
    requested = (environ.get("WEB_CONCURRENCY") or "").strip()
    if requested:
        return int(requested)
    storage_uri = environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    return 1 if is_per_process(storage_uri) else SHARED_STORE_WORKERS


def storage_problem(processes: int, storage_uri: str) -> str | None:
    if processes <= 1 or not is_per_process(storage_uri):
        return None
    return (f"Rate limits are counted in {storage_uri} by each of {processes} processes on its "
            f"own, so every limit is about {processes} times weaker. Set "
            "RATELIMIT_STORAGE_URI=redis://… (shared counts) or WEB_CONCURRENCY=1 "
            "(one process with threads).")


def check_storage(processes: int, storage_uri: str, env: str, log: logging.Logger) -> None:
    """Refuse (production) or warn (elsewhere) when several processes count apart."""
    problem = storage_problem(processes, storage_uri)
    if problem is None:
        return
    if env == "production":
        raise ConfigError(problem)
    log.warning(problem)


def check_app_storage(app: Flask) -> None:
    if not app.config["RATELIMIT_ENABLED"]:
        return
    check_storage(app.config["WEB_CONCURRENCY"], app.config["RATELIMIT_STORAGE_URI"],
                  app.config["APP_ENV"], app.logger)


def trust_proxies(app: Flask) -> None:
    """Take the client address and scheme from the PROXY_COUNT proxies in front, none by default.

    Only X-Forwarded-For and X-Forwarded-Proto: the host comes from the request line the proxy
    sends, never from X-Forwarded-Host."""
    count = app.config["PROXY_COUNT"]
    if count < 0:
        raise ConfigError("PROXY_COUNT must be 0 or more")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0,
                                x_prefix=0)


def account_key() -> str:
    """Counts per account, so a stolen session cannot guess the current password from many
    addresses; a visitor who is not signed in (redirected to log in anyway) counts per address."""
    if current_user.is_authenticated:
        return f"account:{current_user.get_id()}"
    return f"anonymous:{get_remote_address()}"
