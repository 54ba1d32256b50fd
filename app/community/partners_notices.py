"""Messages about partners and pledges, queued in the outbox inside the caller's transaction and
written in the recipient's language (the way app/dossiers/kind.py does it)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.links import public_url
from app.models import Initiative, InitiativeNeed, Partner, Pledge, User
from app.notifications.personal import tell


def describe_quantity(kind: str, quantity: int | None, unit_label: str | None = None) -> str:
    """'1.500.000 ₫', '20 bao xi măng', '5 person-days' in the current language."""
    from app.templating import format_vnd

    if quantity is None:
        return ""
    if kind == "money":
        return format_vnd(quantity)
    number = f"{quantity:,}".replace(",", ".")
    if kind == "materials":
        return f"{number} {unit_label}" if unit_label else number
    return _("%(n)s person-days", n=number)


def initiative_link(initiative_id: int, lang: str) -> str:
    return public_url("community.initiative", lang_code=lang, initiative_id=initiative_id)


def _pledge_lines(session: Session, pledge: Pledge, initiative: Initiative, lead: str,
                  lang: str) -> list[str]:
    need = session.get(InitiativeNeed, pledge.need_id) if pledge.need_id else None
    what = describe_quantity(pledge.kind, pledge.quantity, need.unit_label if need else None)
    lines = [lead]
    if what:
        lines.append(_("Pledged: %(what)s", what=what))
    if pledge.note:
        lines.append(_("Their note: %(note)s", note=pledge.note))
    lines.append(initiative_link(initiative.id, lang))
    return lines


def tell_author_of_pledge(session: Session, pledge: Pledge) -> None:
    initiative = session.get(Initiative, pledge.initiative_id)
    author = session.get(User, initiative.author_id)
    partner = session.get(Partner, pledge.partner_id)

    def compose() -> tuple[str, str]:
        lead = _("%(partner)s pledged help to your initiative \u201c%(title)s\u201d.",
                 partner=partner.name, title=initiative.title)
        return (_("New pledge for your initiative \u201c%(title)s\u201d",
                  title=initiative.title[:120]),
                "\n".join(_pledge_lines(session, pledge, initiative, lead, author.locale)))

    tell(session, author, compose)


def tell_author_of_withdrawal(session: Session, pledge: Pledge) -> None:
    initiative = session.get(Initiative, pledge.initiative_id)
    author = session.get(User, initiative.author_id)
    partner = session.get(Partner, pledge.partner_id)

    def compose() -> tuple[str, str]:
        lead = _("%(partner)s withdrew its pledge to your initiative \u201c%(title)s\u201d.",
                 partner=partner.name, title=initiative.title)
        return (_("A pledge to your initiative \u201c%(title)s\u201d was withdrawn",
                  title=initiative.title[:120]),
                "\n".join(_pledge_lines(session, pledge, initiative, lead, author.locale)))

    tell(session, author, compose)


def tell_contact_verified(session: Session, partner: Partner) -> None:
    tell(session, session.get(User, partner.contact_user_id), lambda: (
        _("%(name)s is now a verified partner", name=partner.name[:120]),
        _("Staff of the commune verified %(name)s. It can now pledge help to accepted "
          "community initiatives.", name=partner.name)))


def tell_contact_refused(session: Session, partner: Partner, reason: str) -> None:
    tell(session, session.get(User, partner.contact_user_id), lambda: (
        _("The registration of %(name)s was not accepted", name=partner.name[:120]),
        _("Staff of the commune did not accept the registration of %(name)s. Reason: "
          "%(reason)s. You may register it again once this is put right.",
          name=partner.name, reason=reason)))
