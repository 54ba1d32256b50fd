"""Configuration read from the environment.

Nothing secret has a default outside development: `create_app` refuses to start in production
without SECRET_KEY. Development gets a random key kept under instance/ so sessions survive a
restart of `make run` without anyone ever typing a key into the code.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """The environment does not describe a portal we are willing to start."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret(instance_path: Path) -> str:
    path = instance_path / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


MIN_SECRET_KEY_LENGTH = 32


def check_secret_key(secret: str) -> None:
    """A production key must be long and not a placeholder: it signs every session cookie."""
    if len(secret) < MIN_SECRET_KEY_LENGTH or len(set(secret)) < 10:
        raise ConfigError(f"SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random "
                          "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'")


def check_public_url(url: str) -> str:
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/")
            or parts.query or parts.fragment):
        raise ConfigError(f"PUBLIC_URL must look like https://host[:port], not {url!r}")
    return url.rstrip("/")


def default_sqlite_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'conglang.db'}"


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from environment variables (and test overrides)."""
    overrides = dict(overrides or {})
    env = overrides.pop("APP_ENV", None) or os.environ.get("APP_ENV", "production")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    dev = env == "development"
    testing = env == "testing"

    secret = overrides.pop("SECRET_KEY", None) or os.environ.get("SECRET_KEY")
    if not secret:
        if dev:
            secret = _dev_secret(instance_path)
        elif testing:
            secret = secrets.token_urlsafe(32)
        else:
            raise ConfigError("SECRET_KEY is not set; refusing to start outside development")
    elif env == "production":
        check_secret_key(secret)

    public_url = (overrides.pop("PUBLIC_URL", None) or os.environ.get("PUBLIC_URL") or "").strip()
    if public_url:
        public_url = check_public_url(public_url)
    elif env == "production":
        raise ConfigError("PUBLIC_URL is not set (e.g. https://dichvucong.example.gov.vn); links in "
                          "messages and receipts are built from it, never from the request")
    else:
        public_url = "http://127.0.0.1:8000" if dev else "http://localhost"
    # Outside development only the configured host names are answered (a forged Host header
    # gets a 400), plus any the operator lists in ALLOWED_HOSTS (a health-check address).
    trusted_hosts = None
    if env == "production":
        trusted_hosts = [urlsplit(public_url).hostname] + [
            h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]

    database_url = os.environ.get("DATABASE_URL") or default_sqlite_url(instance_path)
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    config = {
        "APP_ENV": env,
        "DEBUG": False,
        "TESTING": testing,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not (dev or testing) and _bool(os.environ.get("COOKIE_SECURE"), True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not (dev or testing) and _bool(os.environ.get("COOKIE_SECURE"), True),
        # "Keep me logged in" on a shared family phone should not outlive a month.
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(os.environ.get("REMEMBER_DAYS", 30))),
        "PUBLIC_URL": public_url,
        "TRUSTED_HOSTS": trusted_hosts,
        "PREFERRED_URL_SCHEME": "http" if dev or testing else "https",
        # Photos and scanned papers from phones: an online dossier sends several papers of up
        # to 5 MB each in one request; anything larger is refused with a 413 page.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 25 * 1024 * 1024)),
        # Uploaded files (app/storage.py): outside static/, never served but through a view.
        # Several nodes need a shared volume here (or an object store behind FileStore).
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(instance_path / "uploads"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session: slow forms on phones
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "LANGUAGES": ("vi", "en"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour"),
        "RATELIMIT_REGISTER": os.environ.get("RATELIMIT_REGISTER", "5 per minute;30 per hour"),
        # Dossier tracking by code and phone: enough for a family, too few to guess numbers.
        "RATELIMIT_LOOKUP": os.environ.get("RATELIMIT_LOOKUP", "10 per minute;60 per hour"),
        # Guesses at the current password when changing it, per account and per address.
        "RATELIMIT_PASSWORD": os.environ.get("RATELIMIT_PASSWORD", "5 per minute;20 per hour"),
        # Several portals may share one Redis; each counts under its own prefix.
        # Per account: comments and reports on the community pages.
        "RATELIMIT_COMMENT": os.environ.get("RATELIMIT_COMMENT", "10 per minute"),
        "RATELIMIT_FLAG": os.environ.get("RATELIMIT_FLAG", "20 per minute"),
        # Village announcements and alerts (issue 10): unsubscribe links are used without an
        # account, so per address; the daily digest goes out at this hour, Vietnam time.
        "RATELIMIT_UNSUBSCRIBE": os.environ.get("RATELIMIT_UNSUBSCRIBE",
                                                "10 per minute;60 per hour"),
        "VILLAGE_DIGEST_HOUR": int(os.environ.get("VILLAGE_DIGEST_HOUR", 18)),
        # Questions and petitions sent, per account (per address when not signed in).
        "RATELIMIT_PETITION": os.environ.get("RATELIMIT_PETITION", "5 per minute;30 per hour"),
        # Statistics (issue 12): CSV exports per address; each is a full recount of a table.
        "RATELIMIT_STATS_CSV": os.environ.get("RATELIMIT_STATS_CSV", "30 per minute;300 per hour"),
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "conglang"),
        # Redis down: keep limiting per process rather than failing every login with a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Processes serving the portal; gunicorn.conf.py exports what it started (app/ratelimits.py).
        "WEB_CONCURRENCY": int(os.environ.get("WEB_CONCURRENCY") or 1),
        # Proxies in front whose X-Forwarded-For/-Proto we believe; 0: the peer is the client.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT") or 0),
        "PASSWORD_RESET_MINUTES": int(os.environ.get("PASSWORD_RESET_MINUTES", 30)),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS"), True),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Cổng Làng <no-reply@conglang.local>"),
        # Notifications (app/notifications): SMS gateway "" (none), "log" (development and
        # testing only) or "package.module:factory"; delivery retries with doubling backoff.
        "SMS_GATEWAY": os.environ.get("SMS_GATEWAY", ""),
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 5)),
        "OUTBOX_LEASE_SECONDS": int(os.environ.get("OUTBOX_LEASE_SECONDS", 300)),
        "OUTBOX_BACKOFF_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_SECONDS", 60)),
        "OUTBOX_BACKOFF_MAX_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", 3600)),
        "OUTBOX_SECRET_MAX_AGE_MINUTES": int(os.environ.get("OUTBOX_SECRET_MAX_AGE_MINUTES", 60)),
        "OUTBOX_BATCH": int(os.environ.get("OUTBOX_BATCH", 200)),
        # SLA: how many working days before the due date a case counts as almost due.
        "SLA_WARNING_DAYS": int(os.environ.get("SLA_WARNING_DAYS", 1)),
        "CLAIM_LEASE_MINUTES": int(os.environ.get("CLAIM_LEASE_MINUTES", 120)),
        # An apology letter moves the appointment by at most this many working days.
        "APOLOGY_MAX_WORKING_DAYS": int(os.environ.get("APOLOGY_MAX_WORKING_DAYS", 30)),
        "WORKER_INTERVAL_SECONDS": int(os.environ.get("WORKER_INTERVAL_SECONDS", 60)),
        # Desk appointments (app/appointments): a resident may cancel until this many minutes
        # before the start; a slot may be booked until this many minutes before it starts (the
        # same-day cut-off) and up to this many days ahead; bookings per account.
        "APPOINTMENT_CANCEL_MINUTES": int(os.environ.get("APPOINTMENT_CANCEL_MINUTES", 120)),
        "APPOINTMENT_LEAD_MINUTES": int(os.environ.get("APPOINTMENT_LEAD_MINUTES", 60)),
        "APPOINTMENT_HORIZON_DAYS": int(os.environ.get("APPOINTMENT_HORIZON_DAYS", 21)),
        "RATELIMIT_BOOKING": os.environ.get("RATELIMIT_BOOKING", "5 per minute;30 per day"),
        # Field reports and Open311 (app/reports, app/open311): open reports of the same
        # category this close (metres) are offered before a new one is sent; new reports per
        # account; Open311 look-ups per address and posts per API key.
        "REPORT_DUPLICATE_RADIUS_M": int(os.environ.get("REPORT_DUPLICATE_RADIUS_M", 100)),
        "RATELIMIT_REPORT": os.environ.get("RATELIMIT_REPORT", "5 per minute;30 per day"),
        "RATELIMIT_OPEN311": os.environ.get("RATELIMIT_OPEN311", "60 per minute;2000 per hour"),
        "RATELIMIT_OPEN311_POST": os.environ.get("RATELIMIT_OPEN311_POST",
                                                 "10 per minute;300 per hour"),
    }
    config.update(overrides)
    if not 0 <= int(config["VILLAGE_DIGEST_HOUR"]) <= 23:
        raise ConfigError("VILLAGE_DIGEST_HOUR must be an hour from 0 to 23")
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # A pooled PostgreSQL connection can die with a server restart: it is tested at
        # checkout. SQLite's pool is set in app/db.py (no ping, last used first).
        from app.db import sqlite_pool_options

        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **config["SQLALCHEMY_ENGINE_OPTIONS"],
            **sqlite_pool_options(str(config["SQLALCHEMY_DATABASE_URI"]))}
    return config
