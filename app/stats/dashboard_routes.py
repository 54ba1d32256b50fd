"""The operations dashboard (leaders and administrators): the live load of the queue, what is
late or about to be, what waits for a leader, the last two weeks' throughput, and field
reports and initiatives by category and village. It refreshes itself every minute with htmx
(the same URL answers a fragment on HX-Request) and works without it; every number links to
the list of the cases behind it."""
from __future__ import annotations

from flask import current_app, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.input_guard import query_page
from app.labels import category_choices, category_name
from app.locale import current_language
from app.models import AdminUnit, User, utcnow
from app.queue.calendar import local_day
from app.queue.calendar_db import calendar_from_db
from app.queue.sla import warning_threshold
from app.security import roles
from app.stats import bp, dashboard as ops
from app.stats.forms import CaseListForm, DashboardForm
from app.templating import is_htmx
from app.text import vietnamese_sort_key
from app.workbench.labels import CASE_TYPE_NAMES, DUE_BANDS, state_name

LEADERS = ("leader", "admin")


def _group_names() -> dict[str, str]:
    return {"new": _("New"), "in_progress": _("In progress"),
            "waiting_resident": _("Waiting for the resident"), "answered": _("Answered"),
            "closed": _("Closed")}


def _me():
    return current_user._get_current_object()


def _clock():
    now = utcnow()
    calendar = calendar_from_db(db.session)
    return now, warning_threshold(now, current_app.config["SLA_WARNING_DAYS"], calendar)


def _communes(lang: str) -> list[AdminUnit]:
    units = db.session.scalars(select(AdminUnit).where(AdminUnit.level == "commune")).all()
    return sorted(units, key=lambda u: vietnamese_sort_key(u.name(lang)))


def _scope():
    """(form, departments, chosen commune or None); an unknown commune code is a field error."""
    lang = current_language()
    me = _me()
    form = DashboardForm(formdata=request.args)
    communes = _communes(lang) if me.is_admin else []
    form.commune.choices = [("", _("Every commune"))] + [(u.code, u.name(lang))
                                                        for u in communes]
    commune = None
    form.validate()
    code = (form.commune.data or "").strip()
    if code and me.is_admin:
        commune = next((u for u in communes if u.code == code), None)
        if commune is None:
            form.commune.errors = list(form.commune.errors) + [
                _("No commune or ward has this code. Choose one from the list.")]
    return form, ops.scope_departments(db.session, me, commune), commune


def _context():
    return {"state_name": state_name, "category_name": category_name,
            "CASE_TYPE_NAMES": CASE_TYPE_NAMES, "GROUPS": _group_names(),
            "DUE_BANDS": DUE_BANDS}


@bp.get("/operations")
@roles(*LEADERS)
def dashboard():
    """The operations centre of the leader's departments (an administrator's: any commune)."""
    form, departments, commune = _scope()
    now, limit = _clock()
    board = ops.dashboard(db.session, departments, now=now, almost_limit=limit,
                          today=local_day(now))
    status = 400 if form.commune.errors else 200
    template = "stats/partials/dashboard_live.html" if is_htmx() else "stats/dashboard.html"
    scope_args = _scope_args(form)

    def cases_url(flt: ops.CaseFilter | None = None, **extra) -> str:
        """The list of the cases behind a figure, in the dashboard's scope."""
        return url_for("stats.dashboard_cases",
                       **{**scope_args, **(flt.args() if flt else {}), **extra})

    response = make_response(render_template(
        template, form=form, board=board, commune=commune, scope_args=scope_args,
        cases_url=cases_url, **_context()), status)
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


def _scope_args(form: DashboardForm) -> dict[str, str]:
    code = (form.commune.data or "").strip()
    return {"commune": code} if code and not form.commune.errors else {}


def _list_form(departments, lang: str) -> CaseListForm:
    form = CaseListForm(formdata=request.args)
    form.department.choices = [(0, _("All my departments"))] + [
        (d.id, d.name(lang)) for d in departments]
    form.officer.choices = [(0, _("Everyone"))]
    form.band.choices = [("", _("Any"))] + [(k, str(DUE_BANDS[k])) for k in ("overdue", "almost")]
    form.group.choices = [("", _("Every open state"))] + list(_group_names().items())
    form.case_type.choices = [("", _("Every kind"))] + [(k, str(v))
                                                        for k, v in CASE_TYPE_NAMES.items()]
    form.category.choices = [("", _("All categories"))] + category_choices()
    form.unit.choices = [(0, _("All"))]
    form.waiting.choices = [("", _("Anything")), ("approval", _("A leader's decision"))]
    form.order.choices = [("due", _("Earliest due first")), ("oldest", _("Oldest first"))]
    return form


def _filter_of(form: CaseListForm, departments) -> ops.CaseFilter | None:
    """The filter the query string asks for, or None with a message on each bad field."""
    ok = form.validate()
    ids = {d.id for d in departments}
    checks = [
        (form.department, form.department.data in ids | {0},
         _("Choose one of your own departments.")),
        (form.band, form.band.data in ("", "overdue", "almost"), _("Choose from the list.")),
        (form.group, form.group.data in ("",) + tuple(ops.STATE_GROUPS),
         _("Choose from the list.")),
        (form.case_type, form.case_type.data in ("",) + tuple(CASE_TYPE_NAMES),
         _("Choose from the list.")),
        (form.category, form.category.data in {""} | {k for k, _v in category_choices()},
         _("Choose from the list.")),
        (form.waiting, form.waiting.data in ("", "approval"), _("Choose from the list.")),
        (form.order, form.order.data in ("due", "oldest"), _("Choose from the list.")),
    ]
    for field, good, message in checks:
        if not field.errors and not good:
            field.errors = list(field.errors) + [message]
            ok = False
    if not ok:
        return None
    return ops.CaseFilter(
        department=form.department.data or None, officer=form.officer.data or None,
        band=form.band.data or None, group=form.group.data or None,
        case_type=form.case_type.data or None, category=form.category.data or None,
        unit=form.unit.data or None, finished_on=form.finished_on.data,
        received_on=form.received_on.data, waiting=form.waiting.data or None,
        order=form.order.data or "due")


@bp.get("/operations/cases")
@roles(*LEADERS)
def dashboard_cases():
    """The cases behind one figure of the dashboard, a page at a time."""
    lang = current_language()
    _form, departments, commune = _scope()
    form = _list_form(departments, lang)
    flt = _filter_of(form, departments)
    if flt is None:
        return render_template("stats/dashboard_cases.html", form=form, page=None, flt=None,
                               scope_args=_scope_args(_form), officer=None, unit=None,
                               **_context()), 400
    now, limit = _clock()
    page = ops.case_page(db.session, flt, [d.id for d in departments], query_page(), now=now,
                         almost_limit=limit)
    officer = db.session.get(User, flt.officer) if flt.officer else None
    unit = db.session.get(AdminUnit, flt.unit) if flt.unit else None
    return render_template("stats/dashboard_cases.html", form=form, page=page, flt=flt,
                           scope_args=_scope_args(_form), officer=officer, unit=unit, now=now,
                           limit=limit, pager_args={**_scope_args(_form), **flt.args()},
                           **_context())
