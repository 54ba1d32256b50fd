"""The administration area. Views only parse input and render; the rules live in
app/admin/services.py. Every view is for administrators only."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _, ngettext

from app.admin import services
from app.admin.procedure_services import procedure_choices, procedure_codes
from app.admin.forms import (CASE_TYPE_LABELS, DESK_LABELS, KIND_LABELS, LEVEL_LABELS,
                             MODE_LABELS, ROLE_LABELS, STATUS_LABELS, CalendarDayForm,
                             DepartmentForm, NewSeatForm, OfficerForm, RuleFilterForm, RuleForm,
                             SeatForm, UnitForm, UnitNamesForm, message_for)
from app.extensions import db
from app.input_guard import query_id, query_page
from app.links import safe_path
from app.labels import category_choices, category_name
from app.locale import current_language
from app.models import CASE_TYPES, AdminUnit, CalendarDay, Department, OfficerMembership, RoutingRule
from app.security import roles

bp = Blueprint("admin", __name__, url_prefix="/<lang:lang_code>/admin")

# The sections of the area, in the order the index and the sub-navigation show them.
SECTIONS = ("admin.units", "admin.departments", "admin.officers", "admin.rules", "admin.calendar")


@bp.context_processor
def admin_context():
    return {
        "case_type_labels": CASE_TYPE_LABELS, "desk_labels": DESK_LABELS,
        "mode_labels": MODE_LABELS, "kind_labels": KIND_LABELS, "role_labels": ROLE_LABELS,
        "level_labels": LEVEL_LABELS, "category_label": category_name,
        "unit_label": _unit_label, "weekday": lambda value: format_date(value, "EEEE"),
    }


# -- helpers -------------------------------------------------------------------------------

def _page() -> int:
    return query_page()


def _blame(form, error: services.AdminError) -> None:
    """Put the service's message next to the field it names, or at the top of the page."""
    field = getattr(form, error.field or "", None)
    message = message_for(error.code)
    if field is not None:
        field.errors = list(field.errors) + [message]
    else:
        flash(str(message), "error")


def _back(default: str) -> str:
    """Where a small POST button came from (a same-site path), so filters and pages survive."""
    return safe_path(request.form.get("next")) or default


def _unit_label(unit: AdminUnit | None, lang: str) -> str:
    return f"{unit.name(lang)} ({unit.code})" if unit is not None else ""


def _unit_groups(units: list[AdminUnit], lang: str, placeholder: str | None = None) -> dict:
    """Provinces and communes as <optgroup>s, one per province, so a long list stays readable
    and works without JavaScript."""
    groups: dict[str, list[tuple[int, str]]] = {}
    if placeholder is not None:
        groups[""] = [(0, placeholder)]
    for province in (u for u in units if u.level == "province"):
        groups[province.name(lang)] = [(province.id, _unit_label(province, lang))] + [
            (u.id, _unit_label(u, lang)) for u in units if u.parent_id == province.id]
    return groups


def _department_groups(departments: list[Department], lang: str, placeholder: str) -> dict:
    groups: dict[str, list[tuple[int, str]]] = {"": [(0, placeholder)]}
    for d in departments:
        label = f"{d.name(lang)} ({d.code})"
        if not d.active:
            label = _("%(name)s, switched off", name=label)
        groups.setdefault(d.unit.name(lang), []).append((d.id, label))
    return groups


def _category_choices(lang: str) -> list[tuple[str, str]]:
    return category_choices()


# -- index ---------------------------------------------------------------------------------

@bp.get("/")
@roles("admin")
def index():
    return render_template("admin/index.html", overview=services.overview(db.session))


# -- administrative units ------------------------------------------------------------------

@bp.get("/units")
@roles("admin")
def units():
    return render_template("admin/units.html", tree=services.unit_tree(db.session, _page()))


@bp.route("/units/new", methods=["GET", "POST"])
@roles("admin")
def new_unit():
    lang = current_language()
    form = UnitForm()
    form.parent_id.choices = _unit_groups(services.parent_units(db.session), lang, _("Choose…"))
    if request.method == "GET":
        parent_id = query_id("parent")
        parent = db.session.get(AdminUnit, parent_id) if parent_id else None
        if parent is not None and parent.level in ("province", "commune"):
            form.parent_id.data = parent.id
            form.level.data = "commune" if parent.level == "province" else "village"
    if form.validate_on_submit():
        try:
            unit = services.add_unit(db.session, level=form.level.data,
                                     parent_id=form.parent_id.data, code=form.code.data,
                                     name_vi=form.name_vi.data, name_en=form.name_en.data)
        except services.AdminError as error:
            _blame(form, error)
        else:
            flash(_("%(unit)s added.", unit=_unit_label(unit, lang)), "success")
            return redirect(url_for("admin.units", _anchor=f"unit-{unit.id}"))
    return render_template("admin/unit_form.html", form=form, unit=None)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_unit(unit_id: int):
    unit = db.get_or_404(AdminUnit, unit_id)
    form = UnitNamesForm(obj=unit)
    if form.validate_on_submit():
        try:
            services.rename_unit(db.session, unit.id, name_vi=form.name_vi.data,
                                 name_en=form.name_en.data)
        except services.AdminError as error:
            _blame(form, error)
        else:
            flash(_("Names of %(code)s saved.", code=unit.code), "success")
            return redirect(url_for("admin.units", _anchor=f"unit-{unit.id}"))
    return render_template("admin/unit_form.html", form=form, unit=unit)


# -- departments ---------------------------------------------------------------------------

def _department_form(department: Department | None) -> DepartmentForm:
    lang = current_language()
    form = DepartmentForm(obj=department)
    form.unit_id.choices = _unit_groups(services.department_units(db.session), lang, _("Choose…"))
    form.leader_id.choices = [(0, _("No leader yet"))] + [
        (u.id, f"{u.full_name} ({ROLE_LABELS[u.role]}, {u.login_name})")
        for u in services.leader_candidates(db.session)]
    if request.method == "GET":
        if department is not None:
            form.case_types.data = [t for t in department.case_types.split(",") if t]
            form.leader_id.data = department.leader_id or 0
        else:
            form.unit_id.data = query_id("unit") or 0
            form.case_types.data = ["dossier"]
    return form


def _department_data(form: DepartmentForm) -> services.DepartmentData:
    return services.DepartmentData(
        unit_id=form.unit_id.data, code=form.code.data, name_vi=form.name_vi.data,
        name_en=form.name_en.data, case_types=form.case_types.data or [],
        leader_id=form.leader_id.data or None, active=form.active.data)


@bp.get("/departments")
@roles("admin")
def departments():
    lang = current_language()
    unit_id = query_id("unit")
    page = services.departments_page(db.session, unit_id, _page())
    return render_template(
        "admin/departments.html", page=page, unit_id=unit_id,
        units=[(u.id, _unit_label(u, lang)) for u in services.department_units(db.session)],
        members=services.member_counts(db.session, [d.id for d in page.items]))


@bp.route("/departments/new", methods=["GET", "POST"])
@roles("admin")
def new_department():
    form = _department_form(None)
    if form.validate_on_submit():
        try:
            department = services.save_department(db.session, _department_data(form))
        except services.AdminError as error:
            _blame(form, error)
        else:
            flash(_("Department %(code)s created.", code=department.code), "success")
            return redirect(url_for("admin.departments", unit=department.unit_id))
    return render_template("admin/department_form.html", form=form, department=None)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_department(department_id: int):
    department = db.get_or_404(Department, department_id)
    form = _department_form(department)
    if form.validate_on_submit():
        try:
            services.save_department(db.session, _department_data(form), department.id)
        except services.AdminError as error:
            _blame(form, error)
        else:
            flash(_("Department %(code)s saved.", code=form.code.data.strip()), "success")
            return redirect(url_for("admin.departments", unit=form.unit_id.data))
    return render_template("admin/department_form.html", form=form, department=department)


# -- officers and their seats --------------------------------------------------------------

@bp.get("/officers")
@roles("admin")
def officers():
    query = (request.args.get("q") or "").strip()
    page = services.officers_page(db.session, query, _page())
    return render_template("admin/officers.html", page=page, query=query,
                           seats=services.memberships_of(db.session, [u.id for u in page.items]))


@bp.route("/officers/new", methods=["GET", "POST"])
@roles("admin")
def new_officer():
    lang = current_language()
    form = OfficerForm()
    form.unit_id.choices = _unit_groups(services.department_units(db.session), lang, _("Choose…"))
    if form.validate_on_submit():
        try:
            user = services.create_officer(db.session, services.OfficerData(
                full_name=form.full_name.data, email=form.email.data, phone=form.phone.data,
                role=form.role.data, password=form.password.data, unit_id=form.unit_id.data))
        except services.AdminError as error:
            _blame(form, error)
        else:
            flash(_("Account for %(name)s created. Give them their initial password in person "
                    "and ask them to change it.", name=user.full_name), "success")
            return redirect(url_for("admin.officer", user_id=user.id))
    return render_template("admin/officer_form.html", form=form)


@bp.get("/officers/<int:user_id>")
@roles("admin")
def officer(user_id: int):
    user = services.get_officer(db.session, user_id) or abort(404)
    return render_template("admin/officer.html", officer=user,
                           seats=services.memberships_of(db.session, [user.id])[user.id],
                           today=services.local_today())


def _seat_data(form: SeatForm, department_id: int | None = None) -> services.MembershipData:
    return services.MembershipData(
        desk=form.desk.data, skills=form.skills.data or [], on_duty=form.on_duty.data,
        leave_from=form.leave_from.data, leave_until=form.leave_until.data,
        department_id=department_id)


@bp.route("/officers/<int:user_id>/seats/new", methods=["GET", "POST"])
@roles("admin")
def new_membership(user_id: int):
    lang = current_language()
    user = services.get_officer(db.session, user_id) or abort(404)
    form = NewSeatForm()
    form.skills.choices = _category_choices(lang)
    form.department_id.choices = _department_groups(
        [d for d in services.all_departments(db.session) if d.active], lang, _("Choose…"))
    if request.method == "GET" and user.role == "leader":
        form.desk.data = "leader"
    if form.validate_on_submit():
        try:
            seat = services.add_membership(db.session, user.id,
                                           _seat_data(form, form.department_id.data))
        except services.AdminError as error:
            _blame(form, error)
        else:
            flash(_("%(name)s now works in %(department)s.", name=user.full_name,
                    department=seat.department.name(lang)), "success")
            return redirect(url_for("admin.officer", user_id=user.id))
    return render_template("admin/membership_form.html", form=form, officer=user, seat=None)


@bp.route("/seats/<int:membership_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_membership(membership_id: int):
    lang = current_language()
    seat = db.get_or_404(OfficerMembership, membership_id)
    user, department = seat.user, seat.department
    form = SeatForm(obj=seat)
    form.skills.choices = _category_choices(lang)
    if request.method == "GET":
        form.skills.data = sorted(seat.skill_set)
    if form.validate_on_submit():
        try:
            outcome = services.update_membership(db.session, seat.id, _seat_data(form))
        except services.AdminError as error:
            _blame(form, error)
        else:
            if outcome.on_leave_now:
                flash(ngettext("Saved. %(name)s is on leave now: %(num)d open case went back "
                               "to the queue.",
                               "Saved. %(name)s is on leave now: %(num)d open cases went back "
                               "to the queue.",
                               outcome.handed_back, name=user.full_name), "success")
            else:
                flash(_("Seat of %(name)s in %(department)s saved.", name=user.full_name,
                        department=department.name(lang)), "success")
            return redirect(url_for("admin.officer", user_id=user.id))
    return render_template("admin/membership_form.html", form=form, officer=user, seat=seat)


@bp.post("/seats/<int:membership_id>/duty")
@roles("admin")
def toggle_duty(membership_id: int):
    seat = db.get_or_404(OfficerMembership, membership_id)
    user_id = seat.user_id
    try:
        seat = services.toggle_duty(db.session, seat.id)
    except services.AdminError as error:
        flash(str(message_for(error.code)), "error")
    else:
        flash(_("%(name)s is on duty.", name=seat.user.full_name) if seat.on_duty
              else _("%(name)s is off duty: no new cases go to them.", name=seat.user.full_name),
              "success")
    return redirect(_back(url_for("admin.officer", user_id=user_id)))


@bp.post("/seats/<int:membership_id>/delete")
@roles("admin")
def remove_membership(membership_id: int):
    seat = db.get_or_404(OfficerMembership, membership_id)
    user_id, name = seat.user_id, seat.user.full_name
    department = seat.department.name(current_language())
    try:
        services.remove_membership(db.session, seat.id)
    except services.AdminError as error:
        flash(str(message_for(error.code)), "error")
    else:
        flash(_("%(name)s no longer works in %(department)s.", name=name, department=department),
              "success")
    return redirect(url_for("admin.officer", user_id=user_id))


# -- routing rules -------------------------------------------------------------------------

def _rule_filters(lang: str) -> tuple[RuleFilterForm, services.RuleFilters]:
    form = RuleFilterForm(request.args)
    form.case_type.choices = [("", _("All"))] + [(t, CASE_TYPE_LABELS[t]) for t in CASE_TYPES]
    form.unit.choices = _unit_groups(services.parent_units(db.session), lang, _("All"))
    form.department.choices = _department_groups(services.all_departments(db.session), lang,
                                                 _("All"))
    form.status.choices = [("", _("All"))] + list(STATUS_LABELS.items())
    filters = services.RuleFilters(
        case_type=form.case_type.data if form.case_type.data in CASE_TYPES else None,
        unit_id=form.unit.data or None, department_id=form.department.data or None,
        status=form.status.data if form.status.data in STATUS_LABELS else None)
    return form, filters


@bp.get("/routing-rules")
@roles("admin")
def rules():
    lang = current_language()
    form, filters = _rule_filters(lang)
    page = services.rules_page(db.session, filters, _page())
    return render_template("admin/rules.html", form=form, filters=filters, page=page,
                           procedure_codes=procedure_codes(
                               db.session, [r.procedure_id for r in page.items]))


def _rule_form(rule: RoutingRule | None) -> RuleForm:
    lang = current_language()
    form = RuleForm(obj=rule)
    form.category.choices = [("", _("Any category"))] + _category_choices(lang)
    form.unit_id.choices = _unit_groups(services.parent_units(db.session), lang, _("Any unit"))
    form.department_id.choices = _department_groups(services.all_departments(db.session), lang,
                                                    _("Choose…"))
    form.procedure_id.choices = [(0, _("Any procedure"))] + procedure_choices(db.session, lang)
    if request.method == "GET" and rule is not None:
        form.procedure_id.data = rule.procedure_id or 0
        form.unit_id.data = rule.unit_id or 0
        form.category.data = rule.category or ""
    return form


def _rule_data(form: RuleForm) -> services.RuleData:
    return services.RuleData(
        case_type=form.case_type.data, department_id=form.department_id.data or None,
        procedure_id=form.procedure_id.data or None, category=form.category.data or None,
        unit_id=form.unit_id.data or None, mode=form.mode.data, active=form.active.data)


@bp.route("/routing-rules/new", methods=["GET", "POST"])
@roles("admin")
def new_rule():
    form = _rule_form(None)
    if form.validate_on_submit():
        try:
            services.save_rule(db.session, _rule_data(form))
        except services.AdminError as error:
            _blame(form, error)
        else:
            flash(_("Routing rule created."), "success")
            return redirect(url_for("admin.rules"))
    return render_template("admin/rule_form.html", form=form, rule=None)


@bp.route("/routing-rules/<int:rule_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_rule(rule_id: int):
    rule = db.get_or_404(RoutingRule, rule_id)
    form = _rule_form(rule)
    if form.validate_on_submit():
        try:
            services.save_rule(db.session, _rule_data(form), rule.id)
        except services.AdminError as error:
            _blame(form, error)
        else:
            flash(_("Routing rule saved."), "success")
            return redirect(url_for("admin.rules"))
    return render_template("admin/rule_form.html", form=form, rule=rule)


@bp.post("/routing-rules/<int:rule_id>/active")
@roles("admin")
def toggle_rule(rule_id: int):
    rule = db.get_or_404(RoutingRule, rule_id)
    try:
        rule = services.set_rule_active(db.session, rule.id, not rule.active)
    except services.AdminError as error:
        flash(str(message_for(error.code)), "error")
    else:
        flash(_("Routing rule switched on.") if rule.active else _("Routing rule switched off."),
              "success")
    return redirect(_back(url_for("admin.rules")))


# -- calendar ------------------------------------------------------------------------------

@bp.route("/calendar", methods=["GET", "POST"])
@roles("admin")
def calendar():
    lang = current_language()
    today = services.local_today()
    form = CalendarDayForm()
    if form.validate_on_submit():
        try:
            entry = services.add_calendar_day(db.session, day=form.day.data, kind=form.kind.data,
                                              name_vi=form.name_vi.data, name_en=form.name_en.data)
        except services.AdminError as error:
            _blame(form, error)
        else:
            flash(_("%(day)s added to the calendar.", day=_day(entry.day)), "success")
            return redirect(url_for("admin.calendar"))
    return render_template(
        "admin/calendar.html", form=form, today=today,
        lists=services.calendar_lists(db.session, today, _page()),
        public=services.known_public_holidays((today.year, today.year + 1), lang))


@bp.post("/calendar/<int:day_id>/delete")
@roles("admin")
def delete_calendar_day(day_id: int):
    entry = db.get_or_404(CalendarDay, day_id)
    day = entry.day
    try:
        services.delete_calendar_day(db.session, entry.id)
    except services.AdminError as error:
        flash(str(message_for(error.code)), "error")
    else:
        flash(_("%(day)s removed from the calendar.", day=_day(day)), "success")
    return redirect(_back(url_for("admin.calendar")))


def _day(value: date) -> str:
    from app.templating import format_day

    return format_day(value)


# -- notification outbox -------------------------------------------------------------------

# Imported here rather than at the top so this section stays one block (E402 accepted).
from flask import current_app  # noqa: E402

from app.admin import outbox_services  # noqa: E402
from app.models import OutboxMessage  # noqa: E402
from app.notifications.channels import NO_MAIL_SERVER, NO_SMS_GATEWAY, can_deliver  # noqa: E402
from app.notifications.outbox import SECRET_EXPIRED, masked_recipient  # noqa: E402


def _outbox_reason(message) -> str:
    """Why a message is where it is, in the reader's language when we know the reason."""
    known = {
        NO_SMS_GATEWAY: _("No SMS gateway is set up, so no text message can be sent. The "
                          "resident must use the commune's one-stop desk or add an e-mail "
                          "address."),
        NO_MAIL_SERVER: _("No mail server is set up, so no e-mail can be sent."),
        SECRET_EXPIRED: _("The link in it expired before it could be sent; the resident must "
                          "ask for a new one."),
    }
    return known.get(message.last_error or "", message.last_error or "")


@bp.get("/outbox")
@roles("admin")
def outbox():
    status = request.args.get("status", "attention")
    if status not in outbox_services.OUTBOX_FILTERS:
        status = "attention"
    config = current_app.config
    return render_template(
        "admin/outbox.html", status=status,
        page=outbox_services.outbox_page(db.session, status, _page()),
        attention=outbox_services.attention_count(db.session),
        masked=masked_recipient, reason=_outbox_reason,
        can_retry=lambda m: outbox_services.can_retry(m, can_deliver(config, m.channel)))


@bp.post("/outbox/<int:message_id>/retry")
@roles("admin")
def retry_outbox_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    try:
        outbox_services.retry_message(db.session, message.id,
                                      deliverable=can_deliver(current_app.config, message.channel))
    except services.AdminError:
        flash(_("This message cannot be sent again."), "error")
    else:
        flash(_("Message %(number)s will be sent again by the worker.", number=message_id),
              "success")
    return redirect(_back(url_for("admin.outbox")))


# -- procedure catalogue -------------------------------------------------------------------

# Its views live in their own module on this blueprint; importing it registers them.
from app.admin import procedures as _procedures  # noqa: E402,F401
