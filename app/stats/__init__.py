"""Transparency and operations: public statistics as Decision 766/QĐ-TTg counts them, the
operations dashboard for leaders and administrators, and the smart-commune scorecard. One
blueprint, `stats`, at /<lang>/statistics; each part adds its routes from its own module
(app/stats/routes_modules.py)."""
from flask import Blueprint

bp = Blueprint("stats", __name__, url_prefix="/<lang:lang_code>/statistics")
