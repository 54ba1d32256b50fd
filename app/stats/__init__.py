"""Transparency and operations: public statistics as Decision 766/QĐ-TTg counts them, the
operations dashboard for leaders and administrators, and the smart-commune scorecard. One
blueprint, `stats`, at /<lang>/statistics; each part adds its routes from its own module
(app/stats/routes_modules.py)."""
from flask import Blueprint, current_app

bp = Blueprint("stats", __name__, url_prefix="/<lang:lang_code>/statistics")


def csv_limit() -> str:
    """The rate limit of every CSV the statistics give out (each one counts a period's cases)."""
    return current_app.config["RATELIMIT_STATS_CSV"]
