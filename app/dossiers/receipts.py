"""The receipt and appointment slip (Mẫu 01, Circular 01/2018/TT-VPCP): its QR code opens the
tracking page, built from PUBLIC_URL (never from the request), drawn as SVG on the server so
the printed page needs no script and no image request."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from markupsafe import Markup

from app.links import public_url


def tracking_url(code: str) -> str:
    return public_url("dossiers.track", code=code)


def qr_svg(url: str) -> Markup:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg"):]  # drop the XML declaration: it is inline in the page
    return Markup(svg.replace("<svg ", '<svg role="img" aria-hidden="true" focusable="false" ', 1))
