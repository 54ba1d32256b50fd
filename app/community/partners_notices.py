"""Messages about partners and pledges, queued in the outbox inside the caller's transaction and
written in the recipient's language (the way app/dossiers/kind.py does it)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy.orm import Session

from app.links import public_url
from app.models import Initiative, InitiativeNeed, Partner, Pledge, User
from app.notifications.outbox import queue_for_user


def _reachable(user: User | None) -> bool:
    return user is not None and user.active and bool(user.email or user.phone)


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


def initiative_link(initiative_id: int, lang: str) -> str | None:
    if "community.initiative" not in current_app.view_functions:
        return None  # the initiative pages are another part's; until they exist, no link
    return public_url("community.initiative", lang_code=lang, initiative_id=initiative_id)


def tell_author_of_pledge(session: Session, pledge: Pledge) -> None:
    initiative = session.get(Initiative, pledge.initiative_id)
    author = session.get(User, initiative.author_id) if initiative else None
    if not _reachable(author):
        return
    partner = session.get(Partner, pledge.partner_id)
    need = session.get(InitiativeNeed, pledge.need_id) if pledge.need_id else None
    with force_locale(author.locale):
        what = describe_quantity(pledge.kind, pledge.quantity, need.unit_label if need else None)
        lines = [_("%(partner)s pledged help to your initiative \u201c%(title)s\u201d.",
                   partner=partner.name, title=initiative.title)]
        if what:
            lines.append(_("Pledged: %(what)s", what=what))
        if pledge.note:
            lines.append(_("Their note: %(note)s", note=pledge.note))
        link = initiative_link(initiative.id, author.locale)
        if link:
            lines.append(link)
        queue_for_user(session, author,
                       _("New pledge for your initiative \u201c%(title)s\u201d",
                         title=initiative.title[:120]),
                       "\n".join(lines))


def tell_contact_verified(session: Session, partner: Partner) -> None:
    contact = session.get(User, partner.contact_user_id)
    if not _reachable(contact):
        return
    with force_locale(contact.locale):
        queue_for_user(session, contact,
                       _("%(name)s is now a verified partner", name=partner.name[:120]),
                       _("Staff of the commune verified %(name)s. It can now pledge help to "
                         "accepted community initiatives.", name=partner.name))


def tell_contact_refused(session: Session, partner: Partner, reason: str) -> None:
    contact = session.get(User, partner.contact_user_id)
    if not _reachable(contact):
        return
    with force_locale(contact.locale):
        queue_for_user(session, contact,
                       _("The registration of %(name)s was not accepted", name=partner.name[:120]),
                       _("Staff of the commune did not accept the registration of %(name)s. "
                         "Reason: %(reason)s. You may register it again once this is put "
                         "right.", name=partner.name, reason=reason))
