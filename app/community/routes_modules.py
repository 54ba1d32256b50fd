"""Imports every module that adds routes to the `community` blueprint (one line each)."""
from app.community import comments  # noqa: F401,E402
from app.community import flags  # noqa: F401,E402
from app.community import moderation  # noqa: F401,E402
