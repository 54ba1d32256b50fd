"""The smart-commune scorecard: computed indicators from the portal's own records, figures
staff enter with a source and a date (each bad value refused with its own message, nothing
saved), history per year, communes side by side; and every computed indicator of a year
checked against a small world of three communes counted by hand (the year's local edges, what
each counts and what it leaves out, a commune with nothing to divide by shown "—")."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import Initiative, ScorecardValue, utcnow
from app.queue.calendar import LOCAL_TZ, local_day
from app.stats import scorecard
from tests.factories import (make_department, make_officer, make_procedure,
                             make_procedure_field, make_resident, make_unit, make_user)

PASSWORD = "officer-pass-1"
YEAR = local_day(utcnow()).year


@pytest.fixture
def communes(app, session):
    province = make_unit(session, level="province")
    first = make_unit(session, level="commune", parent=province, name_vi="Xã Đại Phúc",
                      name_en="Dai Phuc Commune")
    second = make_unit(session, level="commune", parent=province, name_vi="Xã Võ Nhai",
                       name_en="Vo Nhai Commune")
    dept = make_department(session, first)
    officer = make_officer(session, dept, password=PASSWORD)
    stranger = make_officer(session, make_department(session, second), password=PASSWORD)
    resident = make_resident(session, commune=first, password=PASSWORD)
    make_resident(session, commune=first)
    session.add(Initiative(author_id=resident.id, unit_id=first.id, category="roads",
                           title="Đường hoa", description="Trồng hoa", status="accepted",
                           published_at=datetime(YEAR, 1, 5, tzinfo=timezone.utc),
                           answered_at=datetime(YEAR, 1, 20, tzinfo=timezone.utc)))
    session.commit()
    return {"first": first, "second": second, "officer": officer, "stranger": stranger,
            "resident": resident}


def _entry(client, data):
    return client.submit("/en/statistics/scorecard/values/new", data)


def _good(communes, **changes):
    data = {"commune": communes["first"].id, "indicator": "population", "year": YEAR,
            "value": "2,000", "source": "Census of the commune", "as_of": f"{YEAR}-01-01"}
    data.update(changes)
    return data


def test_staff_enter_a_figure_with_its_source_and_see_it_on_the_card(client, communes, session):
    assert client.login(communes["officer"].email, PASSWORD, lang="en").status_code == 302
    response = _entry(client, _good(communes))
    assert response.status_code == 302
    card = client.get(response.headers["Location"]).page
    text = card.get_text(" ", strip=True)
    # Two resident accounts out of a population of 2,000.
    assert "0.1" in text and "Census of the commune" in text
    initiatives = next(tr for tr in card.select("tr")
                       if "Community initiatives accepted" in tr.get_text())
    assert initiatives.select("td")[-2].get_text(strip=True) == "1"


@pytest.mark.parametrize("changes, field, words", [
    ({"value": "101", "indicator": "broadband_households"}, "value", "cannot be above 100"),
    ({"value": "-1", "indicator": "broadband_households"}, "value", "cannot be below 0"),
    ({"value": "12.5", "indicator": "digital_trainings"}, "value", "whole number"),
    ({"value": "87.555", "indicator": "waste_collection"}, "value", "two decimal places"),
    ({"value": "lots"}, "value", "Enter a number"),
    ({"value": ""}, "value", "Enter a number"),
    ({"source": ""}, "source", "Say where the figure comes from"),
    ({"source": "x" * 301}, "source", "under 300 characters"),
    ({"as_of": ""}, "as_of", "Enter the date the figure describes"),
    ({"as_of": f"{YEAR - 1}-12-31"}, "as_of", "must fall in the chosen year"),
    ({"as_of": "2099-01-01", "year": YEAR}, "as_of", "must fall in the chosen year"),
    ({"indicator": "on_time_rate"}, "indicator", "Choose an indicator"),
    ({"year": YEAR + 1}, "year", "has not started yet"),
    ({"year": 1999}, "year", "Choose a year"),
    ({"commune": 0}, "commune", "Choose a commune"),
])
def test_a_bad_figure_is_refused_with_its_reason_and_nothing_is_saved(client, communes,
                                                                       session, changes, field,
                                                                       words):
    assert client.login(communes["officer"].email, PASSWORD, lang="en").status_code == 302
    response = _entry(client, _good(communes, **changes))
    assert response.status_code == 400
    assert words in response.page.select_one(f"#{field}-error").get_text(" ", strip=True)
    assert response.page.select_one("#source")["value"] == changes.get(
        "source", "Census of the commune")
    assert session.scalar(select(func.count()).select_from(ScorecardValue)) == 0


def test_staff_of_another_commune_cannot_enter_its_figures(client, communes, session):
    assert client.login(communes["stranger"].email, PASSWORD, lang="en").status_code == 302
    page = client.get("/en/statistics/scorecard/values/new").page
    options = [o.get_text(strip=True) for o in page.select("#commune option")]
    assert "Dai Phuc Commune" not in options and "Vo Nhai Commune" in options
    response = _entry(client, _good(communes))
    assert response.status_code == 400
    assert "only for a commune you work for" in response.page.select_one("#commune-error").text
    assert session.scalar(select(func.count()).select_from(ScorecardValue)) == 0


def test_a_resident_cannot_enter_figures(client, communes):
    assert client.login(communes["resident"].phone, PASSWORD, lang="en").status_code == 302
    assert client.get("/en/statistics/scorecard/values/new").status_code == 403


def test_a_correction_replaces_the_figure_shown_and_keeps_the_history(app, communes, session):
    officer = communes["officer"]
    for value in ("71,5", "72"):
        scorecard.record_value(session, officer, commune_id=communes["first"].id,
                               indicator="broadband_households", year=YEAR, value=value,
                               source="VNPT", as_of=date(YEAR, 1, 1))
    card = scorecard.cards(session, [communes["first"]], [YEAR], now=utcnow(),
                           warning_days=1)[(communes["first"].id, YEAR)]
    assert card.values["broadband_households"] == Decimal("72")
    assert [v.value for v in scorecard.history(session, communes["first"].id,
                                               "broadband_households")] == [Decimal("72"),
                                                                            Decimal("71.5")]


def test_counts_are_read_in_the_pages_language(app):
    spec = scorecard.BY_CODE["people_trained"]
    assert scorecard.parse_value(spec, "1.500", "vi") == 1500
    assert scorecard.parse_value(spec, "1,500", "en") == 1500
    with pytest.raises(scorecard.ScorecardError) as refused:
        scorecard.parse_value(spec, "2,5", "vi")
    assert refused.value.code == "not_whole"
    share = scorecard.BY_CODE["waste_collection"]
    assert scorecard.parse_value(share, "97,35", "vi") == Decimal("97.35")
    assert scorecard.parse_value(share, "97.35", "vi") == Decimal("97.35")


def test_communes_side_by_side_as_a_chart_and_a_table(client, communes, session):
    scorecard.record_value(session, communes["officer"], commune_id=communes["first"].id,
                           indicator="mobile_coverage", year=YEAR, value="80", source="Viettel",
                           as_of=date(YEAR, 1, 1))
    page = client.get(f"/vi/statistics/scorecard?indicator=mobile_coverage&year={YEAR}").page
    chart = page.select_one("svg.chart")
    assert chart is not None and chart.select_one("title").get_text(strip=True)
    assert "80,0" in chart.get_text()
    headers = [th.get_text(strip=True) for th in page.select("thead th")]
    assert "Xã Đại Phúc" in headers and "Xã Võ Nhai" in headers
    assert len(page.select("tbody tr")) == sum(1 for i in scorecard.INDICATORS if i.criterion)


def test_bad_scorecard_requests_say_why(client, communes):
    assert client.get("/en/statistics/scorecard?year=1999").status_code == 400
    assert client.get("/en/statistics/scorecard?indicator=nope").status_code == 400
    missing = client.get("/en/statistics/scorecard/commune?commune=NOPE")
    assert missing.status_code == 404
    card = client.get(f"/en/statistics/scorecard/commune?commune={communes['first'].code}"
                      f"&year={YEAR}")
    assert card.status_code == 200
    assert [th.get_text(strip=True) for th in card.page.select("thead tr")[0].select("th")][1:5] \
        == [str(y) for y in range(YEAR - 3, YEAR + 1)]


def test_a_commune_s_card_downloads_as_csv_with_its_history_and_sources(client, communes,
                                                                        session):
    import csv
    import io

    assert client.login(communes["officer"].email, PASSWORD, lang="en").status_code == 302
    assert _entry(client, _good(communes)).status_code == 302
    code = communes["first"].code
    page = client.get(f"/en/statistics/scorecard/commune?commune={code}&year={YEAR}").page
    link = page.select_one("a[download]")["href"]
    assert link == f"/en/statistics/scorecard/commune.csv?commune={code}&year={YEAR}"
    client.post("/en/account/logout", data={"csrf_token": client.csrf_token("/en/")})
    response = client.get(link)  # public, as the card is
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"bang-diem-{code}-{YEAR}.csv" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Criterion", "Indicator"] + [str(y) for y in range(YEAR - 3, YEAR + 1)] \
        + ["Source", "As of"]
    # One row per indicator, in the page's order; the same figures the page shows.
    assert len(rows) == 1 + len(scorecard.INDICATORS)
    by_name = {row[1]: row for row in rows[1:]}
    population = by_name["Population"]
    assert population[0] == "" and population[-3] == "2,000"
    assert population[-2:] == ["Census of the commune", f"01/01/{YEAR}"]
    initiatives = by_name["Community initiatives accepted"]
    assert initiatives[-3] == "1" and initiatives[-2] == "Counted by the portal"
    vietnamese = client.get(link.replace("/en/", "/vi/")).data.decode("utf-8")
    assert "Nguồn" in vietnamese.splitlines()[0] and "2.000" in vietnamese


def test_a_bad_csv_request_says_why(client, communes):
    missing = client.get("/en/statistics/scorecard/commune.csv?commune=NOPE")
    assert missing.status_code == 404
    early = client.get(f"/en/statistics/scorecard/commune.csv?commune={communes['first'].code}"
                       "&year=1999")
    assert early.status_code == 400 and b"Choose a year between" in early.data


# -- every computed indicator, counted by hand ------------------------------------------------

PAST = YEAR - 1  # a year that is over: none of its figures depends on today


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


# The year's edges are the commune's local midnights (UTC+7), not UTC's.
FIRST_MOMENT = at(PAST, 1, 1, 0, 30)    # 31/12 of the year before, 17:30 UTC: in PAST
LAST_MOMENT = at(PAST, 12, 31, 23, 30)  # in PAST
NEXT_YEAR = at(PAST + 1, 1, 1, 0, 30)   # 31/12 of PAST, 17:30 UTC: already the next year


@pytest.fixture
def world(app, session, communes):
    """A year (PAST) of three communes, told in the docstring of the test that counts it."""
    from app.community import initiatives_service as initiatives, pledges_service as pledges
    from app.dossiers import services as dossiers
    from app.models import CommunitySettings, NeedSupport, Partner, RoutingRule, VillageNeed
    from app.queue.actions import perform
    from app.reports import categories, services as reports

    first, second = communes["first"], communes["second"]
    empty = make_unit(session, level="commune", parent=first.parent, name_vi="Xã Thần Sa",
                      name_en="Than Sa Commune")
    make_department(session, empty)  # a desk, and nothing ever reached it
    field = make_procedure_field(session)
    field.category = "civil_status"
    procedure = make_procedure(session, field, processing_days=3)
    desks = {}
    for commune in (first, second):
        dept = make_department(session, commune, case_types="dossier,field_report,initiative")
        skills = ["civil_status", "field_report", *initiatives.CATEGORIES]
        desks[commune.id] = (make_officer(session, dept, desk="intake", skills=skills),
                             make_officer(session, dept, desk="leader", lead=True))
        for case_type, category, mode in (("dossier", "civil_status", "pull"),
                                          ("field_report", "field_report", "pull"),
                                          ("initiative", None, "assign")):
            session.add(RoutingRule(case_type=case_type, category=category, unit_id=commune.id,
                                    department_id=dept.id, mode=mode, active=True))
        session.add(CommunitySettings(unit_id=commune.id, support_threshold=2,
                                      allow_self_support=False, flag_threshold=3))

    def resident(commune, created_at, active=True, role="resident"):
        user = make_user(session, role=role, commune=commune, active=active)
        user.created_at = created_at
        return user

    r1 = resident(first, at(PAST - 1, 6, 1))
    resident(first, at(PAST, 3, 1))
    resident(first, LAST_MOMENT)
    resident(first, at(PAST, 5, 1), active=False)
    resident(first, NEXT_YEAR)
    resident(first, at(PAST, 2, 1), role="officer")
    q1 = resident(second, at(PAST, 2, 1))
    resident(second, at(PAST - 1, 12, 1))
    s1, s2 = make_resident(session), make_resident(session)  # supporters from no commune
    contact = make_resident(session)
    partner = Partner(name="Công ty Xi măng Thử", kind="business", contact_user_id=contact.id,
                      unit_id=first.id, verified_at=at(PAST - 1, 1, 5))
    session.add(partner)
    session.commit()
    drain = categories.save_category(session, categories.CategoryData(
        code="cong-ranh-tac", name_vi="Cống rãnh tắc", name_en="Blocked drain", sla_days=3))

    # Dossiers.
    def online(commune, when, key, applicant=None):
        return dossiers.submit(session, dossiers.Submission(
            procedure_id=procedure.id, unit_id=commune.id, applicant_name="Hoàng Văn An",
            applicant_phone="0912345678", channel="online", idempotency_key=key,
            applicant_user_id=applicant.id if applicant else None,
            submitted_by_id=applicant.id if applicant else None), now=when).case

    def walk_in(commune, when, key):
        intake = desks[commune.id][0]
        return dossiers.register_walk_in(session, dossiers.Submission(
            procedure_id=procedure.id, unit_id=commune.id, applicant_name="Lò Thị Sáu",
            applicant_id_number="012345678901", channel="walk_in", submitted_by_id=intake.id,
            idempotency_key=key), intake, now=when).case

    def handle(commune, case, when, done=None):
        """Received (if online) and started at `when`, finished at `done` if given."""
        intake, leader = desks[commune.id]
        if case.state == 1:
            perform(session, case.id, "receive", intake, now=when)
        perform(session, case.id, "start", leader, now=when + timedelta(minutes=30))
        if done is not None:
            perform(session, case.id, "complete", leader, now=done)

    handle(first, online(first, at(PAST - 1, 12, 1), "k0"), at(PAST - 1, 12, 1, 10),
           done=at(PAST, 3, 10, 15))
    handle(first, online(first, at(PAST, 3, 3), "k1"), at(PAST, 3, 3, 10),
           done=at(PAST, 3, 3, 15))
    handle(first, online(first, at(PAST, 6, 2), "k2"), at(PAST, 6, 2, 10),
           done=at(PAST, 6, 2, 15))
    handle(first, walk_in(first, at(PAST, 7, 1, 8, 30), "k3"), at(PAST, 7, 1, 9),
           done=at(PAST, 7, 1, 16))
    handle(first, online(first, at(PAST, 8, 4), "k4"), at(PAST, 8, 4, 10),
           done=at(PAST, 9, 15, 10))
    handle(first, online(first, at(PAST, 11, 3), "k5"), at(PAST, 11, 3, 10))
    withdrawn = online(first, at(PAST, 10, 1), "k6", applicant=r1)
    perform(session, withdrawn.id, "withdraw", r1, now=at(PAST, 10, 2))
    online(first, LAST_MOMENT, "k7")
    online(first, NEXT_YEAR, "k8")
    handle(second, online(second, at(PAST, 3, 3), "l1"), at(PAST, 3, 3, 10),
           done=at(PAST, 4, 20, 10))
    handle(second, walk_in(second, at(PAST, 5, 5, 8, 30), "l2"), at(PAST, 5, 5, 9),
           done=at(PAST, 5, 5, 16))
    handle(second, walk_in(second, at(PAST, 6, 2, 8, 30), "l3"), at(PAST, 6, 2, 9),
           done=at(PAST, 6, 2, 16))

    # Initiatives, their supports, answers, progress and pledges.
    def propose(commune, author, title, when, publish=True):
        return initiatives.propose(session, author, initiatives.InitiativeInput(
            title=title, description="Mô tả sáng kiến.", unit_id=commune.id,
            category="roads"), publish=publish, now=when)

    def supported(item, *moments):
        for who, when in zip((s1, s2), moments):
            initiatives.support(session, item.id, who, now=when)
        session.refresh(item)
        return item

    def answered(commune, item, started, when, accepted=True):
        intake = desks[commune.id][0]
        perform(session, item.case_id, "receive", intake, now=started)
        perform(session, item.case_id, "start", intake, now=started + timedelta(minutes=30))
        initiatives.answer(session, item.case_id, intake, accepted=accepted,
                           text="Kế hoạch của xã.", now=when)

    def progress(commune, item, when, done=False):
        initiatives.post_update(session, item.id, desks[commune.id][0], "Đang làm.",
                                done=done, now=when)

    def pledged(item, when):
        return pledges.pledge(session, contact, item.id, pledges.PledgeRequest(
            partner_id=partner.id, need_id=None, kind="money", quantity="1000000"), now=when)

    def settled(commune, pledge, outcome, when):
        pledges.settle(session, desks[commune.id][0], pledge.id, outcome, now=when)

    a = supported(propose(first, r1, "A: đèn đường", at(PAST, 2, 10)),
                  at(PAST, 2, 11), at(PAST, 2, 12))
    answered(first, a, at(PAST, 2, 13), at(PAST, 3, 1))
    settled(first, pledged(a, at(PAST, 3, 2)), "delivered", at(PAST, 3, 20))
    settled(first, pledged(a, at(PAST, 3, 3)), "cancelled", at(PAST, 3, 21))
    progress(first, a, at(PAST, 4, 1))
    progress(first, a, at(PAST, 6, 1), done=True)

    b = supported(propose(first, r1, "B: sân chơi", at(PAST, 3, 5)),
                  at(PAST, 3, 6), at(PAST, 3, 7))
    answered(first, b, at(PAST, 3, 9), at(PAST, 4, 1))
    settled(first, pledged(b, at(PAST, 4, 2)), "delivered", NEXT_YEAR)
    settled(first, pledged(b, at(PAST, 4, 3)), "delivered", LAST_MOMENT)
    progress(first, b, at(PAST, 5, 1))
    progress(first, b, NEXT_YEAR, done=True)

    c = supported(propose(first, r1, "C: cầu treo", at(PAST, 4, 1)),
                  at(PAST, 4, 2), at(PAST, 4, 3))
    answered(first, c, at(PAST, 4, 6), at(PAST, 5, 1), accepted=False)

    d = supported(propose(first, r1, "D: thư viện", FIRST_MOMENT), at(PAST, 1, 2), NEXT_YEAR)
    propose(first, r1, "E: chợ đêm", LAST_MOMENT)
    propose(first, r1, "F: bến xe", NEXT_YEAR)
    g = supported(propose(first, r1, "G: kênh mương", at(PAST - 1, 10, 1)),
                  at(PAST - 1, 10, 2), at(PAST - 1, 10, 3))
    answered(first, g, at(PAST - 1, 10, 6), at(PAST, 2, 1))
    pledged(g, at(PAST, 2, 2))
    pledges.withdraw(session, contact, pledged(g, at(PAST, 2, 3)).id, now=at(PAST, 2, 4))
    h = supported(propose(first, r1, "H: nhà văn hoá", at(PAST, 11, 1)),
                  at(PAST, 11, 2), at(PAST, 11, 3))
    answered(first, h, at(PAST, 11, 4), NEXT_YEAR)
    w = supported(propose(first, r1, "W: rút lại", at(PAST, 5, 1)), at(PAST, 5, 2))
    initiatives.withdraw(session, w.id, r1, now=at(PAST, 6, 1))
    propose(first, r1, "X: bản nháp", at(PAST, 5, 5), publish=False)

    s = supported(propose(second, q1, "S: trồng cây", at(PAST, 3, 1)),
                  at(PAST, 3, 2), at(PAST, 3, 3))
    answered(second, s, at(PAST, 3, 4), at(PAST, 4, 1))
    settled(second, pledged(s, at(PAST, 4, 5)), "delivered", at(PAST, 4, 10))
    progress(second, s, at(PAST, 5, 1), done=True)
    assert d.status == "under_evaluation"  # its second support came in the next year

    # Village needs and their supports.
    need = VillageNeed(unit_id=first.id, posted_by_id=r1.id, title="Sửa nhà văn hoá thôn",
                       description="Mái dột.", created_at=at(PAST - 1, 12, 1))
    other_need = VillageNeed(unit_id=second.id, posted_by_id=q1.id, title="Đào mương",
                             description="Mương tắc.", created_at=at(PAST, 1, 5))
    session.add_all([need, other_need])
    session.flush()
    session.add_all([NeedSupport(need_id=need.id, user_id=s1.id, created_at=at(PAST, 3, 1)),
                     NeedSupport(need_id=need.id, user_id=s2.id, created_at=LAST_MOMENT),
                     NeedSupport(need_id=need.id, user_id=contact.id, created_at=NEXT_YEAR),
                     NeedSupport(need_id=need.id, user_id=q1.id,
                                 created_at=at(PAST - 1, 12, 2)),
                     NeedSupport(need_id=other_need.id, user_id=s1.id,
                                 created_at=at(PAST, 1, 6))])
    session.commit()

    # Field reports.
    def report(commune, when, key):
        return reports.create_report(session, r1 if commune is first else q1, reports.ReportInput(
            category_code=drain.code, description="Cống trước cổng chợ bị tắc.",
            commune_id=commune.id, address="Cổng chợ", idempotency_key=key), now=when)

    supported_report = report(first, at(PAST, 3, 10), "r1")
    reports.support(session, supported_report.case_id, s1, now=at(PAST, 3, 11))
    report(first, LAST_MOMENT, "r2")
    report(first, NEXT_YEAR, "r3")
    report(first, at(PAST - 1, 12, 15), "r0")
    report(second, at(PAST, 4, 10), "r4")

    # Populations entered by staff.
    scorecard.record_value(session, communes["officer"], commune_id=first.id,
                           indicator="population", year=PAST, value="240",
                           source="Điều tra dân số", as_of=date(PAST, 4, 1), lang="en")
    scorecard.record_value(session, communes["stranger"], commune_id=second.id,
                           indicator="population", year=PAST, value="400",
                           source="Điều tra dân số", as_of=date(PAST, 4, 1), lang="en")
    session.commit()
    return {"first": first, "second": second, "empty": empty}


def _expected(population=None, **computed):
    """Every indicator's value: the entered ones not entered (None) but the population."""
    values = {i.code: None for i in scorecard.ENTERED}
    values["population"] = population
    values.update({code: Decimal(value) if value is not None else None
                   for code, value in computed.items()})
    return values


FIRST = _expected(population=Decimal(240), accounts_share="1.3", initiatives_proposed=7,
                  initiatives_accepted=3, initiatives_done=1, online_share="85.7",
                  pledges_delivered=2, participation=14, on_time_rate="62.5")
SECOND = _expected(population=Decimal(400), accounts_share="0.5", initiatives_proposed=1,
                   initiatives_accepted=1, initiatives_done=1, online_share="33.3",
                   pledges_delivered=1, participation=4, on_time_rate="66.7")
# Nothing to divide by: the shares are not known (None, shown "—"), never 0 % nor an error;
# the counts are a true zero.
EMPTY = _expected(accounts_share=None, initiatives_proposed=0, initiatives_accepted=0,
                  initiatives_done=0, online_share=None, pledges_delivered=0, participation=0,
                  on_time_rate=None)


def test_every_computed_indicator_is_the_hand_count_of_its_commune_and_year(world, session):
    """The year counted is PAST (over, so nothing depends on today), from local midnight to
    local midnight (UTC+7): what happened at 00:30 on 1 January is the new year's though UTC
    still says 31 December. What each indicator counts (app/stats/scorecard.py), and the
    story of the first commune (Đại Phúc):

    * accounts_share: resident accounts of the commune, active, made before the year's end,
      × 100 ÷ the population entered for that year, to one decimal (half up). Counted: three
      (made the year before, in March, at 23:30 on 31 December). Not counted: one
      deactivated, one made at 00:30 on 1 January of the next year, an officer's account
      living there, the two residents the `communes` fixture made today, residents of other
      communes, the supporters and the partner's contact (no commune). 3 × 100 ÷ 240 =
      1.25 → 1.3.
    * initiatives_proposed: published in the year, whatever became of them since: A, B, C
      (rejected), D (00:30 on 1 January), E (23:30 on 31 December), H, W (withdrawn by its
      author) = 7. Not F (00:30 on 1 January of the next year), G (published the year
      before), X (a draft, never published), nor the fixture's (this year).
    * initiatives_accepted: answered "accepted" in the year, counting those since in
      progress or done (status accepted, in_progress or done; answered_at in the year): A
      (done), B (done the next year), G (published the year before) = 3. Not C (rejected),
      not H (answered at 00:30 on 1 January of the next year).
    * initiatives_done: status done, last updated in the year: A. B was marked done at 00:30
      on 1 January of the next year.
    * pledges_delivered: pledges to the commune's initiatives marked delivered in the year:
      one to A (20 March) and one to B (23:30 on 31 December) = 2. Not: one to A cancelled,
      one to B delivered at 00:30 on 1 January of the next year, one to G still pledged, one
      to G withdrawn by the partner, one delivered to the second commune's S.
    * participation: supports given in the year to the commune's initiatives (A 2, B 2, C 2,
      D 1, H 2, W 1 = 10; not G's, given the year before, nor D's second, the next year),
      plus supports of its village needs in the year (2: not one the year before, one the
      next year), plus field reports received in the year by its departments (2: 10 March
      and 23:30 on 31 December; not one of December the year before nor one at 00:30 on 1
      January) = 14. A resident's support of a field report is none of these: not counted.
    * online_share, on_time_rate: the public statistics' figures for the commune's
      departments' dossiers (procedure of 3 working days). Received in the year: K1, K2, K4,
      K5, K6 (withdrawn) and K7 (23:30 on 31 December) online, K3 at the desk = 7 (K8, sent
      at 00:30 on 1 January of the next year, is not), so online 6 ÷ 7 = 85.7 %. Carried over
      from the year before: K0. To process 1 + 7 = 8; late: K0 and K4 done weeks late, K5
      still open and overdue on 31 December = 3; late rate 37.5 %, on time 62.5 %.

    The second commune (Võ Nhai): 2 accounts of 400 people (0.5); S proposed, accepted and
    done, with 2 supports and 1 pledge delivered; 1 village-need support and 1 field report
    (participation 4); dossiers L1 online done late, L2 and L3 at the desk done the same day
    (online 33.3 %, late 1 ÷ 3 = 33.3 %, on time 66.7 %). None of it reaches the first, and
    none of the first's reaches it. The third commune (Thần Sa) has a department and no
    records at all, and no population entered.
    """
    ordered = [world["first"], world["second"], world["empty"]]
    found = scorecard.cards(session, ordered, [PAST], now=utcnow(), warning_days=1)
    values = {commune.code: found[(commune.id, PAST)].values for commune in ordered}
    assert set(values[world["first"].code]) == {i.code for i in scorecard.INDICATORS}
    assert values == {world["first"].code: FIRST, world["second"].code: SECOND,
                      world["empty"].code: EMPTY}


def _card_cells(page) -> dict[str, str]:
    """The card's value for its year (the last year column) by indicator name."""
    cells = {}
    for row in page.select("table.figures tbody tr"):
        name = row.select_one("th").find(string=True).strip()
        cells[name] = row.select("td")[-2].get_text(strip=True)
    return cells


ENGLISH = {"Residents with a portal account, share of the population (%)": "accounts_share",
           "Community initiatives proposed": "initiatives_proposed",
           "Community initiatives accepted": "initiatives_accepted",
           "Community initiatives done": "initiatives_done",
           "Dossiers received online (%)": "online_share",
           "Partner pledges delivered": "pledges_delivered",
           "Supports and field reports from residents": "participation",
           "Dossiers handled on time (%)": "on_time_rate"}
SHOWN = {"first": {"accounts_share": "1.3", "initiatives_proposed": "7",
                   "initiatives_accepted": "3", "initiatives_done": "1",
                   "online_share": "85.7", "pledges_delivered": "2", "participation": "14",
                   "on_time_rate": "62.5"},
         "second": {"accounts_share": "0.5", "initiatives_proposed": "1",
                    "initiatives_accepted": "1", "initiatives_done": "1",
                    "online_share": "33.3", "pledges_delivered": "1", "participation": "4",
                    "on_time_rate": "66.7"},
         "empty": {"accounts_share": "—", "initiatives_proposed": "0",
                   "initiatives_accepted": "0", "initiatives_done": "0", "online_share": "—",
                   "pledges_delivered": "0", "participation": "0", "on_time_rate": "—"}}


@pytest.mark.parametrize("name", ["first", "second", "empty"])
def test_each_communes_card_shows_its_own_figures_and_dashes_where_nothing_divides(
        client, world, name):
    response = client.get(f"/en/statistics/scorecard/commune?commune={world[name].code}"
                          f"&year={PAST}")
    assert response.status_code == 200
    cells = _card_cells(response.page)
    assert {code: cells[label] for label, code in ENGLISH.items()} == SHOWN[name]
    if name == "empty":
        assert "population for this year is not entered yet" in response.page.get_text()


def test_the_side_by_side_table_shows_each_communes_figures_in_its_own_column(client, world):
    page = client.get(f"/en/statistics/scorecard?indicator=online_share&year={PAST}").page
    communes = [th.get_text(strip=True) for th in page.select("thead th")][2:]
    assert communes == ["Dai Phuc Commune", "Than Sa Commune", "Vo Nhai Commune"]
    table = {}
    for row in page.select("tbody tr"):
        label = row.select('th[scope="row"]')[0].get_text(strip=True)
        if label in ENGLISH:
            table[ENGLISH[label]] = dict(zip(communes, (td.get_text(strip=True)
                                                        for td in row.select("td"))))
    for name, commune in (("first", "Dai Phuc Commune"), ("second", "Vo Nhai Commune"),
                          ("empty", "Than Sa Commune")):
        assert {code: cells[commune] for code, cells in table.items()} == SHOWN[name]
    # The chart of the chosen indicator: the commune with nothing says "—", not 0 %.
    chart = page.select_one("svg.chart").get_text(" ", strip=True)
    assert "85.7" in chart and "33.3" in chart and "—" in chart and "0.0" not in chart
