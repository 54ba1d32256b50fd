"""Imports every module that adds routes to the `petitions` blueprint (one line each)."""
from app.petitions import routes  # noqa: F401  published answers, asking, one's own
from app.petitions import staff_routes  # noqa: F401  the answer page, moderation, topics
from app.petitions import voter_routes  # noqa: F401  voters' meetings and answer sheets
