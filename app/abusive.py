"""Words the portal does not publish or pass to an office unread: a text containing one is held
for a moderator instead (a petition waits, unrouted, until staff of its commune release or
reject it). No Flask here, so any service may ask.

Matching is on whole words of the text in lower case WITH its diacritics: folding them away
would make the common "đi" (to go) match "đĩ", "dái" match "đái"… Unaccented chat spellings are
listed only where they mean nothing else ("vcl", "đcm"; not "dm", which is a decimetre on a
road repair petition; nor "óc chó", a walnut, or "chó chết" in a report of a dead dog on the
road). A phrase matches as consecutive words. The list is short and plain on
purpose: it catches insults, not criticism; a moderator decides, the filter only holds.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["ABUSIVE_TERMS", "abusive_terms_in", "is_abusive"]

ABUSIVE_TERMS: tuple[str, ...] = (
    # Vietnamese insults and obscenities (with their tones), and unambiguous chat spellings.
    "địt", "đụ", "lồn", "cặc", "buồi", "đĩ", "đéo", "đ.m", "đm", "đmm", "đcm", "dcm", "dmm",
    "vcl", "vkl", "clgt", "cmm", "địt mẹ", "đụ má", "mẹ kiếp", "đồ chó", "thằng chó",
    "con đĩ", "mất dạy", "ngu như chó", "đồ ngu",
    # English.
    "fuck", "fucking", "fucker", "motherfucker", "shit", "bitch", "cunt", "asshole", "bastard",
)

_WORD = re.compile(r"[\w.]+", re.UNICODE)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text or "").lower()
    # A dot inside a word survives ("đ.m"); one that ends a sentence does not.
    return [w.strip(".") or w for w in _WORD.findall(text) if w.strip(".")]


_PHRASES = tuple(tuple(_words(term)) for term in ABUSIVE_TERMS)


def abusive_terms_in(*texts: str) -> list[str]:
    """The listed terms the texts contain, in the list's order (for the moderator)."""
    found: list[str] = []
    for text in texts:
        words = _words(text)
        for term, phrase in zip(ABUSIVE_TERMS, _PHRASES):
            if term in found or not phrase:
                continue
            size = len(phrase)
            if any(tuple(words[i:i + size]) == phrase for i in range(len(words) - size + 1)):
                found.append(term)
    return found


def is_abusive(*texts: str) -> bool:
    return bool(abusive_terms_in(*texts))
