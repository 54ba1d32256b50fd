"""Imports every module that adds routes to the `reports` blueprint (one line each)."""
from app.reports import routes  # noqa: F401  the list, a report, reporting, support, rating
from app.reports import staff  # noqa: F401  the official answer, merging duplicates
