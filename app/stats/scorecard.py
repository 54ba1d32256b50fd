"""The smart-commune scorecard on the Intelligent Community Forum's six criteria (broadband,
knowledge workforce, innovation, digital equality, sustainability, advocacy): per commune and
year, the indicators the portal can count itself and those staff enter with a source and the
date they describe. No Flask here.

Computed indicators read the running tallies (online share, on-time rate, field reports: the
same figures as the public statistics) and the participation tables (initiatives, supports,
pledges, accounts), each with one grouped query for every commune at once. Entered figures
are append-only (`scorecard_values`): the latest entry for a commune, indicator and year is
the one shown, and earlier ones stay as the history of corrections.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import write_transaction
from app.models import (AdminUnit, Initiative, InitiativeSupport, NeedSupport, Pledge,
                        ScorecardValue, User, VillageNeed, utcnow)
from app.models.stats import BY_DEPARTMENT, MONTH, CaseTally
from app.queue.calendar import LOCAL_TZ, local_day
from app.queue.calendar_db import calendar_from_db
from app.refusals import Refusal
from app.stats import figures as stats
from app.text import vietnamese_sort_key
from app.units.staff import communes_staffed, is_commune_staff

CRITERIA = ("broadband", "knowledge_workforce", "innovation", "digital_equality",
            "sustainability", "advocacy")
PERCENT, COUNT = "percent", "count"


@dataclass(frozen=True)
class Indicator:
    code: str
    criterion: str | None   # None: context only (the population the shares divide by)
    entered: bool           # staff enter it (with a source); otherwise the portal counts it
    unit: str               # percent | count
    minimum: Decimal = Decimal(0)
    maximum: Decimal = Decimal(100)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("broadband_households", "broadband", True, PERCENT),
    Indicator("mobile_coverage", "broadband", True, PERCENT),
    Indicator("digital_trainings", "knowledge_workforce", True, COUNT, maximum=Decimal(10_000)),
    Indicator("people_trained", "knowledge_workforce", True, COUNT, maximum=Decimal(1_000_000)),
    Indicator("accounts_share", "knowledge_workforce", False, PERCENT),
    Indicator("initiatives_proposed", "innovation", False, COUNT),
    Indicator("initiatives_accepted", "innovation", False, COUNT),
    Indicator("initiatives_done", "innovation", False, COUNT),
    Indicator("online_share", "digital_equality", False, PERCENT),
    Indicator("digital_team_members", "digital_equality", True, COUNT, maximum=Decimal(10_000)),
    Indicator("pledges_delivered", "sustainability", False, COUNT),
    Indicator("waste_collection", "sustainability", True, PERCENT),
    Indicator("participation", "advocacy", False, COUNT),
    Indicator("on_time_rate", "advocacy", False, PERCENT),
    Indicator("public_dialogues", "advocacy", True, COUNT, maximum=Decimal(1_000)),
    Indicator("population", None, True, COUNT, minimum=Decimal(1), maximum=Decimal(10_000_000)),
)
BY_CODE = {i.code: i for i in INDICATORS}
ENTERED = tuple(i for i in INDICATORS if i.entered)
HISTORY_YEARS = 4


class ScorecardError(Refusal, ValueError):
    """not_staff, unknown_commune, unknown_indicator, bad_year, future_year, bad_value,
    too_low, too_high, too_precise, not_whole, source_required, source_too_long, no_date,
    date_outside_year, date_in_future"""


@dataclass(frozen=True)
class Entry:
    value: Decimal
    source: str
    as_of: date
    entered_by: str | None
    entered_at: datetime


@dataclass
class Card:
    """One commune's scorecard for one year: every indicator's value (None: not known)."""

    commune: AdminUnit
    year: int
    values: dict[str, Decimal | None]
    entries: dict[str, Entry]          # where each entered value comes from

    def criterion(self, name: str) -> list[Indicator]:
        return [i for i in INDICATORS if i.criterion == name]


def _bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime(year, 1, 1, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
    return start, end


def communes(session: Session) -> list[AdminUnit]:
    units = session.scalars(select(AdminUnit).where(AdminUnit.level == "commune")).all()
    return sorted(units, key=lambda u: vietnamese_sort_key(u.name_vi))


def _latest_entries(session: Session, commune_ids: list[int], years: list[int]
                    ) -> dict[tuple[int, str, int], Entry]:
    rows = session.execute(
        select(ScorecardValue, User.full_name)
        .outerjoin(User, User.id == ScorecardValue.entered_by_id)
        .where(ScorecardValue.unit_id.in_(commune_ids or [-1]),
               ScorecardValue.year.in_(years or [-1]))
        .order_by(ScorecardValue.id)).all()
    latest: dict[tuple[int, str, int], Entry] = {}
    for value, name in rows:  # in id order: the last one wins
        latest[(value.unit_id, value.indicator, value.year)] = Entry(
            value.value, value.source, value.as_of, name, value.entered_at)
    return latest


def _count_by_commune(session: Session, stmt) -> dict[int, int]:
    return {unit_id: int(n or 0) for unit_id, n in session.execute(stmt)}


def _computed(session: Session, commune_ids: list[int], year: int, *, now: datetime,
              warning_days: int) -> dict[int, dict[str, Decimal | None]]:
    """Every computed indicator of these communes for the year, one grouped query each."""
    start, end = _bounds(year)
    ids = commune_ids or [-1]
    values: dict[int, dict[str, Decimal | None]] = {c: {} for c in commune_ids}

    proposed = _count_by_commune(session, select(Initiative.unit_id, func.count(Initiative.id))
                                 .where(Initiative.unit_id.in_(ids),
                                        Initiative.published_at >= start,
                                        Initiative.published_at < end)
                                 .group_by(Initiative.unit_id))
    accepted = _count_by_commune(session, select(Initiative.unit_id, func.count(Initiative.id))
                                 .where(Initiative.unit_id.in_(ids),
                                        Initiative.status.in_(("accepted", "in_progress",
                                                               "done")),
                                        Initiative.answered_at >= start,
                                        Initiative.answered_at < end)
                                 .group_by(Initiative.unit_id))
    done = _count_by_commune(session, select(Initiative.unit_id, func.count(Initiative.id))
                             .where(Initiative.unit_id.in_(ids), Initiative.status == "done",
                                    Initiative.updated_at >= start, Initiative.updated_at < end)
                             .group_by(Initiative.unit_id))
    pledges = _count_by_commune(session, select(Initiative.unit_id, func.count(Pledge.id))
                                .join(Initiative, Initiative.id == Pledge.initiative_id)
                                .where(Initiative.unit_id.in_(ids), Pledge.status == "delivered",
                                       Pledge.delivered_at >= start, Pledge.delivered_at < end)
                                .group_by(Initiative.unit_id))
    supports = _count_by_commune(session, select(Initiative.unit_id,
                                                 func.count(InitiativeSupport.user_id))
                                 .join(Initiative, Initiative.id == InitiativeSupport.initiative_id)
                                 .where(Initiative.unit_id.in_(ids),
                                        InitiativeSupport.created_at >= start,
                                        InitiativeSupport.created_at < end)
                                 .group_by(Initiative.unit_id))
    need_supports = _count_by_commune(session, select(VillageNeed.unit_id,
                                                      func.count(NeedSupport.user_id))
                                      .join(VillageNeed, VillageNeed.id == NeedSupport.need_id)
                                      .where(VillageNeed.unit_id.in_(ids),
                                             NeedSupport.created_at >= start,
                                             NeedSupport.created_at < end)
                                      .group_by(VillageNeed.unit_id))
    accounts = _count_by_commune(session, select(User.commune_id, func.count(User.id))
                                 .where(User.commune_id.in_(ids), User.role == "resident",
                                        User.active.is_(True), User.created_at < end)
                                 .group_by(User.commune_id))

    # The public statistics' own figures (dossiers), and field reports received, per commune.
    today = local_day(now)
    scope = stats.resolve_scope(session)
    period = stats.Period("year", date(year, 1, 1), date(year, 12, 31), year)
    report = stats.report(session, scope, period, now=now, warning_days=warning_days,
                          calendar=calendar_from_db(session)) if year <= today.year else None
    by_commune = {getattr(item, "id", None): fig for item, fig in (report.groups if report else [])}
    department_unit = {d.id: d.unit_id for d in scope.departments.values()}
    reports = {c: 0 for c in commune_ids}
    for department_id, received in session.execute(
            select(CaseTally.department_id, func.sum(CaseTally.received))
            .where(CaseTally.level == BY_DEPARTMENT, CaseTally.grain == MONTH,
                   CaseTally.case_type == "field_report",
                   CaseTally.day.between(date(year, 1, 1), date(year, 12, 1)))
            .group_by(CaseTally.department_id)):
        unit = department_unit.get(department_id)
        if unit in reports:
            reports[unit] += int(received or 0)

    for c in commune_ids:
        figures = by_commune.get(c)
        values[c].update(
            initiatives_proposed=Decimal(proposed.get(c, 0)),
            initiatives_accepted=Decimal(accepted.get(c, 0)),
            initiatives_done=Decimal(done.get(c, 0)),
            pledges_delivered=Decimal(pledges.get(c, 0)),
            participation=Decimal(supports.get(c, 0) + need_supports.get(c, 0) + reports[c]),
            online_share=figures.online_share if figures else None,
            on_time_rate=figures.on_time_rate if figures else None,
            accounts=Decimal(accounts.get(c, 0)))
    return values


def cards(session: Session, commune_list: list[AdminUnit], years: list[int], *,
          now: datetime, warning_days: int) -> dict[tuple[int, int], Card]:
    """The cards of these communes for these years, keyed (commune id, year)."""
    ids = [c.id for c in commune_list]
    entries = _latest_entries(session, ids, years)
    result: dict[tuple[int, int], Card] = {}
    for year in years:
        computed = _computed(session, ids, year, now=now, warning_days=warning_days)
        for commune in commune_list:
            values: dict[str, Decimal | None] = {}
            found: dict[str, Entry] = {}
            for indicator in ENTERED:
                entry = entries.get((commune.id, indicator.code, year))
                values[indicator.code] = entry.value if entry else None
                if entry:
                    found[indicator.code] = entry
            mine = computed[commune.id]
            accounts = mine.pop("accounts")
            population = values.get("population")
            values["accounts_share"] = (
                (Decimal(100) * accounts / population).quantize(Decimal("0.1"), ROUND_HALF_UP)
                if population else None)
            values.update(mine)
            result[(commune.id, year)] = Card(commune, year, values, found)
    return result


# -- entering a figure ----------------------------------------------------------------------

def parse_value(indicator: Indicator, raw: str | Decimal | None, lang: str = "vi") -> Decimal:
    """The value as typed, checked against the indicator's range; ScorecardError naming what is
    wrong. A percentage takes either decimal mark ("97,5", "97.5"); a count is whole, written
    with the page language's thousands separator ("1.500" in Vietnamese, "1,500" in English),
    so its decimal mark ("2,5" in Vietnamese) is refused rather than misread."""
    if raw is None or str(raw).strip() == "":
        raise ScorecardError("bad_value", "value")
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if indicator.unit == COUNT:
        grouping, mark = (",", ".") if lang == "en" else (".", ",")
        text = text.replace(grouping, "").replace(mark, ".")
    else:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ScorecardError("bad_value", "value") from None
    if not value.is_finite():
        raise ScorecardError("bad_value", "value")
    if indicator.unit == COUNT and value != value.to_integral_value():
        raise ScorecardError("not_whole", "value")
    if value.as_tuple().exponent < -2:
        raise ScorecardError("too_precise", "value")
    if value < indicator.minimum:
        raise ScorecardError("too_low", "value", minimum=indicator.minimum)
    if value > indicator.maximum:
        raise ScorecardError("too_high", "value", maximum=indicator.maximum)
    return value


def record_value(session: Session, user: User, *, commune_id: int, indicator: str, year: int,
                 value: str | Decimal | None, source: str | None, as_of: date | None,
                 lang: str = "vi", now: datetime | None = None) -> ScorecardValue:
    """A staff member of the commune enters one figure, with where it comes from and the date
    it describes. Raises ScorecardError and writes nothing when anything is wrong."""
    now = now or utcnow()
    today = local_day(now)
    spec = BY_CODE.get(indicator)
    if spec is None or not spec.entered:
        raise ScorecardError("unknown_indicator", "indicator")
    commune = session.get(AdminUnit, commune_id) if commune_id else None
    if commune is None or commune.level != "commune":
        raise ScorecardError("unknown_commune", "commune")
    if not is_commune_staff(session, user, commune.id):
        raise ScorecardError("not_staff", "commune")
    if not stats.EARLIEST_YEAR <= year <= 2100:
        raise ScorecardError("bad_year", "year")
    if year > today.year:
        raise ScorecardError("future_year", "year")
    amount = parse_value(spec, value, lang)
    source = " ".join((source or "").split())
    if len(source) < 3:
        raise ScorecardError("source_required", "source")
    if len(source) > 300:
        raise ScorecardError("source_too_long", "source")
    if as_of is None:
        raise ScorecardError("no_date", "as_of")
    if as_of.year != year:
        raise ScorecardError("date_outside_year", "as_of")
    if as_of > today:
        raise ScorecardError("date_in_future", "as_of")
    with write_transaction(session):
        row = ScorecardValue(unit_id=commune.id, indicator=spec.code, year=year,
                             hundredths=int(amount * 100), source=source, as_of=as_of,
                             entered_by_id=user.id, entered_at=now)
        session.add(row)
    return row


def entry_communes(session: Session, user: User) -> list[AdminUnit]:
    """The communes this account may enter figures for (app/units/staff.py's rule)."""
    staffed = communes_staffed(session, user)
    every = communes(session)
    return every if staffed is None else [c for c in every if c.id in staffed]


def history(session: Session, commune_id: int, indicator: str) -> list[ScorecardValue]:
    """Every entry ever made for one commune and indicator, newest first (corrections too)."""
    return list(session.scalars(select(ScorecardValue)
                                .where(ScorecardValue.unit_id == commune_id,
                                       ScorecardValue.indicator == indicator)
                                .order_by(ScorecardValue.id.desc())))


def years_back(year: int, count: int = HISTORY_YEARS) -> list[int]:
    return [y for y in range(year - count + 1, year + 1) if y >= stats.EARLIEST_YEAR]


__all__ = ["CRITERIA", "INDICATORS", "BY_CODE", "ENTERED", "Indicator", "Card", "Entry",
           "ScorecardError", "cards", "communes", "record_value", "parse_value",
           "entry_communes", "history", "years_back"]
