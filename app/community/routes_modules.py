"""Imports every module that adds routes to the `community` blueprint (one line each)."""
from app.community import partners_routes  # noqa: E402,F401  "Ba Nhà" partners and pledges
from app.community import initiatives, settings  # noqa: F401,E402  (ini: initiatives, settings)
from app.community import comments  # noqa: F401,E402
from app.community import flags  # noqa: F401,E402
from app.community import moderation  # noqa: F401,E402
