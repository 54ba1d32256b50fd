"""Pages of village announcements on the `village` blueprint: the list with filters and search,
an announcement and its attached file (public), publishing, editing and withdrawing (staff of
the place), and the staff page of announcements and alerts. Rules: app/village/announcements.py.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.downloads import FRESH, send_stored
from app.errors import refuse
from app.extensions import db
from app.input_guard import query_id, query_page
from app.locale import current_language
from app.models import Announcement, utcnow
from app.queue.calendar import local_day
from app.security import public, roles
from app.units.services import units_of_level
from app.uploads import ATTACHMENT_MAX_BYTES
from app.village import alerts as alert_service
from app.village import announcements as svc
from app.village import bp
from app.village.notice_forms import ERRORS, AnnouncementForm, ConfirmForm
from app.village.notice_labels import labels
from app.village.services import places_for

STAFF = ("officer", "leader", "admin")


def viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def place_choices(places, lang: str) -> list[tuple[str, str]]:
    return [(p.key, p.village.name(lang) + " · " + p.commune.name(lang) if p.village
             else _("The whole commune: %(name)s", name=p.commune.name(lang))) for p in places]


def blame(form, error) -> None:
    """Put a service's refusal next to the field it concerns (or above the form)."""
    form.add_error(error.field, ERRORS.get(error.code, ERRORS["forbidden"]))


def _visible_or_404(announcement_id: int) -> Announcement:
    announcement = svc.visible(db.session, announcement_id, viewer())
    if announcement is None:
        withdrawn = db.session.get(Announcement, announcement_id)
        refuse(404, ERRORS["withdrawn"] if withdrawn is not None else None)
    return announcement


def _managed_or_403(announcement_id: int) -> Announcement:
    announcement = _visible_or_404(announcement_id)
    if not svc.may_manage(db.session, viewer(), announcement):
        refuse(403, ERRORS["forbidden"])
    return announcement


# -- reading ----------------------------------------------------------------------------------

@bp.get("/announcements")
@public
def announcements():
    period = request.args.get("period", "current")
    category = request.args.get("category", "")
    filters = svc.ListFilters(
        q=" ".join((request.args.get("q") or "").split())[:200],
        commune_id=query_id("commune"), village_id=query_id("village"),
        category=category if category in labels()["category_labels"] else "",
        period=period if period in svc.PERIODS else "current")
    page = svc.list_page(db.session, filters, query_page(), viewer())
    villages = [v for v in units_of_level(db.session, "village")
                if filters.commune_id is None or v.parent_id == filters.commune_id]
    return render_template("village/announcements.html", page=page, filters=filters,
                           args=filters.args(), communes=units_of_level(db.session, "commune"),
                           villages=villages, today=local_day(utcnow()), **labels())


@bp.get("/announcements/<int:announcement_id>")
@public
def announcement(announcement_id: int):
    item = _visible_or_404(announcement_id)
    return render_template("village/announcement.html", item=item,
                           manager=svc.may_manage(db.session, viewer(), item),
                           today=local_day(utcnow()), **labels())


@bp.get("/announcements/<int:announcement_id>/attachment")
@public
def announcement_attachment(announcement_id: int):
    """The attached file: public like the announcement (not once withdrawn)."""
    item = _visible_or_404(announcement_id)
    return send_stored(item.attachment_key, item.attachment_kind,
                       filename=item.attachment_name or "file", cache=FRESH)


# -- publishing -------------------------------------------------------------------------------

def _input(form: AnnouncementForm) -> svc.AnnouncementInput:
    return svc.AnnouncementInput(
        title_vi=form.title_vi.data or "", title_en=form.title_en.data or "",
        body_vi=form.body_vi.data or "", body_en=form.body_en.data or "",
        place_key=form.place.data or "", category=form.category.data or "",
        valid_from=form.valid_from.data, valid_until=form.valid_until.data)


def _attachment(form: AnnouncementForm) -> svc.Attachment | None:
    upload = form.attachment.data
    if upload is None or not getattr(upload, "filename", "") or not hasattr(upload, "read"):
        return None
    # One byte past the limit is enough to know it is too large.
    return svc.Attachment(upload.read(ATTACHMENT_MAX_BYTES + 1), upload.filename)


def publishing_places():
    places = places_for(db.session, viewer())
    if not places:
        refuse(403, ERRORS["forbidden"])
    return places


@bp.route("/announcements/new", methods=["GET", "POST"])
@roles(*STAFF)
def new_announcement():
    places = publishing_places()
    form = AnnouncementForm()
    form.place.choices = place_choices(places, current_language())
    if request.method == "GET":
        form.valid_from.data = local_day(utcnow())
    if form.validate_on_submit():
        try:
            item = svc.publish(db.session, viewer(), _input(form), _attachment(form))
        except svc.AnnouncementError as error:
            blame(form, error)
        else:
            flash(_("The announcement is published."), "success")
            return redirect(url_for("village.announcement", announcement_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("village/announcement_form.html", form=form, item=None), status


@bp.route("/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
@roles(*STAFF)
def edit_announcement(announcement_id: int):
    item = _managed_or_403(announcement_id)
    if item.status != "published":
        flash(str(ERRORS["withdrawn"]), "error")
        return redirect(url_for("village.announcement", announcement_id=item.id))
    if request.method == "GET":
        form = AnnouncementForm(
            title_vi=item.title_vi, title_en=item.title_en, body_vi=item.body_vi,
            body_en=item.body_en, category=item.category, valid_from=item.valid_from,
            valid_until=item.valid_until, place=svc.place_of(item).key)
    else:
        form = AnnouncementForm()
    form.place.choices = place_choices(places_for(db.session, viewer()), current_language())
    if form.validate_on_submit():
        try:
            svc.edit(db.session, viewer(), item.id, _input(form), _attachment(form),
                     remove_attachment=bool(form.remove_attachment.data))
        except svc.AnnouncementError as error:
            db.session.refresh(item)
            blame(form, error)
        else:
            flash(_("The announcement is saved."), "success")
            return redirect(url_for("village.announcement", announcement_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("village/announcement_form.html", form=form, item=item), status


@bp.route("/announcements/<int:announcement_id>/withdraw", methods=["GET", "POST"])
@roles(*STAFF)
def withdraw_announcement(announcement_id: int):
    item = _managed_or_403(announcement_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            refuse(400)
        try:
            svc.withdraw(db.session, viewer(), item.id)
        except svc.AnnouncementError as error:
            flash(str(ERRORS.get(error.code, ERRORS["forbidden"])), "error")
            return redirect(url_for("village.announcement", announcement_id=item.id))
        flash(_("The announcement was withdrawn. Residents no longer see it."), "success")
        return redirect(url_for("village.manage"))
    if item.status != "published":
        flash(str(ERRORS["withdrawn"]), "error")
        return redirect(url_for("village.announcement", announcement_id=item.id))
    return render_template("village/confirm_withdraw.html", form=form,
                           title=_("Withdraw the announcement"),
                           name=item.title(current_language()),
                           explain=_("Residents will no longer see it on the board or in the "
                                     "list. This cannot be undone."),
                           back=url_for("village.announcement", announcement_id=item.id))


# -- the staff page ---------------------------------------------------------------------------

@bp.get("/manage")
@roles(*STAFF)
def manage():
    user = viewer()
    status = request.args.get("status", "published")
    if status not in svc.MANAGE_STATUSES:
        status = "published"
    now = utcnow()
    active, ended = alert_service.managed_alerts(db.session, user, now)
    return render_template(
        "village/manage.html", places=places_for(db.session, user), status=status,
        page=svc.manage_page(db.session, user, status, query_page()),
        args={"status": status} if status != "published" else {},
        active_alerts=active, ended_alerts=ended, today=local_day(now), now=now, **labels())
