"""Finding one's own case without an account: a code plus the phone (or ID number) given with
it. The rules, once, for every kind that offers it (dossier tracking, a petition's asker):

* the code is read the way people copy it (spaces collapsed, any case);
* the contact matches the phone in its national form (0912 345 678, +84 912…) or the ID
  number exactly;
* "no such code" and "wrong phone" get the same answer (the caller returns None for both), so
  the form reveals nothing about other people's cases;
* the form is a POST (a phone number never sits in an address or a log) and every look-up,
  whichever form it comes from, counts in one rate-limit bucket (LOOKUP_SCOPE), so a second
  form is not a second door for guessing numbers.

No Flask here but `lookup_limit`, which reads the configured limit at request time.
"""
from __future__ import annotations

from app.text import normalize_phone

__all__ = ["LOOKUP_SCOPE", "MAX_CODE", "MAX_CONTACT", "clean_code", "contact_matches",
           "lookup_limit"]

MAX_CODE = 40
MAX_CONTACT = 40
# Flask-Limiter names a route's bucket after its endpoint: the dossier tracking page's is the
# one every look-up shares.
LOOKUP_SCOPE = "dossiers.track"


def clean_code(code: str | None) -> str | None:
    """The code as stored (upper case, single spaces), or None when it cannot be one."""
    cleaned = " ".join((code or "").split()).upper()
    return cleaned if cleaned and len(cleaned) <= MAX_CODE else None


def contact_matches(contact: str | None, phone: str | None,
                    id_number: str | None = None) -> bool:
    """Whether what the person typed is the phone or the ID number given with the case."""
    contact = (contact or "").strip()
    if not contact or len(contact) > MAX_CONTACT:
        return False
    typed_phone = normalize_phone(contact)
    if typed_phone is not None and phone and typed_phone == phone:
        return True
    return bool(id_number) and contact.isascii() and contact == id_number


def lookup_limit() -> str:
    from flask import current_app

    return current_app.config["RATELIMIT_LOOKUP"]
