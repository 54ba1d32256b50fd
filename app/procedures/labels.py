"""How the catalogue's values read, in both languages: one place for the public pages and the
administration alike."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l, ngettext

from app.templating import format_vnd

LEVEL_LABELS = {
    "commune": _l("Commune (xã, phường)"),
    "district": _l("District"),
    "province": _l("Province"),
}
ONLINE_LABELS = {
    "partial": _l("Partly online (Một phần)"),
    "full": _l("Fully online (Toàn trình)"),
}
ORIGINAL_OR_COPY_LABELS = {
    "original": _l("Original"),
    "copy": _l("Copy"),
    "either": _l("Original or copy"),
}
CHANNEL_LABELS = {
    "in_person": _l("At the one-stop desk"),
    "online": _l("Online"),
    "post": _l("By post"),
}


def fee_text(amount: int | None) -> str:
    """'50.000 ₫', 'Miễn phí' / 'Free', or 'Không áp dụng' / 'Not offered' for a channel the
    procedure does not use."""
    if amount is None:
        return str(_l("Not offered"))
    if amount == 0:
        return str(_l("Free"))
    return format_vnd(amount)


def processing_time(days: int) -> str:
    if days == 0:
        return str(_l("Same day"))
    return ngettext("%(num)d working day", "%(num)d working days", days)


def copies_text(kind: str, copies: int) -> str:
    """'1 original', '2 copies', '1 original or copy'."""
    if kind == "original":
        return ngettext("%(num)d original", "%(num)d originals", copies)
    if kind == "copy":
        return ngettext("%(num)d copy", "%(num)d copies", copies)
    return ngettext("%(num)d original or copy", "%(num)d originals or copies", copies)


def template_helpers() -> dict:
    return {"fee_text": fee_text, "processing_time": processing_time, "copies_text": copies_text,
            "procedure_level_labels": LEVEL_LABELS, "online_labels": ONLINE_LABELS,
            "original_or_copy_labels": ORIGINAL_OR_COPY_LABELS, "channel_labels": CHANNEL_LABELS}
