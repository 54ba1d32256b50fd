"""Community initiatives (sáng kiến cộng đồng), "Ba Nhà" partners and their pledges, comments,
flags and moderation. One blueprint, `community`, at /<lang>/community; each part registers
its routes on it from its own module (imported by the application factory)."""
from flask import Blueprint

bp = Blueprint("community", __name__, url_prefix="/<lang:lang_code>/community")
