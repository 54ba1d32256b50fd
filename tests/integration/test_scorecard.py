"""The smart-commune scorecard: computed indicators from the portal's own records, figures
staff enter with a source and a date (each bad value refused with its own message, nothing
saved), history per year, communes side by side."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import Initiative, ScorecardValue, utcnow
from app.queue.calendar import local_day
from app.stats import scorecard
from tests.factories import make_department, make_officer, make_resident, make_unit

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
