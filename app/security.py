"""Security headers for every response, and the access rules every route must declare.

Every view carries exactly one of the decorators below (public, login_required_for, roles);
tests/integration/test_architecture.py fails when a new route forgets.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

ACCESS_ATTR = "_access_rule"


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signer built once per key instead of twice per
    request (opening and saving each build one: ~10 % of a kept catalogue page's cost)."""

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = app.extensions.get("session_signer")
        if kept is None or kept[0] != keys:
            kept = (keys, super().get_signing_serializer(app))
            app.extensions["session_signer"] = kept
        return kept[1]


def public(view: Callable) -> Callable:
    """Anyone, signed in or not, may use this view."""
    setattr(view, ACCESS_ATTR, "public")
    return view


def signed_in(view: Callable) -> Callable:
    """Any signed-in account."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, "signed_in")
    return wrapper


def roles(*allowed: str) -> Callable[[Callable], Callable]:
    """Only these roles; others get 403, and anonymous visitors go to the login page."""
    allowed_set = frozenset(allowed)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.role not in allowed_set:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, "roles:" + ",".join(sorted(allowed_set)))
        return wrapper

    return decorator


def init_app(app: Flask) -> None:
    from app.extensions import login_manager

    app.session_interface = SessionCookies()
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself

    @app.before_request
    def forget_previous_visitor():
        # Flask-Login caches the user and Flask-WTF the CSRF token on `g`; an application
        # context that outlives one request (tests, a CLI) must not hand one visitor's account
        # or token to the next request.
        g.pop("_login_user", None)
        g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)

    every_answer = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                    ("Referrer-Policy", "strict-origin-when-cross-origin"),
                    ("X-Frame-Options", "DENY"),
                    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")]
    if app.config["SESSION_COOKIE_SECURE"]:
        every_answer.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def security_headers(response):
        # A view may set a stricter policy of its own (app/downloads.py); the rest is the same
        # on every answer. Added, not set: Headers.set rescans the list for each of them, and
        # this runs on every request.
        headers = response.headers
        headers.extend([(name, value) for name, value in every_answer if name not in headers])
        if visitor_signed_in() and not request.path.startswith("/static/"):
            # Personal data must not linger in shared phones' caches or proxies.
            response.headers["Cache-Control"] = "no-store"
        return response


def visitor_signed_in() -> bool:
    """Whether this request is a signed-in visitor's, without loading the account when the
    request has not loaded it: a session naming an account counts (even one a raised
    generation has ended: stricter, never weaker), and so does a remember cookie that would
    sign the visitor in. Loading the account costs ~10 % of a kept page (app/page_cache.py)."""
    user = g.get("_login_user")
    if user is not None:
        return user.is_authenticated
    return "_user_id" in session or current_app.config.get(
        "REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def load_user(login_id: str):
    """The account behind a session or remember cookie, if that cookie is still valid: its
    login id is "<user id>:<session generation>", and a raised generation ends it."""
    from app.extensions import db
    from app.inputs import parse_id, parse_int
    from app.models import User

    user_id, _, generation = (login_id or "").partition(":")
    try:
        user = db.session.get(User, parse_id(user_id))
        expected = parse_int(generation, minimum=0)
    except ValueError:
        return None
    if user is None or user.session_generation != expected:
        return None
    return user
