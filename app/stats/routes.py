"""Public statistics (no login): the figures of the province, a commune, a department or a
procedure for a period, as cards, charts and tables, and every table as CSV. Views parse and
render; the counting is app/stats/figures.py."""
from __future__ import annotations

from datetime import date

from flask import Response, current_app, make_response, render_template, request
from flask_babel import gettext as _

from app.csv_export import write_csv
from app.errors import refuse
from app.extensions import db, limiter
from app.locale import current_language
from app.models import AdminUnit, Department, Procedure, utcnow
from app.queue.calendar import local_day
from app.queue.calendar_db import calendar_from_db
from app.security import public
from app.stats import bp, charts, csv_limit, figures as stats
from app.stats.forms import PERIOD_KINDS, PROBLEMS, StatsFilterForm
from app.stats.labels import HOW, KIND_NAMES, PERIOD_NAMES
from app.stats.tables import (TABLES, all_tables, breakdown_title, number, period_title,
                              scope_title, share)
from app.procedures.services import sort_key as vietnamese_sort_key  # remembered per process
from sqlalchemy import select


# A page of figures changes with every case: a browser may keep it briefly, shared caches not
# at all (the page carries the visitor's form token). The CSV carries none of that.
PAGE_CACHE = "private, max-age=120"
CSV_CACHE = "public, max-age=300"


def _problem(code: str) -> str:
    message = str(PROBLEMS[code])
    if code == "too_early":
        return message % {"year": stats.EARLIEST_YEAR}
    if code == "too_long":
        return message % {"days": stats.MAX_CUSTOM_DAYS}
    return message


def _blame(form: StatsFilterForm, field: str, code: str) -> None:
    target = getattr(form, field)
    target.errors = list(target.errors) + [_problem(code)]


def _choices(form: StatsFilterForm, lang: str) -> None:
    session = db.session
    province = session.scalar(select(AdminUnit).where(AdminUnit.level == "province")
                              .order_by(AdminUnit.id).limit(1))
    communes = session.scalars(select(AdminUnit).where(AdminUnit.level == "commune")).all()
    form.unit.choices = [("", province.name(lang) if province else _("The province"))] + sorted(
        ((u.code, u.name(lang)) for u in communes), key=lambda c: vietnamese_sort_key(c[1]))
    unit_code = (form.unit.data or "").strip()
    commune = next((u for u in communes if u.code == unit_code), None)
    if commune is None and form.department.data:
        department = session.scalar(select(Department)
                                    .where(Department.code == form.department.data))
        commune = department.unit if department is not None else None
    departments = session.scalars(select(Department).where(
        Department.unit_id == commune.id)).all() if commune is not None else []
    form.department.choices = [("", _("All departments"))] + sorted(
        ((d.code, d.name(lang)) for d in departments), key=lambda c: vietnamese_sort_key(c[1]))
    procedures = session.scalars(select(Procedure).where(Procedure.active)).all()
    form.procedure.choices = [("", _("All procedures"))] + sorted(
        ((p.code, p.name(lang)) for p in procedures), key=lambda c: vietnamese_sort_key(c[1]))
    form.period.choices = [(k, str(PERIOD_NAMES[k])) for k in PERIOD_KINDS]
    form.quarter.choices = [("", _("This quarter"))] + [(str(q), _("Quarter %(q)d", q=q))
                                                        for q in range(1, 5)]
    form.month.choices = [("", _("This month"))] + [(str(m), f"{m:02d}") for m in range(1, 13)]


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None


def _period(form: StatsFilterForm, today: date) -> stats.Period | None:
    kind = form.period.data or "year"
    if kind not in PERIOD_KINDS:
        _blame(form, "period", "bad_period")
        return None
    try:
        if kind == "custom":
            if form.date_from.data is None or form.date_to.data is None:
                _blame(form, "date_from" if form.date_from.data is None else "date_to",
                       "dates_needed")
                return None
            return stats.custom_period(form.date_from.data, form.date_to.data, today)
        year = today.year if not (form.year.data or "").strip() else _int(form.year.data)
        if year is None:
            _blame(form, "year", "bad_year")
            return None
        if kind == "year":
            return stats.year_period(year, today)
        if kind == "quarter":
            quarter = (today.month - 1) // 3 + 1 if not form.quarter.data else _int(form.quarter.data)
            return stats.quarter_period(year, quarter or 0, today)
        month = today.month if not form.month.data else _int(form.month.data)
        return stats.month_period(year, month or 0, today)
    except stats.PeriodProblem as problem:
        field = {"reversed": "date_to", "too_long": "date_to", "bad_month": "month",
                 "bad_quarter": "quarter"}.get(problem.code)
        if field is None:
            field = "date_from" if kind == "custom" else "year"
        _blame(form, field, problem.code)
        return None


def _request_report():
    """(form, report or None): None when the request asked for something that cannot be
    reported, each problem on its field."""
    lang = current_language()
    now = utcnow()
    today = local_day(now)
    form = StatsFilterForm(formdata=request.args)
    _choices(form, lang)
    if not form.validate():
        return form, None
    try:
        scope = stats.resolve_scope(db.session, unit_code=(form.unit.data or "").strip() or None,
                                    department_code=(form.department.data or "").strip() or None,
                                    procedure_code=(form.procedure.data or "").strip() or None)
    except stats.ScopeProblem as problem:
        _blame(form, problem.field, problem.code)
        return form, None
    period = _period(form, today)
    if period is None:
        return form, None
    if period.year is not None and not form.year.data:
        form.year.data = str(period.year)  # the form shows what the page counts
    report = stats.report(db.session, scope, period, now=now,
                          warning_days=current_app.config["SLA_WARNING_DAYS"],
                          calendar=calendar_from_db(db.session))
    return form, report


def _period_args(form: StatsFilterForm) -> dict[str, str]:
    names = ("period", "year", "quarter", "month")
    args = {n: getattr(form, n).data for n in names if getattr(form, n).data}
    if form.date_from.data and form.date_to.data:
        args.update(date_from=form.date_from.data.isoformat(),
                    date_to=form.date_to.data.isoformat())
    return {k: str(v) for k, v in args.items()}


def _scope_args(report: stats.Report, form: StatsFilterForm):
    """The link of a breakdown row: the same period, one level down."""
    scope = report.scope
    period = _period_args(form)
    procedure = {"procedure": scope.procedure.code} if scope.procedure is not None else {}

    def args(item) -> dict[str, str]:
        if isinstance(item, AdminUnit):
            return {**period, **procedure, "unit": item.code}
        if isinstance(item, Department):
            return {**period, **procedure, "unit": item.unit.code, "department": item.code}
        found = {**period, "procedure": item.code}
        if scope.department is not None:
            found.update(unit=scope.department.unit.code, department=scope.department.code)
        elif scope.commune is not None:
            found["unit"] = scope.commune.code
        return found
    return args


def _charts(report: stats.Report, tables, lang: str) -> dict:
    on_time = charts.bar_chart([
        (item.name(lang), fig.on_time_rate, share(fig.on_time_rate) +
         ("" if fig.on_time_rate is None else " %"))
        for item, fig in report.groups], maximum=100) if report.groups else None
    trend = charts.line_chart([(f"{start:%m}", fig.on_time_rate)
                               for start, fig in report.months]) if report.months else None
    ratings = report.total.ratings
    satisfaction = charts.bar_chart(
        [(row[0], count, row[1]) for row, count in
         zip(tables["satisfaction"].rows, (ratings[4], ratings[3], ratings[2], ratings[1],
                                           ratings[0]))]) if report.total.rated else None
    return {"on_time": on_time, "trend": trend, "satisfaction": satisfaction}


def _crumbs(report: stats.Report, form: StatsFilterForm, lang: str) -> list[tuple[str, dict | None]]:
    """Province › commune › department › procedure, each a link to its own figures for the same
    period (the last one is this page)."""
    scope, period = report.scope, _period_args(form)
    crumbs: list[tuple[str, dict | None]] = [
        (scope.province.name(lang) if scope.province else _("The province"), period)]
    if scope.commune is not None:
        crumbs.append((scope.commune.name(lang), {**period, "unit": scope.commune.code}))
    if scope.department is not None:
        crumbs.append((scope.department.name(lang), {**crumbs[-1][1],
                                                     "department": scope.department.code}))
    if scope.procedure is not None:
        crumbs.append((scope.procedure.name(lang), None))
    else:
        crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


@bp.get("/")
@public
def overview():
    """The figures, as Decision 766/QĐ-TTg counts them, for the scope and period asked for."""
    lang = current_language()
    form, report = _request_report()
    if report is None:
        response = make_response(render_template("stats/overview.html", form=form,
                                                 report=None), 400)
        response.headers["Cache-Control"] = "no-store"
        return response
    args = {k: v for k, v in request.args.items() if k not in ("table", "page")}
    tables = all_tables(report, lang, _scope_args(report, form))
    response = make_response(render_template(
        "stats/overview.html", form=form, report=report, tables=tables,
        charts=_charts(report, tables, lang), HOW=HOW, KIND_NAMES=KIND_NAMES,
        period_title=period_title(report), scope_title=scope_title(report, lang),
        breakdown_title=breakdown_title(report.scope.breakdown), number=number, share=share,
        csv_args=args, TABLES=TABLES, crumbs=_crumbs(report, form, lang)))
    response.headers["Cache-Control"] = PAGE_CACHE
    return response


@bp.get("/export.csv")
@limiter.limit(csv_limit)
@public
def export_csv():
    """One table of the page as a spreadsheet (UTF-8 with a byte-order mark)."""
    table_name = request.args.get("table", "summary")
    if table_name not in TABLES:
        refuse(404, _("There is no such table."))
    form, report = _request_report()
    if report is None:
        errors = [str(e) for f in form for e in f.errors]
        refuse(400, errors[0] if errors else None)
    lang = current_language()
    table = all_tables(report, lang, _scope_args(report, form))[table_name]
    body = write_csv(table.header, table.rows)
    period = report.period
    filename = f"thong-ke-{table_name}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(body.encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": CSV_CACHE})
