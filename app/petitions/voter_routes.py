"""Voters' meetings: the published answer sheets (public), and for staff of the commune the
meeting being recorded, its petitions (each sent to an agency as a case) and publishing the
sheet. Views parse and render; the rules are in voters.py."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.errors import refuse
from app.extensions import db
from app.input_guard import query_page
from app.locale import current_language
from app.models.users import STAFF_ROLES
from app.petitions import bp, voters
from app.petitions.forms import ConfirmForm, MeetingForm, VoterPetitionForm
from app.petitions.labels import ERRORS
from app.petitions.services import PetitionError
from app.petitions.topics import topics
from app.security import public, roles
from app.units.staff import communes_staffed
from app.units.services import units_of_level

STAFF = tuple(sorted(STAFF_ROLES))


def _me():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _blame(form, error: PetitionError) -> None:
    form.add_error(error.field, ERRORS.get(error.code, ERRORS["not_staff"]))


@bp.get("/voter-meetings")
@public
def meetings():
    me = _me()
    page = voters.meetings_page(db.session, me, query_page())
    staff_units = communes_staffed(db.session, me) if me is not None else set()
    return render_template("petitions/meetings.html", page=page,
                           counts=voters.counts(db.session, [m.id for m in page.items]),
                           can_record=bool(me and me.is_staff and staff_units != set()),
                           lang=current_language())


def _petition_form(meeting, formdata: bool = True) -> VoterPetitionForm:
    lang = current_language()
    form = VoterPetitionForm() if formdata else VoterPetitionForm(formdata=None)
    form.topic_id.choices = [(0, _("Choose…"))] + [(t.id, t.name(lang))
                                                   for t in topics(db.session)]
    form.department_id.choices = [(0, _("Choose…"))] + [
        (d.id, f"{d.name(lang)} · {d.unit.name(lang)}")
        for d in voters.agencies_for(db.session, meeting)]
    return form


def _render_meeting(meeting, form: VoterPetitionForm | None = None, status: int = 200):
    me = _me()
    manager = voters.may_manage(db.session, me, meeting)
    return render_template(
        "petitions/meeting.html", meeting=meeting, sheet=voters.sheet(db.session, meeting),
        manager=manager, form=(form or _petition_form(meeting, formdata=False)) if manager
        else None, publish_form=ConfirmForm(), lang=current_language()), status


@bp.get("/voter-meetings/<int:meeting_id>")
@public
def meeting(meeting_id: int):
    found = voters.visible_meeting(db.session, meeting_id, _me())
    if found is None:
        abort(404)
    return _render_meeting(found)


@bp.route("/voter-meetings/new", methods=["GET", "POST"])
@roles(*STAFF)
def new_meeting():
    me = _me()
    staffed = communes_staffed(db.session, me)
    lang = current_language()
    communes = [u for u in units_of_level(db.session, "commune")
                if staffed is None or u.id in staffed]
    if not communes:
        refuse(403, ERRORS["not_staff"])
    form = MeetingForm()
    form.unit_id.choices = [(0, _("Choose…"))] + [(u.id, u.name(lang)) for u in communes]
    if form.validate_on_submit():
        try:
            created = voters.create_meeting(db.session, me, voters.MeetingInput(
                unit_id=form.unit_id.data, title=form.title.data, held_on=form.held_on.data,
                place=form.place.data, deputies=form.deputies.data))
        except PetitionError as error:
            db.session.rollback()
            _blame(form, error)
        else:
            flash(_("The meeting is recorded: add the petitions the voters raised."), "success")
            return redirect(url_for("petitions.meeting", meeting_id=created.id))
    status = 400 if request.method == "POST" else 200
    return render_template("petitions/meeting_form.html", form=form), status


def _managed(meeting_id: int):
    found = voters.visible_meeting(db.session, meeting_id, _me())
    if found is None:
        abort(404)
    if not voters.may_manage(db.session, _me(), found):
        refuse(403, ERRORS["not_staff"])
    return found


@bp.post("/voter-meetings/<int:meeting_id>/petitions")
@roles(*STAFF)
def add_voter_petition(meeting_id: int):
    found = _managed(meeting_id)
    form = _petition_form(found)
    if form.validate_on_submit():
        try:
            petition = voters.add_petition(db.session, _me(), found, voters.VoterPetitionInput(
                topic_id=form.topic_id.data, department_id=form.department_id.data,
                title=form.title.data, body=form.body.data, raised_by=form.raised_by.data))
        except PetitionError as error:
            db.session.rollback()
            _blame(form, error)
        else:
            flash(_("Recorded as case %(code)s and sent to the agency.", code=petition.code),
                  "success")
            return redirect(url_for("petitions.meeting", meeting_id=found.id))
    return _render_meeting(found, form, 400)


@bp.post("/voter-meetings/<int:meeting_id>/publish")
@roles(*STAFF)
def publish_sheet(meeting_id: int):
    found = _managed(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        voters.publish(db.session, _me(), found)
    except PetitionError as error:
        db.session.rollback()
        flash(str(ERRORS.get(error.code, ERRORS["sheet_incomplete"])), "error")
        return _render_meeting(found, status=409)
    flash(_("The answer sheet is published."), "success")
    return redirect(url_for("petitions.meeting", meeting_id=found.id))
