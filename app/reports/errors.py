"""The one exception the field-report rules raise: `code` picks the message (app/reports/
labels.py ERRORS; the Open311 API words its own), `field` the form field to blame."""
from __future__ import annotations


class ReportError(Exception):
    def __init__(self, code: str, field: str | None = None, **details):
        super().__init__(code)
        self.code = code
        self.field = field
        self.details = details
