"""Photos of field reports: checked by content, their GPS read, then re-encoded with no
metadata (app/photos.py)."""
import io

import pytest
from PIL import Image

from app import photos
from app.uploads import UploadError
from tests.reports_world import jpeg, png


def test_gps_is_read_and_every_byte_of_metadata_is_gone():
    original = jpeg(size=(3000, 2000), gps=(21.5862, 105.8141), comment=b"Serial 998877")
    clean = photos.clean(original, "IMG_2041.JPG")
    assert clean.gps == pytest.approx((21.5862, 105.8141), abs=1e-5)
    assert b"Exif" not in clean.data and b"PhoneMaker" not in clean.data
    assert b"Serial" not in clean.data
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "JPEG" and not image.getexif()
    assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density",
                               "progressive", "progression"}
    assert max(image.size) == photos.STORED_EDGE == clean.width


def test_south_and_west_are_negative():
    clean = photos.clean(jpeg(gps=(-8.5, -70.25)), "a.jpg")
    assert clean.gps == pytest.approx((-8.5, -70.25), abs=1e-5)


def test_a_photo_without_gps_has_no_place():
    assert photos.clean(jpeg(), "a.jpeg").gps is None


def test_the_orientation_is_applied_before_the_tag_is_dropped():
    image = Image.new("RGB", (400, 200), (200, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    clean = photos.clean(out.getvalue(), "a.jpg")
    assert (clean.width, clean.height) == (200, 400)


def test_a_transparent_png_becomes_a_jpeg_on_white():
    clean = photos.clean(png(), "so-do.png")
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "JPEG" and image.mode == "RGB"


@pytest.mark.parametrize("data,name,code", [
    (b"", "a.jpg", "empty"),
    (b"GIF89a....", "a.gif", "bad_type"),
    (b"%PDF-1.4 a paper", "a.pdf", "bad_type"),
    (None, "a.png", "name_mismatch"),
    (b"\xff\xd8\xff\xe0 broken", "a.jpg", "unreadable"),
])
def test_what_is_not_a_usable_photo_is_refused_with_a_reason(data, name, code):
    if data is None:
        data = jpeg()
    with pytest.raises(UploadError) as error:
        photos.clean(data, name)
    assert error.value.code == code


def test_too_large_a_file_is_refused_before_it_is_decoded():
    with pytest.raises(UploadError) as error:
        photos.clean(b"\xff\xd8\xff" + b"\x00" * photos.MAX_BYTES, "a.jpg")
    assert error.value.code == "too_large"


def test_a_decompression_bomb_is_refused_from_its_header():
    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")  # 100 megapixels in a few kilobytes
    assert len(out.getvalue()) < 50_000
    with pytest.raises(UploadError) as error:
        photos.clean(out.getvalue(), "bom.png")
    assert error.value.code == "too_many_pixels"
