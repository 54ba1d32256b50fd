"""Citizen reception (lịch tiếp công dân): the hours leaders receive citizens, registering to
come, and the reception's record (which may open a petition case through app/petitions).
Blueprint `reception` at /<lang>/reception; rules in services.py, views in routes.py."""
from flask import Blueprint

bp = Blueprint("reception", __name__, url_prefix="/<lang:lang_code>/reception")
