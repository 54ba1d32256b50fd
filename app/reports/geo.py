"""Places on the Earth: distances, bounding boxes, and whether a point is in Vietnam. Pure, no
Flask, no database: the duplicate look-up (app/reports/nearby.py), the forms and the Open311
API all use these.

Distances are great-circle distances by the haversine formula on a sphere of the Earth's mean
radius: at 100 m the error against the WGS84 ellipsoid is well under a metre, far below what a
phone's GPS can tell.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)

# Vietnam as a union of three boxes (south, west, north, east), generous by a few kilometres:
# the mainland with its near-shore islands (Lũng Cú 23.39°N to Cà Mau and Côn Đảo near 8.4°N,
# A Pa Chải 102.14°E to the coast at Mũi Đôi 109.46°E, Phú Quốc, Thổ Chu, Bạch Long Vĩ), the
# Hoàng Sa archipelago and the Trường Sa archipelago. A box also takes in some sea and a strip
# of the neighbouring countries: it refuses what is surely not in Vietnam (a latitude and
# longitude typed the wrong way round, a phone still set in another country), which is its job.
VIETNAM_BOXES: tuple[tuple[float, float, float, float], ...] = (
    (8.0, 102.0, 23.5, 110.0),   # mainland and near-shore islands
    (15.6, 111.0, 17.2, 113.0),  # Hoàng Sa
    (6.0, 111.5, 12.0, 118.0),   # Trường Sa
)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float


def bounding_box(lat: float, lng: float, radius_m: float) -> Box:
    """The smallest latitude/longitude box that holds every point within `radius_m` of the
    centre (so a box pre-filter never drops a point the exact distance would keep). Vietnam is
    far from the poles and the antimeridian, which keeps this simple."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    # A degree of longitude shrinks with the cosine of the latitude; take the box's widest row.
    widest = min(89.0, abs(lat) + dlat)
    dlng = math.degrees(radius_m / (EARTH_RADIUS_M * math.cos(math.radians(widest))))
    return Box(lat - dlat, lng - dlng, lat + dlat, lng + dlng)


def in_vietnam(lat: float, lng: float) -> bool:
    return any(s <= lat <= n and w <= lng <= e for s, w, n, e in VIETNAM_BOXES)


class CoordinateError(ValueError):
    """`code`: not_a_number, lat_range, lng_range, outside_vietnam, half."""

    def __init__(self, code: str, field: str):
        super().__init__(code)
        self.code = code
        self.field = field


_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d{1,12})?$")


def parse_degrees(raw: str | float | None, field: str) -> float | None:
    """A coordinate as people type or paste it: 21.5942 or 21,5942 (the Vietnamese decimal
    comma). None when blank; CoordinateError when it is not a plain decimal number."""
    if raw is None:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
        if not math.isfinite(value):
            raise CoordinateError("not_a_number", field)
        return value
    text = str(raw).strip().rstrip("°").strip()
    if not text:
        return None
    if not text.isascii() or not _NUMBER.match(text):
        raise CoordinateError("not_a_number", field)
    return float(text.replace(",", "."))


def check_point(lat: float | None, lng: float | None, *, lat_field: str = "lat",
                lng_field: str = "long") -> tuple[float, float] | None:
    """Both or neither; each in range; the point in Vietnam. Rounded to 7 decimals (about a
    centimetre): no phone knows better, and it keeps stored values tidy."""
    if lat is None and lng is None:
        return None
    if lat is None:
        raise CoordinateError("half", lat_field)
    if lng is None:
        raise CoordinateError("half", lng_field)
    if not -90 <= lat <= 90:
        raise CoordinateError("lat_range", lat_field)
    if not -180 <= lng <= 180:
        raise CoordinateError("lng_range", lng_field)
    if not in_vietnam(lat, lng):
        raise CoordinateError("outside_vietnam", lat_field)
    return round(lat, 7), round(lng, 7)
