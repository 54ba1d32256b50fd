"""The office's side of petitions: the answer page (the kind's page for "submit for approval"
in the workbench), the held petitions a moderator releases or rejects, and the administrators'
topics. Views parse and render; the rules are in answers.py, services.py and topics.py."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from app.errors import refuse
from app.extensions import db
from app.input_guard import query_page
from app.labels import category_name
from app.models import PetitionTopic
from app.models.users import STAFF_ROLES
from app.petitions import answers, bp, moderation, services
from app.petitions.forms import AnswerForm, ModerateForm, TopicForm
from app.petitions.labels import ERRORS, KIND_NAMES, SOURCE_NAMES
from app.petitions.topics import TOPIC_CATEGORIES, TopicError, TopicInput, save_topic, topics
from app.queue.errors import IllegalTransition, NotAllowed, QueueError, StaleCase
from app.security import roles

STAFF = tuple(sorted(STAFF_ROLES))


def _me():
    return current_user._get_current_object()


# -- the answer ---------------------------------------------------------------------------------

@bp.route("/cases/<int:case_id>/answer", methods=["GET", "POST"])
@roles(*STAFF)
def answer(case_id: int):
    """Write the answer and send it to the leader (one transaction with the case's step)."""
    from app.workbench import services as workbench

    me = _me()
    try:
        case = workbench.case_for(db.session, me, case_id)
    except NotAllowed:
        abort(403)
    petition = services.for_case(db.session, case_id) if case is not None else None
    if petition is None:
        abort(404)
    try:
        answers.may_draft(db.session, case, me)
    except NotAllowed:
        abort(403)
    except IllegalTransition as error:
        flash(_not_now(error), "error")
        return redirect(url_for("workbench.case_detail", case_id=case.id))
    form = AnswerForm()
    if request.method == "GET":
        form.version.data = case.version
        form.answer.data = petition.answer or ""
    elif form.validate_on_submit():
        try:
            answers.draft_answer(db.session, case.id, me, form.answer.data,
                                 expected_version=form.version.data)
        except services.PetitionError as error:
            db.session.rollback()
            form.answer.errors = list(form.answer.errors) + [
                str(ERRORS.get(error.code, ERRORS["answer_required"]))]
        except QueueError as error:
            db.session.rollback()
            flash(_("The case changed meanwhile; nothing was saved. Check it and try again.")
                  if isinstance(error, StaleCase) else _not_now(error), "error")
            return redirect(url_for("workbench.case_detail", case_id=case_id))
        else:
            flash(_("The answer was sent to the leader for approval. It is published once "
                    "approved."), "success")
            return redirect(url_for("workbench.case_detail", case_id=case_id))
    status = 400 if request.method == "POST" else 200
    return render_template("petitions/answer.html", form=form, case=case, petition=petition,
                           kind_names=KIND_NAMES, files=services.files_of(db.session,
                                                                          petition.id)), status


def _not_now(error: QueueError) -> str:
    if error.details.get("reason") == "pending_approval":
        return _("The answer is with the leader for approval; it can be changed if the leader "
                 "sends it back.")
    return _("An answer can be written while the case is being processed: receive it and "
             "start processing first. A closed case takes no more answers.")


# -- held for a moderator -------------------------------------------------------------------------

@bp.get("/held")
@roles(*STAFF)
def held():
    page = moderation.held_page(db.session, _me(), query_page())
    return render_template("petitions/held.html", page=page, kind_names=KIND_NAMES)


@bp.route("/held/<int:petition_id>", methods=["GET", "POST"])
@roles(*STAFF)
def moderate(petition_id: int):
    from app.abusive import abusive_terms_in
    from app.models import Petition

    me = _me()
    petition = db.session.get(Petition, petition_id)
    if petition is None or petition.status != "held":
        abort(404)
    if not moderation.may_moderate(db.session, me, petition):
        refuse(403, ERRORS["not_moderator"])
    form = ModerateForm()
    if request.method == "POST":
        if form.validate_on_submit():
            decide = moderation.release if form.decision.data == "release" else moderation.reject
            try:
                decide(db.session, me, petition.id, form.note.data)
            except services.PetitionError as error:
                db.session.rollback()
                message = str(ERRORS.get(error.code, ERRORS["not_held"]))
                if error.field == "note":
                    form.note.errors = list(form.note.errors) + [message]
                else:
                    flash(message, "error")
                    return redirect(url_for("petitions.held"))
            else:
                flash(_("Sent to the office: %(code)s.", code=petition.code)
                      if form.decision.data == "release"
                      else _("Not accepted: %(code)s. The asker is told the reason.",
                             code=petition.code), "success")
                return redirect(url_for("petitions.held"))
    status = 400 if request.method == "POST" else 200
    return render_template("petitions/moderate.html", petition=petition, form=form,
                           terms=abusive_terms_in(petition.title, petition.body),
                           files=services.files_of(db.session, petition.id),
                           kind_names=KIND_NAMES, source_names=SOURCE_NAMES), status


# -- topics (administrators) ----------------------------------------------------------------------

TOPIC_ERRORS = {
    "bad_code": _l("Use lower-case letters, digits and dashes, like dat-dai."),
    "code_taken": _l("Another topic already has this code."),
    "name_required": _l("Enter the name in Vietnamese."),
    "name_too_long": _l("A name can be at most 200 characters."),
    "bad_category": _l("Choose a category from the list."),
    "bad_sla": _l("Enter a whole number of working days from 1 to 90."),
}


@bp.get("/topics")
@roles("admin")
def topic_list():
    return render_template("petitions/topics.html", topics=topics(db.session, active_only=False),
                           category_name=category_name)


def _topic_form(topic: PetitionTopic | None) -> TopicForm:
    form = TopicForm(obj=topic) if request.method == "GET" and topic is not None else TopicForm()
    form.category.choices = [(c, category_name(c)) for c in TOPIC_CATEGORIES]
    if request.method == "GET" and topic is None:
        form.category.data, form.sla_days.data = "petition", 10
    return form


def _save_topic(topic: PetitionTopic | None):
    form = _topic_form(topic)
    if form.validate_on_submit():
        try:
            save_topic(db.session, TopicInput(
                code=form.code.data, name_vi=form.name_vi.data, name_en=form.name_en.data or "",
                category=form.category.data, sla_days=form.sla_days.data,
                active=bool(form.active.data)), topic)
        except TopicError as error:
            db.session.rollback()
            form.add_error(error.field or "code", TOPIC_ERRORS[error.code])
        else:
            flash(_("The topic is saved."), "success")
            return redirect(url_for("petitions.topic_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("petitions/topic_form.html", form=form, topic=topic), status


@bp.route("/topics/new", methods=["GET", "POST"])
@roles("admin")
def new_topic():
    return _save_topic(None)


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_topic(topic_id: int):
    topic = db.session.get(PetitionTopic, topic_id) or abort(404)
    return _save_topic(topic)
