"""Imports every module that adds routes to the `stats` blueprint (one line each)."""
from app.stats import routes  # noqa: F401  public statistics and their CSV
from app.stats import dashboard_routes  # noqa: F401  the operations dashboard
from app.stats import scorecard_routes  # noqa: F401  the smart-commune scorecard
