"""The statistics page's tables, built once for the page and its CSV export, so the two always
say the same thing cell for cell (numbers written the page's way: 1.234 and 97,5 in
Vietnamese, 1,234 and 97.5 in English, which is also how a spreadsheet in that language reads
them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import get_locale, gettext as _

from app.dossiers.forms import RATING_LABELS
from app.stats.figures import Figures, Report
from app.stats.labels import HOW, KIND_NAMES
from app.templating import format_day

TABLES = ("summary", "breakdown", "months", "satisfaction", "kinds")


def _locale() -> str:
    return str(get_locale() or "vi")


def _local_marks(text: str) -> str:
    # Vietnamese writes 1.234,5 where English writes 1,234.5 (what babel's format_decimal
    # gives for "vi"; done by hand, as a page has thousands of cells and babel takes 0.1 ms each).
    return text.translate(_SWAP) if _locale() == "vi" else text


_SWAP = str.maketrans({",": ".", ".": ","})


def number(value: int | None) -> str:
    return "" if value is None else _local_marks(f"{int(value):,}")


def share(value: Decimal | None) -> str:
    """A percentage or average with one decimal; "—" when it is not defined (nothing to
    divide by), never 0."""
    if value is None:
        return "—"
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return _local_marks(f"{rounded:,.1f}")


@dataclass
class Table:
    name: str
    caption: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    links: list[dict | None] = field(default_factory=list)  # per row: the scope args it opens


def _name(item, lang: str) -> str:
    return item.name(lang)


def breakdown_title(breakdown: str | None) -> str:
    return {"commune": _("By commune or ward"), "department": _("By department"),
            "procedure": _("By procedure")}.get(breakdown or "", "")


def summary_table(figures: Figures) -> Table:
    t = Table("summary", _("All figures"), [_("Figure"), _("Value"), _("How it is counted")])
    rows = [
        (_("Dossiers to process"), number(figures.to_process), HOW["to_process"]),
        (_("Carried over"), number(figures.carried_over), HOW["carried_over"]),
        (_("Received"), number(figures.received), HOW["received"]),
        (_("Received online"), number(figures.received_online), HOW["online_share"]),
        (_("Received at the desk"), number(figures.received_offline), HOW["online_share"]),
        (_("Done"), number(figures.done), HOW["done"]),
        (_("Done early"), number(figures.done_early), HOW["done"]),
        (_("Done on the appointment day"), number(figures.done_on_time), HOW["done"]),
        (_("Done late"), number(figures.done_late), HOW["done"]),
        (_("In process"), number(figures.in_process), HOW["in_process"]),
        (_("In process, not yet due"), number(figures.not_yet_due), HOW["in_process"]),
        (_("In process, almost due"),
         "—" if figures.almost_due is None else number(figures.almost_due), HOW["in_process"]),
        (_("In process, overdue"), number(figures.overdue), HOW["in_process"]),
        (_("Withdrawn"), number(figures.withdrawn), HOW["withdrawn"]),
        (_("Refused at intake"), number(figures.refused), HOW["refused"]),
        (_("Stopped"), number(figures.stopped), HOW["stopped"]),
        (_("On-time rate (%)"), share(figures.on_time_rate), HOW["on_time_rate"]),
        (_("Late rate (%)"), share(figures.late_rate), HOW["on_time_rate"]),
        (_("Online share (%)"), share(figures.online_share), HOW["online_share"]),
        (_("Average processing time (working days)"), share(figures.average_days),
         HOW["average_days"]),
        (_("Satisfied (%)"), share(figures.satisfied_share), HOW["satisfaction"]),
    ]
    t.rows = [[label, value, str(how)] for label, value, how in rows]
    t.links = [None] * len(t.rows)
    return t


def breakdown_table(report: Report, lang: str, scope_args) -> Table:
    breakdown = report.scope.breakdown
    first = {"commune": _("Commune or ward"), "department": _("Department"),
             "procedure": _("Procedure")}.get(breakdown or "", "")
    t = Table("breakdown", breakdown_title(breakdown),
              [first, _("To process"), _("Done"), _("Late"), _("In process"),
               _("On-time rate (%)"), _("Online share (%)"), _("Average days")])
    for item, figures in report.groups:
        t.rows.append([_name(item, lang), number(figures.to_process), number(figures.done),
                       number(figures.late), number(figures.in_process),
                       share(figures.on_time_rate), share(figures.online_share),
                       share(figures.average_days)])
        t.links.append(scope_args(item))
    return t


def months_table(report: Report) -> Table:
    t = Table("months", _("Month by month"),
              [_("Month"), _("To process"), _("Received"), _("Done"), _("Late"),
               _("On-time rate (%)")])
    for start, figures in report.months:
        t.rows.append([f"{start:%m/%Y}", number(figures.to_process), number(figures.received),
                       number(figures.done), number(figures.late),
                       share(figures.on_time_rate)])
        t.links.append(None)
    return t


def satisfaction_table(figures: Figures) -> Table:
    t = Table("satisfaction", _("Satisfaction"), [_("Answer"), _("Ratings"), _("Share (%)")])
    total = figures.rated
    for level in (5, 4, 3, 2, 1):
        count = figures.ratings[level - 1]
        t.rows.append([str(RATING_LABELS[level]), number(count),
                       share(Decimal(100) * count / total if total else None)])
        t.links.append(None)
    return t


def kinds_table(report: Report) -> Table:
    # The rate is Decision 766's, as for dossiers: what is still open past its date at the
    # period's end counts against it, not only what was answered late.
    t = Table("kinds", _("Feedback, petitions, questions and field reports answered on time"),
              [_("Kind"), _("Carried over"), _("Received"), _("Answered"),
               _("Answered on time"), _("Still open"), _("Overdue"), _("On time (%)"),
               _("Ratings"), _("Satisfied (%)")])
    for kind, figures in report.kinds:
        t.rows.append([str(KIND_NAMES[kind]), number(figures.carried_over),
                       number(figures.received), number(figures.done),
                       number(figures.answered_on_time), number(figures.in_process),
                       number(figures.overdue), share(figures.on_time_rate),
                       number(figures.rated), share(figures.satisfied_share)])
        t.links.append(None)
    return t


def all_tables(report: Report, lang: str, scope_args) -> dict[str, Table]:
    return {"summary": summary_table(report.total),
            "breakdown": breakdown_table(report, lang, scope_args),
            "months": months_table(report),
            "satisfaction": satisfaction_table(report.total),
            "kinds": kinds_table(report)}


def period_title(report: Report) -> str:
    period = report.period
    if period.kind == "year":
        title = _("Year %(year)d", year=period.year)
    elif period.kind == "quarter":
        title = _("Quarter %(quarter)d/%(year)d", quarter=period.number, year=period.year)
    elif period.kind == "month":
        title = _("Month %(month)02d/%(year)d", month=period.number, year=period.year)
    else:
        title = _("%(start)s to %(end)s", start=format_day(period.start),
                  end=format_day(period.end))
    if report.running:
        title = _("%(period)s, so far (to %(day)s)", period=title, day=format_day(report.until))
    return title


def scope_title(report: Report, lang: str) -> str:
    scope = report.scope
    parts = [(scope.department or scope.commune or scope.province)]
    names = [p.name(lang) for p in parts if p is not None]
    if scope.procedure is not None:
        names.append(scope.procedure.name(lang))
    return " · ".join(names)


__all__ = ["TABLES", "Table", "all_tables", "number", "share", "period_title", "scope_title",
           "breakdown_title"]
