"""Security headers for every response, and the access rules every route must declare.

Every view carries exactly one of the decorators below (public, login_required_for, roles);
tests/integration/test_architecture.py fails when a new route forgets.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import Flask, abort, g, redirect, request, url_for
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

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if current_user and current_user.is_authenticated and not request.path.startswith("/static/"):
            # Personal data must not linger in shared phones' caches or proxies.
            response.headers["Cache-Control"] = "no-store"
        return response


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
