"""What of a petition the public may read: its words, never who asked.

The asker's name, phone, e-mail and ID number are kept apart (columns of their own, shown only
to the asker and the officers of the case) and never leave through a public page or the API:
those read only `public_text` of the title, body and answer. People also type their details
into the text itself ("call me on 0912 345 678"); `redact` masks phone and ID numbers,
e-mail addresses and the asker's own name wherever they appear, so they are not published
(nor searchable: the search text is built from the redacted words). No Flask here.
"""
from __future__ import annotations

import re
import unicodedata

MASK = "•••"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A Vietnamese phone number as people write it: 0 or +84 / 84, then 8–10 more digits with
# spaces, dots or dashes anywhere between them.
_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
# An ID number: CCCD (12 digits) or the old CMND (9), written in one piece.
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")


def _name_pattern(name: str) -> re.Pattern | None:
    words = unicodedata.normalize("NFC", name or "").split()
    if len(words) < 2:  # a single given name is too common a word to mask everywhere
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)",
                      re.IGNORECASE | re.UNICODE)


def redact(text: str | None, names: tuple[str | None, ...] = ()) -> str:
    """`text` with phone and ID numbers, e-mail addresses and these people's names masked."""
    result = unicodedata.normalize("NFC", text or "")
    result = _EMAIL.sub(MASK, result)
    result = _PHONE.sub(MASK, result)
    result = _ID_NUMBER.sub(MASK, result)
    for name in names:
        pattern = _name_pattern(name or "")
        if pattern is not None:
            result = pattern.sub(MASK, result)
    return result


def asker_names(petition) -> tuple[str | None, ...]:
    """The names that identify the asker: the one given with the petition and the account's."""
    account = petition.user.full_name if petition.user is not None else None
    return (petition.asker_name, account)


def public_text(petition, text: str | None) -> str:
    return redact(text, asker_names(petition))
