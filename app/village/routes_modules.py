"""Imports every module that adds routes to the `village` blueprint (one line each)."""
from app.village import routes  # noqa: F401  the board, needs, heads
from app.village import announcement_routes  # noqa: F401,E402  announcements, the staff page
from app.village import alert_routes  # noqa: F401,E402  emergency alerts and the banner
from app.village import subscription_routes  # noqa: F401,E402  following a village
