"""What the portal accepts as input, defined once: text characters, ids, plausible dates.

Every way in uses these rules: the URL converter for ids (app/converters.py), every form
field through the base form's Meta (app/forms.py), and the request guard (app/input_guard.py)
that refuses a NUL byte anywhere before a view runs. No Flask here, so services and the queue
core can use the same definitions.

Why each rule exists (all found by an attacker's probe):
* NUL is refused by PostgreSQL in text columns (a 500 instead of an answer);
* other control characters and bidirectional overrides make a name render as something else
  (a "Nguyễn Văn A" that reads backwards, a newline inside a header or a log line);
* zero-width characters hide inside names and codes that then look identical but differ, so
  they are removed rather than refused (phones paste them from chat apps);
* ids beyond the database's integer range overflow the driver (SQLite past 2^63, PostgreSQL
  past 2^31), and `str.isdigit()` says yes to '²', which `int()` then refuses.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

# PostgreSQL INTEGER, the narrowest id column we have; SQLite's 64-bit range contains it.
DB_INT_MIN = -(2 ** 31)
DB_INT_MAX = 2 ** 31 - 1

# Bidirectional embeddings, overrides and isolates, and the directional marks.
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Removed silently: invisible, meaningless in Vietnamese, common in pasted text.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_ZERO_WIDTH_RE = re.compile("[" + "".join(ZERO_WIDTH) + "]")
# Line breaks and tabs are text in a multi-line field; anywhere else they are an attack
# (header and log injection) or a paste accident.
MULTILINE_ALLOWED = frozenset("\t\n\r")
_ASCII_INT = re.compile(r"[+-]?[0-9]{1,19}")

# Dates people can mean: births of the oldest residents to appointments far ahead.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def has_nul(text: str) -> bool:
    return "\x00" in text


def bad_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character `text` may not contain, or None when it is acceptable."""
    for ch in text:
        if ch in BIDI_CONTROLS:
            return ch
        category = unicodedata.category(ch)
        if category == "Cc" and not (multiline and ch in MULTILINE_ALLOWED):
            return ch
        if category == "Cs":  # a lone surrogate: not text at all
            return ch
    return None


def clean_text(text: str) -> str:
    """Zero-width characters removed and Vietnamese in one Unicode form (NFC), so that two
    names that look the same compare the same."""
    return unicodedata.normalize("NFC", _ZERO_WIDTH_RE.sub("", text))


def parse_int(raw: object, *, minimum: int = DB_INT_MIN, maximum: int = DB_INT_MAX) -> int:
    """ASCII digits only, within the database's integer range; ValueError otherwise."""
    if isinstance(raw, bool):
        raise ValueError("not an integer")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if not _ASCII_INT.fullmatch(text):
            raise ValueError("not an integer")
        value = int(text)
    if not minimum <= value <= maximum:
        raise ValueError("out of range")
    return value


def parse_id(raw: object) -> int:
    """A row id: 1 to DB_INT_MAX. Raises ValueError (WTForms' coercion protocol)."""
    return parse_int(raw, minimum=1)


def parse_choice_id(raw: object) -> int:
    """A <select> of rows whose first option is 0 ("choose…" or "none")."""
    return parse_int(raw, minimum=0)


class WholeNumberError(ValueError):
    """Why typed text is not an acceptable whole number: `code` is one of "not_a_number",
    "negative", "too_small" or "too_large", so each caller words each case its own way."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# Digits grouped by thousands the way people print them: 1.500.000, 1,500,000, 1 500 000.
_THOUSANDS = re.compile(r"\d{1,3}(?:([ .,])\d{3})(?:\1\d{3})*")
# What may follow an amount of money, as typed (the number itself decides the value).
_CURRENCY = re.compile(r"\s*(₫|đ|đồng|dong|vnđ|vnd)\s*$", re.IGNORECASE)
# More digits than this is a slip of the finger, whatever the maximum.
_MAX_DIGITS = 16


def parse_whole(raw: object, *, minimum: int, maximum: int) -> int | None:
    """A whole number as people type one into a form: 50000, 50.000, 50,000 or 50 000, with a
    trailing "đ", "₫" or "VND" allowed; None when blank. The one reading of amounts, quantities
    and counts on the participation side (initiatives, pledges, village needs).

    A decimal ("1,5"), mixed separators ("1.500,000") or digits outside ASCII are refused
    rather than guessed at: 1,5 bags is not 15 bags. Raises WholeNumberError."""
    text = _CURRENCY.sub("", str(raw if raw is not None else "").strip()).strip()
    if not text:
        return None
    negative = text[0] in "-−"
    body = text[1:].strip() if negative else text
    if not body.isascii() or not (body.isdigit() or _THOUSANDS.fullmatch(body)):
        raise WholeNumberError("not_a_number")
    digits = re.sub(r"[ .,]", "", body).lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        raise WholeNumberError("negative" if negative else "too_large")
    value = -int(digits) if negative else int(digits)
    if value < minimum:
        raise WholeNumberError("negative" if value < 0 else "too_small")
    if value > maximum:
        raise WholeNumberError("too_large")
    return value


def plausible_date(value: date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


def parse_iso_day(raw: object) -> date | None:
    """A plausible date written the ISO way (2026-12-08: a page's own links, a hidden field,
    a date picker), or None."""
    if not isinstance(raw, str) or len(raw) != 10 or not raw.isascii():
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if plausible_date(value) else None
