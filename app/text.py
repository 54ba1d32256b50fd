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


_LETTER_ORDER = {c: i for i, c in enumerate("aăâbcdđeêghiklmnoôơpqrstuưvxy")}
# Tones in dictionary order: level, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_sort_key(text: str) -> tuple:
    """Sort names the Vietnamese way: ă, â, đ, ê, ô, ơ, ư are letters of their own (a < ă < â,
    d < đ), and tone marks only break ties between otherwise equal words."""
    letters, tones = [], []
    for ch in unicodedata.normalize("NFC", text.lower()):
        parts = unicodedata.normalize("NFD", ch)
        tone = next((_TONES[c] for c in parts if c in _TONES), 0)
        letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        if letter.isspace():
            letters.append(-1)  # 'An Bình' before 'Anh', as in a dictionary
        else:
            letters.append(_LETTER_ORDER.get(letter, 100 + ord(letter[0]) if letter else 0))
        tones.append(tone)
    return (tuple(letters), tuple(tones), text)


def _sort_code(value: int) -> str:
    # Order-preserving and prefix-free: two hex digits for a space, the Vietnamese letters and
    # ASCII ("00".."df"), "e" and six for anything else (every Unicode character fits).
    return f"{value:02x}" if value < 0xE0 else f"e{value:06x}"


def vietnamese_sort_text(text: str) -> str:
    """The letters and tones of vietnamese_sort_key as a string a database can ORDER BY byte
    for byte (SQLite's BINARY, PostgreSQL's COLLATE "C"), so a catalogue page is sorted and cut
    in SQL: every letter as a code (_sort_code), "!" (below every code, so a name that is the
    start of another comes first, as with tuples), every tone as one digit. Ties (names that
    differ only in case) are broken by the name itself, compared the same byte-wise way.
    About three characters a Vietnamese letter, so it fits an index entry."""
    letters, tones, _ = vietnamese_sort_key(text)
    return ("".join(_sort_code(letter + 1) for letter in letters) + "!"
            + "".join(str(tone) for tone in tones))


def escape_like(text: str, escape: str = "\\") -> str:
    """`text` as a literal inside a LIKE pattern: what people type is not a wildcard."""
    return (text.replace(escape, escape * 2).replace("%", escape + "%")
            .replace("_", escape + "_"))
