"""Community initiatives (sáng kiến cộng đồng), "Ba Nhà" partners and their pledges, comments,
flags and moderation. One blueprint, `community`, at /<lang>/community; each part registers
its routes on it from its own module (imported by the application factory)."""
from flask import Blueprint

bp = Blueprint("community", __name__, url_prefix="/<lang:lang_code>/community")


@bp.after_request
def _vary_on_htmx(response):
    # Supports, flags, comments and the partners' buttons answer htmx with a fragment and a
    # plain post with a page, on the same URL: caches must keep the two apart.
    response.vary.add("HX-Request")
    return response
