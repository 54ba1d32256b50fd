"""Distances, bounding boxes and Vietnam's borders for field reports (app/reports/geo.py)."""
import math
import random

import pytest

from app.reports.geo import (CoordinateError, bounding_box, check_point, haversine_m, in_vietnam,
                             parse_degrees)


def test_haversine_matches_known_distances():
    # Hà Nội (Hoàn Kiếm) to Thành phố Hồ Chí Minh (Bến Thành): about 1,138 km.
    assert haversine_m(21.0285, 105.8542, 10.7725, 106.6980) == pytest.approx(1_140_000, rel=0.005)
    # One degree of latitude is about 111.2 km anywhere.
    assert haversine_m(21.0, 105.0, 22.0, 105.0) == pytest.approx(111_195, rel=0.001)
    # A degree of longitude at 21.6°N is shorter by the cosine.
    assert haversine_m(21.6, 105.0, 21.6, 106.0) == pytest.approx(111_195 * math.cos(
        math.radians(21.6)), rel=0.002)
    assert haversine_m(21.5, 105.8, 21.5, 105.8) == 0


def test_the_bounding_box_holds_every_point_of_the_circle():
    rng = random.Random(7)
    lat, lng, radius = 21.5862, 105.8141, 100
    box = bounding_box(lat, lng, radius)
    for _ in range(2000):
        bearing = rng.uniform(0, 2 * math.pi)
        # A point `radius` metres away along the bearing (small-distance approximation).
        dlat = radius * math.cos(bearing) / 111_195
        dlng = radius * math.sin(bearing) / (111_195 * math.cos(math.radians(lat)))
        p = (lat + dlat * 0.999, lng + dlng * 0.999)
        assert haversine_m(lat, lng, *p) <= radius
        assert box.south <= p[0] <= box.north and box.west <= p[1] <= box.east
    # And it is not needlessly large: its half-height is the radius.
    assert haversine_m(lat, lng, box.north, lng) == pytest.approx(radius, rel=0.001)


@pytest.mark.parametrize("lat,lng,inside", [
    (21.5862, 105.8141, True),    # Thái Nguyên
    (23.3636, 105.3160, True),    # Lũng Cú, the northernmost point
    (8.6044, 104.7226, True),     # Mũi Cà Mau
    (10.2899, 103.9840, True),    # Phú Quốc
    (16.5325, 111.6111, True),    # Hoàng Sa
    (8.6444, 111.9203, True),     # Trường Sa
    (13.7563, 100.5018, False),   # Bangkok
    (105.8141, 21.5862, False),   # latitude and longitude swapped
    (0.0, 0.0, False),
    (48.8566, 2.3522, False),
])
def test_vietnam_is_the_three_boxes(lat, lng, inside):
    assert in_vietnam(lat, lng) is inside


@pytest.mark.parametrize("raw,value", [("21.5942", 21.5942), ("21,5942", 21.5942),
                                       (" 105.8 ", 105.8), ("-8.5", -8.5), ("21.5942°", 21.5942),
                                       ("", None), (None, None), (21.5, 21.5)])
def test_coordinates_as_people_type_them(raw, value):
    assert parse_degrees(raw, "lat") == value


@pytest.mark.parametrize("raw", ["21.5.9", "hai mươi", "1e3", "NaN", "inf", "２１.５", "٢١",
                                 "21.5942 105.8", "0x15", float("nan"), float("inf")])
def test_anything_else_is_not_a_coordinate(raw):
    with pytest.raises(CoordinateError) as error:
        parse_degrees(raw, "lat")
    assert error.value.code == "not_a_number"


@pytest.mark.parametrize("lat,lng,code,field", [
    (21.5, None, "half", "long"), (None, 105.8, "half", "lat"), (95.0, 105.8, "lat_range", "lat"),
    (21.5, 190.0, "lng_range", "long"), (13.7563, 100.5018, "outside_vietnam", "lat")])
def test_check_point_names_what_is_wrong(lat, lng, code, field):
    with pytest.raises(CoordinateError) as error:
        check_point(lat, lng)
    assert (error.value.code, error.value.field) == (code, field)


def test_check_point_rounds_to_a_centimetre():
    assert check_point(21.586212345678, 105.814198765432) == (21.5862123, 105.8141988)
    assert check_point(None, None) is None
