"""The village needs board (bảng nhu cầu của thôn): needs posted by commune staff and village
heads, supported and volunteered for by residents. Blueprint `village` at /<lang>/village."""
from flask import Blueprint

bp = Blueprint("village", __name__, url_prefix="/<lang:lang_code>/village")
