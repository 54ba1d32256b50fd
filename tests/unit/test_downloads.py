"""One way to send a stored file: the checked type, no sniffing, a sandbox, the caller's cache
rule, and a 404 (never a 500) when anything is missing."""
from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from app.downloads import FRESH, PRIVATE, send_stored


class _Store:
    def __init__(self, files):
        self.files = files

    def open(self, key):
        import io
        if key not in self.files:
            raise FileNotFoundError(key)
        return io.BytesIO(self.files[key])


@pytest.fixture
def request_with(monkeypatch):
    app = Flask(__name__)
    monkeypatch.setattr("app.downloads.file_store", lambda: _Store({"k": b"%PDF-1.4 x"}))
    with app.test_request_context():
        yield


def test_a_download_is_named_typed_sandboxed_and_private_by_default(request_with):
    response = send_stored("k", "pdf", filename="Giấy khai sinh.pdf")
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == PRIVATE


def test_a_photo_is_shown_inline_with_the_cache_rule_asked(request_with):
    response = send_stored("k", "jpeg", cache=FRESH)
    assert response.mimetype == "image/jpeg"
    assert "Content-Disposition" not in response.headers
    assert response.headers["Cache-Control"] == FRESH


@pytest.mark.parametrize("key, kind", [(None, "pdf"), ("k", None), ("k", "exe"), ("gone", "pdf")])
def test_anything_missing_is_a_404(request_with, key, kind):
    with pytest.raises(NotFound):
        send_stored(key, kind, filename="x.pdf")
