"""The smart-commune scorecard: every commune side by side on the six ICF criteria (a chart
and a table), one commune's card with its history (also as CSV), and the form staff enter
figures with (source and date required). Reading is public; entering is for staff of the
commune."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import (Response, current_app, flash, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.csv_export import write_csv
from app.errors import refuse
from app.extensions import db, limiter
from app.locale import current_language
from app.models import AdminUnit, utcnow
from app.models.users import STAFF_ROLES
from app.queue.calendar import local_day
from app.security import public, roles
from app.stats import bp, charts, csv_limit, scorecard as cards
from app.stats.forms import ScorecardEntryForm, ScorecardViewForm
from app.stats.labels import (CRITERION_HOW, CRITERION_NAMES, INDICATOR_HOW, INDICATOR_NAMES,
                              SCORECARD_ERRORS)
from app.stats.tables import number, share
from app.templating import format_day

PAGE_CACHE = "private, max-age=120"


def _value_text(indicator: cards.Indicator, value: Decimal | None) -> str:
    if value is None:
        return "—"
    return share(value) if indicator.unit == cards.PERCENT else number(int(value))


def _amount(value: Decimal) -> str:
    return number(int(value)) if value == value.to_integral_value() else share(value)


def _year(form: ScorecardViewForm, today) -> int | None:
    raw = (form.year.data or "").strip()
    if not raw:
        return today.year
    year = int(raw) if raw.isascii() and raw.isdigit() else None
    if year is None or not cards.stats.EARLIEST_YEAR <= year <= today.year:
        form.year.errors = list(form.year.errors) + [
            _("Choose a year between %(first)d and %(last)d.",
              first=cards.stats.EARLIEST_YEAR, last=today.year)]
        return None
    return year


def _context():
    return {"CRITERIA": cards.CRITERIA, "INDICATORS": cards.INDICATORS,
            "CRITERION_NAMES": CRITERION_NAMES, "CRITERION_HOW": CRITERION_HOW,
            "INDICATOR_NAMES": INDICATOR_NAMES, "INDICATOR_HOW": INDICATOR_HOW,
            "value_text": _value_text}


@bp.get("/scorecard")
@public
def scorecard():
    """Every commune side by side for a year: a chart of one indicator and the full table."""
    lang = current_language()
    now = utcnow()
    form = ScorecardViewForm(formdata=request.args)
    form.indicator.choices = [(i.code, str(INDICATOR_NAMES[i.code])) for i in cards.INDICATORS
                              if i.criterion is not None]
    form.validate()
    year = _year(form, local_day(now))
    chosen = form.indicator.data or "on_time_rate"
    if chosen not in cards.BY_CODE or cards.BY_CODE[chosen].criterion is None:
        form.indicator.errors = list(form.indicator.errors) + [
            _("Choose an indicator from the list.")]
    if year is None or form.indicator.errors:
        return render_template("stats/scorecard.html", form=form, year=None, rows=[],
                               chart=None, **_context()), 400
    communes = cards.communes(db.session)
    found = cards.cards(db.session, communes, [year], now=now,
                        warning_days=current_app.config["SLA_WARNING_DAYS"])
    rows = [found[(c.id, year)] for c in communes]
    form.year.data, form.indicator.data = str(year), chosen  # what the page shows
    indicator = cards.BY_CODE[chosen]
    maximum = 100 if indicator.unit == cards.PERCENT else None
    chart = charts.bar_chart([(card.commune.name(lang), card.values.get(chosen),
                               _value_text(indicator, card.values.get(chosen)))
                              for card in rows], maximum=maximum) if rows else None
    response = make_response(render_template(
        "stats/scorecard.html", form=form, year=year, rows=rows, chart=chart,
        chosen=indicator, **_context()))
    response.headers["Cache-Control"] = PAGE_CACHE
    return response


@dataclass
class _CommuneRequest:
    """What a commune's card was asked for: the commune (None: no such code), the year (None:
    refused, the reason is on the form) and, when both are good, the card and its history."""

    form: ScorecardViewForm
    commune: AdminUnit | None
    card: cards.Card | None = None
    history: list[cards.Card] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    def refusal(self) -> tuple[int, str | None]:
        if self.commune is None:
            return 404, _("No commune or ward has this code. Choose one from the scorecard.")
        errors = [str(e) for f in self.form for e in f.errors]
        return 400, errors[0] if errors else None


def _commune_request() -> _CommuneRequest:
    now = utcnow()
    form = ScorecardViewForm(formdata=request.args)
    form.indicator.choices = []
    form.validate()
    year = _year(form, local_day(now))
    code = (request.args.get("commune") or "").strip()
    commune = db.session.scalar(select(AdminUnit).where(AdminUnit.code == code,
                                                        AdminUnit.level == "commune")) \
        if code and len(code) <= 20 else None
    if commune is None or year is None:
        return _CommuneRequest(form, commune)
    years = cards.years_back(year)
    found = cards.cards(db.session, [commune], years, now=now,
                        warning_days=current_app.config["SLA_WARNING_DAYS"])
    return _CommuneRequest(form, commune, found[(commune.id, year)],
                           [found[(commune.id, y)] for y in years], years)


@bp.get("/scorecard/commune")
@public
def scorecard_commune():
    """One commune's card for a year, with the years before it and where each figure is from."""
    asked = _commune_request()
    if asked.card is None:
        status, reason = asked.refusal()
        message = reason if asked.commune is None else None
        return render_template("stats/scorecard_commune.html", form=asked.form, card=None,
                               history=[], years=[], message=message, commune=None,
                               **_context()), status
    response = make_response(render_template(
        "stats/scorecard_commune.html", form=asked.form, commune=asked.commune, card=asked.card,
        history=asked.history, years=asked.years, message=None, **_context()))
    response.headers["Cache-Control"] = PAGE_CACHE
    return response


@bp.get("/scorecard/commune.csv")
@limiter.limit(csv_limit)
@public
def scorecard_commune_csv():
    """The commune's card and its history as a spreadsheet: a row per indicator, a column per
    year, and where each entered figure is from, as the page shows them."""
    asked = _commune_request()
    if asked.card is None:
        refuse(*asked.refusal())
    card = asked.card
    rows = []
    for indicator in cards.INDICATORS:
        entry = card.entries.get(indicator.code)
        source = entry.source if entry else (
            _("Not entered yet") if indicator.entered else _("Counted by the portal"))
        rows.append([str(CRITERION_NAMES[indicator.criterion]) if indicator.criterion else "",
                     str(INDICATOR_NAMES[indicator.code])]
                    + [_value_text(indicator, past.values.get(indicator.code))
                       for past in asked.history]
                    + [source, format_day(entry.as_of) if entry else ""])
    header = ([_("Criterion"), _("Indicator")] + [str(y) for y in asked.years]
              + [_("Source"), _("As of")])
    filename = f"bang-diem-{asked.commune.code}-{card.year}.csv"
    return Response(write_csv(header, rows).encode("utf-8"),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": PAGE_CACHE})


def _entry_form(communes) -> ScorecardEntryForm:
    today = local_day(utcnow())
    form = ScorecardEntryForm()
    form.commune.choices = [(0, _("Choose…"))] + [(c.id, c.name(current_language()))
                                                  for c in communes]
    form.indicator.choices = [("", _("Choose…"))] + [(i.code, str(INDICATOR_NAMES[i.code]))
                                                     for i in cards.ENTERED]
    form.year.choices = [(y, str(y)) for y in range(today.year, today.year - 6, -1)]
    if request.method == "GET":
        form.year.data = today.year
        code = (request.args.get("commune") or "").strip()
        chosen = next((c for c in communes if c.code == code), None)
        if chosen is not None:
            form.commune.data = chosen.id
        if request.args.get("indicator") in cards.BY_CODE:
            form.indicator.data = request.args.get("indicator")
    return form


@bp.route("/scorecard/values/new", methods=["GET", "POST"])
@roles(*sorted(STAFF_ROLES))
def scorecard_entry():
    """Staff of a commune enter a figure of its scorecard: the value, its source and the date
    it describes. A bad value is refused with its reason and nothing is saved."""
    me = current_user._get_current_object()
    communes = cards.entry_communes(db.session, me)
    form = _entry_form(communes)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                row = cards.record_value(
                    db.session, me, commune_id=form.commune.data, indicator=form.indicator.data,
                    year=form.year.data, value=form.value.data, source=form.source.data,
                    as_of=form.as_of.data, lang=current_language())
            except cards.ScorecardError as error:
                db.session.rollback()
                message = str(SCORECARD_ERRORS[error.code])
                if error.details:
                    message = message % {k: _amount(v) for k, v in error.details.items()}
                target = getattr(form, error.field or "value")
                target.errors = list(target.errors) + [message]
            else:
                flash(_("Saved: %(indicator)s for %(year)d.",
                        indicator=INDICATOR_NAMES[row.indicator], year=row.year), "success")
                commune = db.session.get(AdminUnit, row.unit_id)
                return redirect(url_for("stats.scorecard_commune", commune=commune.code,
                                        year=row.year))
        status = 400
    return render_template("stats/scorecard_entry.html", form=form, communes=communes,
                           **_context()), status
