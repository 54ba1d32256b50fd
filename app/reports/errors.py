"""The one exception the field-report rules raise: `code` picks the message (app/reports/
labels.py ERRORS; the Open311 API words its own), `field` the form field to blame."""
from __future__ import annotations

from app.refusals import Refusal


class ReportError(Refusal):
    pass
