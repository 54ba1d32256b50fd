""""Ba Nhà" partners and pledges: registration, verification, the public list and pages, the
pledge form, staff marking pledges delivered or cancelled, and a partner withdrawing its own
pledge. The one-button actions answer a plain form post with a redirect and an htmx post with
the refreshed part of the page (the pending partner's card, the initiative's pledges), as
supports and flags do. Views only parse and render; the rules are in partners_service.py and
pledges_service.py."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.community import bp
from app.community import partners_notices as notices
from app.community import partners_service as partners
from app.community import pledges_service as pledges
from app.community.partners_forms import (ERRORS, NEED_KIND_LABELS, PARTNER_KIND_LABELS,
                                          PLEDGE_STATUS_LABELS, BackForm, PartnerForm,
                                          PledgeForm, RefuseForm, message_for)
from app.errors import refuse
from app.extensions import db
from app.input_guard import query_page
from app.links import redirect_back, safe_path
from app.locale import current_language
from app.models import Initiative, Pledge
from app.models.community import PARTNER_KINDS
from app.models.users import STAFF_ROLES
from app.security import public, roles, signed_in
from app.templating import is_htmx
from app.units.services import commune_choices

# Every staff account; which commune each may act in, the services decide.
STAFF = tuple(sorted(STAFF_ROLES))


def _me():
    return current_user._get_current_object()


def initiative_url(initiative_id: int) -> str:
    return url_for("community.initiative", initiative_id=initiative_id)


def _labels() -> dict:
    return {"partner_kinds": PARTNER_KIND_LABELS, "need_kinds": NEED_KIND_LABELS,
            "pledge_statuses": PLEDGE_STATUS_LABELS, "describe_quantity":
            notices.describe_quantity, "initiative_url": initiative_url}


@bp.app_context_processor
def _pledge_helpers():
    # community/_pledges.html is included by the initiative page (another part's view), so it
    # fetches what it shows through these rather than through that view's context.
    return {"pledge_board": _pledge_board}


def _pledge_board(initiative: Initiative) -> dict:
    me = _me() if current_user.is_authenticated else None
    data = _labels()
    data["board"] = pledges.board(db.session, initiative)
    data["can_pledge"] = bool(me and data["board"].open_for_pledges
                              and partners.verified_partners_of(db.session, me.id))
    data["can_settle"] = bool(me and partners.is_commune_staff(db.session, me,
                                                               initiative.unit_id))
    data["withdrawable"] = lambda pledge: pledges.withdrawable(pledge, me)
    return data


# -- the public list and pages ---------------------------------------------------------------

@bp.get("/partners/", endpoint="partners")
@public
def partners_list():
    kind = request.args.get("kind", "")
    kind = kind if kind in PARTNER_KINDS else ""
    page = partners.public_list(db.session, kind or None, query_page())
    return render_template("community/partners.html", page=page, kind=kind, **_labels())


@bp.get("/partners/<int:partner_id>")
@public
def partner(partner_id: int):
    found = partners.visible_partner(db.session, _me() if current_user.is_authenticated
                                     else None, partner_id)
    if found is None:
        refuse(404)
    groups, totals = partners.partner_page(db.session, found.id)
    return render_template("community/partner.html", partner=found, groups=groups,
                           totals=totals, **_labels())


# -- registration ----------------------------------------------------------------------------

@bp.route("/partners/register", methods=["GET", "POST"])
@signed_in
def register_partner():
    lang = current_language()
    form = PartnerForm()
    form.unit_id.choices = [(0, _("Several communes / not one commune"))] + commune_choices(
        db.session, lang)
    if request.method == "GET" and current_user.commune_id:
        form.unit_id.data = current_user.commune_id
    if form.validate_on_submit():
        try:
            created = partners.register(db.session, _me(), partners.Registration(
                name=form.name.data, kind=form.kind.data, description=form.description.data or "",
                unit_id=form.unit_id.data or None, contact_phone=form.contact_phone.data))
        except partners.PartnerError as error:
            getattr(form, error.field or "name").errors.append(message_for(error.code))
        else:
            flash(_("%(name)s is registered. Staff of the commune will verify it; you can "
                    "pledge help once it is verified.", name=created.name), "success")
            return redirect(url_for("community.my_partners"))
    status = 400 if request.method == "POST" else 200
    return render_template("community/partner_register.html", form=form), status


@bp.get("/partners/mine")
@signed_in
def my_partners():
    return render_template("community/partners_mine.html",
                           partners=partners.partners_of(db.session, current_user.id),
                           **_labels())


# -- verification ----------------------------------------------------------------------------

@bp.get("/partners/pending")
@roles(*STAFF)
def partners_pending():
    page = partners.pending_for(db.session, _me(), query_page())
    return render_template("community/partners_pending.html", page=page, **_labels())


def _back_to_pending(form) -> object:
    return redirect_back(form.next.data, url_for("community.partners_pending"))


def _pending_answer(partner_id: int, form, message: str, category: str, *, card=None,
                    refuse_form=None):
    """htmx: the partner's card, decided (a message in its place) or with the refusal's
    error next to the reason; a plain post: back to the list with the message."""
    if is_htmx():
        return render_template(
            "community/_pending_partner.html", p=card, partner_id=partner_id,
            message=message, category=category, refuse_form=refuse_form,
            back=safe_path(form.next.data) or url_for("community.partners_pending"),
            **_labels())
    flash(message, category)
    return _back_to_pending(form)


@bp.post("/partners/<int:partner_id>/verify")
@roles(*STAFF)
def verify_partner(partner_id: int):
    form = BackForm()
    if not form.validate_on_submit():
        refuse(400)
    try:
        verified = partners.verify(db.session, _me(), partner_id,
                                   on_verified=notices.tell_contact_verified)
    except partners.NotAllowed as error:
        refuse(403, message_for(error.code))
    except partners.PartnerError as error:
        if error.code == "no_partner":
            refuse(404)
        return _pending_answer(partner_id, form, message_for(error.code), "error")
    return _pending_answer(partner_id, form, _("%(name)s is verified.", name=verified.name),
                           "success")


@bp.post("/partners/<int:partner_id>/refuse")
@roles(*STAFF)
def refuse_partner(partner_id: int):
    form = RefuseForm()
    if not form.validate_on_submit():
        # The only field is the reason; say what is wrong where it was typed.
        if form.csrf_token.errors:
            refuse(400)
        message = str(form.reason.errors[0] if form.reason.errors else ERRORS["reason_required"])
        card = partners.visible_partner(db.session, _me(), partner_id)
        if card is None:
            refuse(404)
        return _pending_answer(partner_id, form, message, "error", card=card,
                               refuse_form=form)
    try:
        name = partners.refuse(db.session, _me(), partner_id, form.reason.data,
                               on_refused=notices.tell_contact_refused)
    except partners.NotAllowed as error:
        refuse(403, message_for(error.code))
    except partners.PartnerError as error:
        if error.code == "no_partner":
            refuse(404)
        return _pending_answer(partner_id, form, message_for(error.code), "error")
    return _pending_answer(partner_id, form, _(
        "The registration of %(name)s was refused; its contact is told why.", name=name),
        "success")


# -- pledges ---------------------------------------------------------------------------------

def _after_pledge_url(initiative_id: int) -> str:
    return initiative_url(initiative_id)


@bp.route("/initiatives/<int:initiative_id>/pledge", methods=["GET", "POST"])
@signed_in
def pledge(initiative_id: int):
    initiative = pledges.initiative_for_pledge(db.session, initiative_id)
    if initiative is None:
        refuse(404)
    mine = partners.verified_partners_of(db.session, current_user.id)
    closed = None
    if not pledges.accepts_pledges(initiative):
        closed = message_for(f"not_open_{initiative.status}")
    elif not mine:
        closed = str(ERRORS["no_verified_partner"])
    form = PledgeForm()
    form.partner_id.choices = [(p.id, p.name) for p in mine]
    form.need_id.choices = [(n.id, n.description or str(NEED_KIND_LABELS[n.kind]))
                            for n in initiative.needs] + [(0, _("Other help"))]
    if closed is not None:
        status = 409 if request.method == "POST" else 200
        return render_template("community/partner_pledge.html", initiative=initiative,
                               form=None, closed=closed, **_labels()), status
    if request.method == "GET":
        form.need_id.data = initiative.needs[0].id if initiative.needs else 0
    if form.validate_on_submit():
        try:
            made = pledges.pledge(db.session, _me(), initiative.id, pledges.PledgeRequest(
                partner_id=form.partner_id.data or 0, need_id=form.need_id.data or None,
                kind=form.kind.data or None, quantity=form.quantity.data,
                note=form.note.data or ""), on_pledged=notices.tell_author_of_pledge)
        except partners.PartnerError as error:
            getattr(form, error.field or "quantity").errors.append(message_for(error.code))
            if error.field is None:
                closed = message_for(error.code)  # the initiative closed in the meantime
        else:
            flash(_("Thank you: your pledge to \u201c%(title)s\u201d is recorded. Staff of the "
                    "commune will mark it delivered.", title=initiative.title), "success")
            return redirect(_after_pledge_url(made.initiative_id))
    status = 400 if request.method == "POST" else 200
    return render_template("community/partner_pledge.html", initiative=initiative, form=form,
                           closed=closed, **_labels()), status


def _pledges_answer(row: Pledge, form, message: str, category: str):
    """htmx: the initiative's pledges, refreshed, with the message; a plain post: back to
    where the button was, with the message."""
    if is_htmx():
        initiative = db.session.get(Initiative, row.initiative_id)
        return render_template(
            "community/_pledges.html", initiative=initiative, pledge_message=message,
            pledge_category=category,
            back=safe_path(form.next.data) or initiative_url(initiative.id))
    flash(message, category)
    return redirect_back(form.next.data, _after_pledge_url(row.initiative_id))


def _settle(pledge_id: int, outcome: str):
    form = BackForm()
    if not form.validate_on_submit():
        refuse(400)
    try:
        row = pledges.settle(db.session, _me(), pledge_id, outcome)
    except partners.NotAllowed as error:
        refuse(403, message_for(error.code))
    except partners.PartnerError as error:
        if error.code == "no_pledge":
            refuse(404)
        return _pledges_answer(db.session.get(Pledge, pledge_id), form,
                               message_for(error.code), "error")
    return _pledges_answer(row, form, _("The pledge is marked delivered.")
                           if outcome == "delivered" else _("The pledge is marked cancelled."),
                           "success")


@bp.post("/pledges/<int:pledge_id>/delivered")
@roles(*STAFF)
def deliver_pledge(pledge_id: int):
    return _settle(pledge_id, "delivered")


@bp.post("/pledges/<int:pledge_id>/cancel")
@roles(*STAFF)
def cancel_pledge(pledge_id: int):
    return _settle(pledge_id, "cancelled")


@bp.post("/pledges/<int:pledge_id>/withdraw")
@signed_in
def withdraw_pledge(pledge_id: int):
    """The partner's contact person takes the pledge back, before it is delivered."""
    form = BackForm()
    if not form.validate_on_submit():
        refuse(400)
    try:
        row = pledges.withdraw(db.session, _me(), pledge_id,
                               on_withdrawn=notices.tell_author_of_withdrawal)
    except partners.NotAllowed as error:
        refuse(403, message_for(error.code))
    except partners.PartnerError as error:
        if error.code == "no_pledge":
            refuse(404)
        return _pledges_answer(db.session.get(Pledge, pledge_id), form,
                               message_for(error.code), "error")
    return _pledges_answer(row, form, _("Your pledge is withdrawn; the initiative's author "
                                        "is told."), "success")
