"""Where links may point, defined once.

* Absolute links that leave the site (messages, QR codes, printed receipts) are built from the
  configured PUBLIC_URL, never from the request: a forged Host header once put an attacker's
  host, with a live password-reset token, into a reset message.
* Redirects to a place named by the request (`next`) go only to a path on this site: not to
  `//host`, not to a scheme, and nothing a browser would rewrite into one (a tab, a newline or
  a backslash in the path: `/\t/evil.example` is `//evil.example` to a browser).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, redirect, url_for

from app.inputs import bad_character


def public_url(endpoint: str, **values) -> str:
    """The absolute address of a page, for use outside the browser that asked."""
    values.pop("_external", None)
    values.pop("_scheme", None)
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        # A message queued outside any request (the worker, a command): the path comes from
        # the URL map alone, so every argument, the language included, must be given.
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"] + path


def safe_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or bad_character(target) or any(ch.isspace() for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def redirect_back(target: str | None, default: str, code: int = 302):
    """Redirect to `target` when it is safe, else to `default` (itself built by url_for)."""
    return redirect(safe_path(target) or default, code)
