"""How a resident may pay a dossier's fee: one small interface, and the providers behind it.

Today there is one, paying in cash at the commune's one-stop desk (nộp tại bộ phận một cửa),
where the officer records the payment. An online provider (the national portal's payment
platform, a bank) plugs in here later: it says how to pay in its own words and, since it
confirms payments itself, that the desk does not record them.
"""
from __future__ import annotations

from typing import Protocol

from flask_babel import force_locale, gettext as _, lazy_gettext as _l

from app.models import DossierFee


class PaymentProvider(Protocol):
    code: str             # stored on the payment (dossier_fees.provider)
    label: object         # lazy string: what the resident and the officer read
    desk_records: bool    # the officer records the payment by hand on the desk's page

    def instructions(self, fee: DossierFee, lang: str) -> str:
        """How to pay this fee, in `lang`."""


class DeskPayment:
    code = "desk"
    label = _l("Pay at the one-stop desk")
    desk_records = True

    def instructions(self, fee: DossierFee, lang: str) -> str:
        from app.templating import format_vnd

        with force_locale(lang):
            return _("Pay %(amount)s at the one-stop desk (bộ phận một cửa) that received your "
                     "dossier, during office hours. Give the dossier code %(code)s; the officer "
                     "hands you a receipt for the payment.",
                     amount=format_vnd(fee.amount), code=fee.case.code)


_PROVIDERS: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> None:
    _PROVIDERS[provider.code] = provider


def provider(code: str | None) -> PaymentProvider | None:
    return _PROVIDERS.get(code or "")


def providers() -> list[PaymentProvider]:
    """Every way to pay, in the order they were registered (the desk first)."""
    return list(_PROVIDERS.values())


def desk_providers() -> list[PaymentProvider]:
    """The ways of paying the desk records itself (the choices on its payment form)."""
    return [p for p in _PROVIDERS.values() if p.desk_records]


DESK = DeskPayment()
register(DESK)
