"""Vietnamese text helpers: accent-insensitive folding for search, and phone numbers."""
from __future__ import annotations

import re
import unicodedata

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile numbers since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x, ten digits.
_VN_MOBILE = re.compile(r"^0[35789]\d{8}$")


def fold(text: str) -> str:
    """'Hồ Sơ Đăng Ký' -> 'ho so dang ky': what a search compares, so 'ho so' finds 'hồ sơ'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def normalize_phone(raw: str) -> str | None:
    """A Vietnamese mobile number in its national form (0xxxxxxxxx), or None if it is not one.

    Accepts what people type: spaces, dots, dashes, +84 or 84 in front.
    """
    digits = _PHONE_SEPARATORS.sub("", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _VN_MOBILE.match(digits) else None


def vietnamese_sort_key(text: str) -> tuple:
    """Sort names the Vietnamese way: by letters first (a, ă, â, ... đ after d), then tones."""
    return (fold(text).replace("d", "d0"), _base_letters(text), text)


_LETTER_ORDER = {c: i for i, c in enumerate("aăâbcdđeêghiklmnoôơpqrstuưvxy")}


def _base_letters(text: str) -> tuple:
    out = []
    for ch in unicodedata.normalize("NFC", text.lower()):
        base = unicodedata.normalize("NFD", ch)
        # keep the letter's own marks (ă â ê ô ơ ư) but drop the tone marks
        letter = unicodedata.normalize("NFC", "".join(
            c for c in base if c not in "\u0300\u0301\u0303\u0309\u0323"))
        out.append(_LETTER_ORDER.get(letter, 100 + ord(letter[0]) if letter else 0))
    return tuple(out)
