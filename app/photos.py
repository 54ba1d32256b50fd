"""Every photo the portal publishes (field reports and their fixes, initiatives and their progress,
images attached to announcements): checked by content, the location read from its EXIF GPS when
it carries one, then re-encoded as a fresh JPEG with no metadata at all before anything is
stored. A phone photo carries the taker's exact position (often their home), the phone's make
and serial, the time; published as it came, an "anonymous" report would give its author away.
One rule, so no public kind of upload can forget it (papers for a dossier or a petition are seen
only by the applicant and the officers, and are kept as the applicant sent them, like paper
copies).

The pixels are decoded into a new image and only the pixels are written out: no EXIF, no XMP,
no ICC profile, no comment. The orientation EXIF asked for is applied to the pixels first, so
a photo taken sideways is not shown sideways once the tag is gone.

Decompression bombs (a few kilobytes that decode to gigapixels) are refused from the header,
before any pixel is decoded: above MAX_PIXELS the image is not opened further, and Pillow's own
guard (Image.MAX_IMAGE_PIXELS, its warning turned into an error here) backs that up. Every
failure of the decoder is a refusal with a reason, never a 500. No Flask here.
"""
from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.uploads import UploadError, extension, sniff

# A 50-megapixel phone camera is the largest a resident will send; anything bigger is refused.
MAX_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Phone photos are 2–8 MB; a report's three photos and its form fit MAX_CONTENT_LENGTH.
MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 3
# Stored at most this many pixels on the long side: enough to see a pothole, light on a
# rural connection (about 150–300 kB each).
STORED_EDGE = 1600
JPEG_QUALITY = 82
ACCEPTED = {"jpeg", "png"}

_GPS_IFD = 0x8825
_GPS_LAT_REF, _GPS_LAT, _GPS_LNG_REF, _GPS_LNG = 1, 2, 3, 4


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes          # the JPEG to store: pixels only
    width: int
    height: int
    gps: tuple[float, float] | None  # (lat, lng) read from the original's EXIF, if any


def _degrees(value, ref) -> float | None:
    """EXIF GPS (degrees, minutes, seconds) as rationals, and N/S or E/W, to decimal degrees."""
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref).strip().upper() in ("S", "W"):
        result = -result
    return result


def read_gps(image: Image.Image) -> tuple[float, float] | None:
    """Where the photo was taken, from its EXIF GPS, or None (no tag, or a broken one)."""
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
    except Exception:  # noqa: BLE001 - a malformed EXIF block only means "no location"
        return None
    if not gps or _GPS_LAT not in gps or _GPS_LNG not in gps:
        return None
    lat = _degrees(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF, "N"))
    lng = _degrees(gps.get(_GPS_LNG), gps.get(_GPS_LNG_REF, "E"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    if lat == 0 and lng == 0:  # a camera without a fix writes zeros
        return None
    return lat, lng


def clean(data: bytes, filename: str | None, *, max_bytes: int = MAX_BYTES) -> CleanPhoto:
    """The photo re-encoded without metadata, with the location it carried; UploadError with
    a code (empty, too_large, bad_type, name_mismatch, too_many_pixels, unreadable)."""
    if not data:
        raise UploadError("empty")
    if len(data) > max_bytes:
        raise UploadError("too_large")
    kind = sniff(data)
    if kind not in ACCEPTED:
        raise UploadError("bad_type")
    if extension(filename) not in {"jpeg": ("jpg", "jpeg"), "png": ("png",)}[kind]:
        raise UploadError("name_mismatch")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise UploadError("too_many_pixels")
            gps = read_gps(image)
            if image.format == "JPEG":
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that is still larger than
                # what is stored: a 50 MP photo then costs a fraction of its full memory.
                image.draft("RGB", (STORED_EDGE, STORED_EDGE))
            image = ImageOps.exif_transpose(image)
            image.load()
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            MemoryError, IndexError, TypeError, struct.error):
        raise UploadError("unreadable") from None
    return _encode(image, gps)


def _encode(image: Image.Image, gps) -> CleanPhoto:
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((STORED_EDGE, STORED_EDGE), Image.Resampling.LANCZOS)
    # A new image holding only the pixels: nothing of the original's info (EXIF, XMP, ICC,
    # comments) can ride along, whatever Pillow's encoder would copy from `info`.
    pixels = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return CleanPhoto(out.getvalue(), pixels.width, pixels.height, gps)
