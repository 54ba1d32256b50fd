"""Imports every module that adds routes to the `community` blueprint (one line each)."""
from app.community import partners_routes  # noqa: E402,F401  "Ba Nhà" partners and pledges
