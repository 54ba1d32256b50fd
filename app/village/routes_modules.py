"""Imports every module that adds routes to the `village` blueprint (one line each)."""
from app.village import routes  # noqa: F401  the board, needs, heads
