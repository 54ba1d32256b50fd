"""Field reports (phản ánh hiện trường): residents report a local problem with photos and a
place; the commune works it as a case and answers in public. Blueprint `reports` at
/<lang>/reports; the administrators' pages join the `admin` blueprint (app/reports/admin.py).
The Open311 GeoReport v2 API over the same reports is app/open311."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/<lang:lang_code>/reports")
