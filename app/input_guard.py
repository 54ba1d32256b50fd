"""The request-level half of the input rules (app/inputs.py holds the rules, app/forms.py the
form-level half). Set up before any blueprint, so every route gets it:

* `<int:...>` in every URL is a database id: digits only, within the database's integer range;
  anything else does not match, so the answer is a plain 404 (never a driver overflow);
* a NUL byte anywhere in the query string, form or URL is refused with a 400 before any view
  or form sees it (PostgreSQL cannot store it; no honest browser sends it);
* a request body sent without a Content-Length (chunked) is held to MAX_CONTENT_LENGTH like
  any other: a larger one gets a 413 instead of being cut short and processed.
"""
from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter, ValidationError

from app.inputs import DB_INT_MAX, has_nul, parse_id, parse_int, parse_iso_day

NUL_REFUSED = _l("What you sent contains a character that cannot be used (a NUL byte). "
                 "Remove it and try again.")


class IdConverter(BaseConverter):
    """Replaces Werkzeug's `int`: a positive id that fits the database's integer column."""

    regex = r"\d{1,10}"
    part_isolating = True
    weight = 50

    def to_python(self, value: str) -> int:
        try:
            return parse_id(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value) -> str:
        return str(int(value))


def _refuse_nul() -> None:
    from app.errors import refuse

    values = list((request.view_args or {}).values())
    # A request without a body has no form: asking for it would still build an empty one.
    sources = (request.args, request.form) if request.want_form_data_parsed else (request.args,)
    for source in sources:
        for key, items in source.lists():
            values.append(key)
            values.extend(items)
    if any(isinstance(v, str) and has_nul(v) for v in values):
        refuse(400, NUL_REFUSED)


class ChunkedBodyLimit:
    """WSGI middleware: read a body of unknown length up to the limit, refuse anything larger.

    Werkzeug only enforces MAX_CONTENT_LENGTH on streamed bodies when the server says it
    terminates the stream, and then by stopping at the limit, so a form parser could act on a
    truncated body. Buffering (at most the limit, 10 MiB by default) makes the rule exact."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked:  # Werkzeug ignores any Content-Length next to chunked, and so do we
            limit = self.app.config.get("MAX_CONTENT_LENGTH")
            if limit is not None:
                body = environ["wsgi.input"].read(limit + 1)
                if len(body) > limit:
                    environ["CONTENT_LENGTH"] = str(len(body))  # werkzeug answers 413 itself
                    environ["wsgi.input"] = BytesIO(b"")
                else:
                    environ["CONTENT_LENGTH"] = str(len(body))
                    environ["wsgi.input"] = BytesIO(body)
                environ.pop("HTTP_TRANSFER_ENCODING", None)
                environ["wsgi.input_terminated"] = False
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul)
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app)


__all__ = ["IdConverter", "ChunkedBodyLimit", "init_app", "DB_INT_MAX"]


# -- query-string values, read through the same rules as forms --------------------------------

MAX_PAGE = 100_000


def query_id(name: str) -> int | None:
    """An id from the query string (`?unit=12`), or None when absent or not a valid id."""
    try:
        return parse_id(request.args.get(name, ""))
    except ValueError:
        return None


def query_page(name: str = "page") -> int:
    """A page number from the query string: 1 when absent or nonsense, at most MAX_PAGE."""
    try:
        return parse_int(request.args.get(name, ""), minimum=1, maximum=MAX_PAGE)
    except ValueError:
        return 1


def query_day(name: str = "day") -> date | None:
    """A date from the query string in ISO form (`?day=2026-12-08`, what a page's own links and
    a date picker send), or None when absent, unreadable or implausible."""
    return parse_iso_day(request.args.get(name, ""))
