"""Stored files sent to the browser, one way for every feature, so that each download gets the
same protections: the type the file was checked to be when it was stored (never the name's or
the browser's guess), no sniffing, a sandbox should it be opened as a page, and a cache rule
the caller chooses for what the file is (personal papers stay off shared phones and proxies).
"""
from __future__ import annotations

from flask import Response, abort, send_file

from app.storage import file_store
from app.uploads import KINDS

PRIVATE = "private, no-store"  # personal papers: never kept by a shared phone or a proxy
FRESH = "no-cache"             # public, but a withdrawal must apply at once


def send_stored(key: str | None, kind: str | None, *, filename: str | None = None,
                cache: str = PRIVATE) -> Response:
    """The stored file `key`, of the upload kind `kind` (app/uploads.KINDS), as a download named
    `filename`, or shown in the page (a photo) when there is none. 404 when the key or its kind
    is missing or the file is gone from the store."""
    file_kind = KINDS.get(kind or "")
    if not key or file_kind is None:
        abort(404)
    try:
        stream = file_store().open(key)
    except FileNotFoundError:
        abort(404)
    # Werkzeug writes filename= (ASCII) and filename*=UTF-8'' (RFC 5987) for Vietnamese names.
    response = send_file(stream, mimetype=file_kind.mimetype, as_attachment=filename is not None,
                         download_name=filename, conditional=False, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Whatever a file holds, it never runs as a page of this site.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = cache
    return response
