"""Petitions and questions answered in public (phản ánh, kiến nghị; Góp ý – Hỏi đáp) and the
answer sheets of voters' meetings (kiến nghị cử tri). Blueprint `petitions` at /<lang>/petitions.

Modules: services.py (filing, looking up one's own, rating), moderation.py (held petitions),
answers.py (the officer's answer and the leader's approval), public.py (what is published and
how it is searched), voters.py (voters' meetings), topics.py (the administrators' topics),
access.py (who may read a petition's private page and files), privacy.py (what of it the public
may read), kind.py (the case kind); routes_modules.py lists the route modules.
"""
from flask import Blueprint

bp = Blueprint("petitions", __name__, url_prefix="/<lang:lang_code>/petitions")
