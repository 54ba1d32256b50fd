"""Bilingual error pages (JSON for API clients); the session is rolled back on 500 so a
failed request never leaves half a change behind."""
from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from app.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or has moved.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"), _l("What you sent is larger than the portal accepts. Please send smaller files.")),
    429: (_l("Too many attempts"), _l("You have tried too many times. Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("The portal could not finish your request. Nothing was saved. Please try again later.")),
    503: (_l("Service unavailable"), _l("The portal is temporarily unavailable. Please try again later.")),
}


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/open311/", "/healthz")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


# The JSON API's error codes (app/api): {"error": {"code": ..., "message": ...}}.
API_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             413: "too_large", 429: "too_many_requests", 500: "server_error",
             503: "unavailable"}


def render_error(status: int, detail: str | None = None):
    title, message = MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/open311/"):
        # Open311 clients read the spec's list of errors, in the format the path asked for.
        from app.open311.formats import errors, fmt_of_path

        return errors(fmt_of_path(request.path), status, str(detail or message))
    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": API_CODES.get(status, "error"),
                                  "message": str(detail or message)}}), status
    if wants_json():
        return jsonify({"error": str(title), "message": str(detail or message)}), status
    return render_template("error/error.html", status=status, title=title,
                           message=detail or message), status


class Refused(HTTPException):
    """An error page with the portal's own explanation (in the page's language)."""

    def __init__(self, status: int, message: str | None = None):
        super().__init__()
        self.code = status
        self.portal_message = str(message) if message else None


def refuse(status: int, message: str | None = None):
    """abort() with a message the person reads on the error page."""
    raise Refused(status, message)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, str(_l("Your form expired or was sent from elsewhere. "
                                        "Please reload the page and send it again.")))

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A Host header the portal does not answer to: nothing (links, templates) can be built
        # for it, so a plain bilingual answer.
        return Response("400 - Tên miền không được phục vụ / This host name is not served.\n",
                        400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code not in MESSAGES:
            return error
        return render_error(error.code, getattr(error, "portal_message", None))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
