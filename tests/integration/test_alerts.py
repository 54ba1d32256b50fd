"""Emergency alerts: staff issue one for chosen communes and villages; a banner on every page
reaches those whose home is affected (a village alert its residents, a commune alert the whole
commune) and no one else, in one indexed query per page (none for anonymous visitors); the
public board shows alerts to everyone; expired and withdrawn alerts disappear; bad input and
issuing outside one's unit are refused and nothing changes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from app.models import Alert, AlertArea, OutboxMessage, utcnow
from tests.integration.village_notices_world import (alert_form, browser, errors, issue, key,
                                                     moment, world)  # noqa: F401

NEW = "/vi/village/alerts/new"
PAGES = ["/vi/", "/vi/procedures/", "/vi/village/announcements", "/vi/account/"]


def _banner(client, url: str = "/vi/") -> list[str]:
    page = client.get(url).page
    return [a.get_text(strip=True) for a in page.select(".alert-banner .alert-line a")]


def _count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


# -- the banner -------------------------------------------------------------------------------

def test_a_village_alert_shows_on_every_page_of_its_residents_and_no_one_elses(app, session,
                                                                              world):
    staff = browser(app, world["staff"])
    response = staff.submit(NEW, alert_form(world["thon_a"], title_vi="Lũ qua thôn Đông"))
    assert response.status_code == 302, errors(response)
    affected = browser(app, world["resident_a"])
    for url in PAGES:
        assert _banner(affected, url) == ["Lũ qua thôn Đông"], url
    line = affected.get("/vi/").page.select_one(".alert-banner .alert-line")
    assert "Cảnh báo · Lũ lụt" in line.get_text()
    for person in ("resident_b", "resident_far", "homeless"):
        assert _banner(browser(app, world[person])) == [], person
    assert _banner(browser(app)) == []  # anonymous visitors read alerts on the board


def test_a_commune_alert_reaches_every_village_of_the_commune(app, session, world):
    issue(session, world["staff"], world["commune"], title_vi="Bão số 3")
    assert _banner(browser(app, world["resident_a"])) == ["Bão số 3"]
    assert _banner(browser(app, world["resident_b"])) == ["Bão số 3"]
    assert _banner(browser(app, world["resident_far"])) == []


def test_the_banner_shows_the_most_severe_alert_first_in_the_readers_language(app, session,
                                                                             world):
    issue(session, world["staff"], world["commune"], severity="advisory", title_vi="Mất điện",
          hazard="outage")
    issue(session, world["staff"], world["thon_a"], severity="emergency", title_vi="Sạt lở",
          title_en="Landslide", body_en="Leave the hillside houses now.", hazard="landslide")
    assert _banner(browser(app, world["resident_a"])) == ["Sạt lở", "Mất điện"]
    english = browser(app, world["english"], lang="en")
    page = english.get("/en/").page
    links = page.select(".alert-banner .alert-line a")
    assert [(a.get_text(strip=True), a["lang"]) for a in links] == [("Landslide", "en"),
                                                                   ("Mất điện", "vi")]


def test_the_banner_works_without_javascript(app, session, world):
    issue(session, world["staff"], world["thon_a"], title_vi="Lũ")
    html = browser(app, world["resident_a"]).get("/vi/").get_data(as_text=True)
    banner = html[html.index('class="alert-banner"'):html.index("</section>")]
    assert "Lũ" in banner and "<script" not in banner


def test_expired_and_withdrawn_alerts_disappear(app, session, world):
    past = utcnow() - timedelta(hours=3)
    issue(session, world["staff"], world["thon_a"], title_vi="Lũ hôm qua", now=past,
          expires_at=past + timedelta(hours=2))
    live = issue(session, world["staff"], world["thon_a"], title_vi="Lũ hôm nay")
    resident = browser(app, world["resident_a"])
    assert _banner(resident) == ["Lũ hôm nay"]
    board = browser(app).get("/vi/village/").page.get_text()
    assert "Lũ hôm nay" in board and "Lũ hôm qua" not in board

    staff = browser(app, world["staff"])
    url = f"/vi/village/alerts/{live.id}/withdraw"
    assert staff.get(url).status_code == 200
    assert _banner(resident) == ["Lũ hôm nay"]  # opening the confirmation changes nothing
    assert staff.submit(url, {}).status_code == 302
    assert _banner(resident) == []
    assert "Lũ hôm nay" not in browser(app).get("/vi/village/").page.get_text()
    page = browser(app).get(f"/en/village/alerts/{live.id}").page.get_text()
    assert "Withdrawn at" in page and "no longer in force" in page
    session.rollback()
    assert session.get(Alert, live.id).withdrawn_at is not None
    assert all(a.ends_at <= utcnow() for a in session.scalars(select(AlertArea)))


def test_the_public_board_shows_alerts_to_everyone(app, session, world):
    issue(session, world["outsider"], world["far_village"], title_vi="Lũ thôn Xa")
    page = browser(app).get("/vi/village/").page
    section = page.select_one("section[aria-labelledby=board-alerts]").get_text(" ", strip=True)
    assert "Lũ thôn Xa" in section and "Thôn Xa (Xã Xa Xôi)" in section


# -- the one-query budget ---------------------------------------------------------------------

def _statements(app, client, url: str) -> list[str]:
    from app.extensions import db

    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return seen


def _about_alerts(statements: list[str]) -> list[str]:
    return [s for s in statements if "alert" in s.lower()]


@pytest.mark.parametrize("url", ["/vi/", "/vi/procedures/"])
def test_the_banner_costs_one_indexed_query_per_page_and_none_for_visitors(app, session, world,
                                                                         url):
    resident = browser(app, world["resident_a"])
    without = _statements(app, resident, url)
    assert len(_about_alerts(without)) == 1  # asked even when there is none to show
    for i in range(3):  # however many alerts reach the page, still one statement
        issue(session, world["staff"], world["thon_a"] if i % 2 else world["commune"],
              title_vi=f"Cảnh báo {i}")
    with_three = _statements(app, resident, url)
    assert len(_about_alerts(with_three)) == 1
    assert len(with_three) == len(without)
    assert len(_banner(resident, url)) == 3
    assert _about_alerts(_statements(app, browser(app), url)) == []
    assert _about_alerts(_statements(app, browser(app, world["homeless"]), url)) == []


def test_the_banner_query_walks_its_index(app, session, world):
    from app.db import is_sqlite
    from app.village.alerts import banner_alerts

    issue(session, world["staff"], world["thon_a"])
    units = (world["commune"].id, world["thon_a"].id)
    captured: list[tuple] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    from app.extensions import db

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        banner_alerts(session, units, utcnow())
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    (statement, parameters), = [c for c in captured if c[0].lstrip().startswith("SELECT")]
    conn = session.connection()
    if is_sqlite(session):
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters))
    else:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
    session.rollback()
    assert "ix_alert_areas_banner" in plan, plan


# -- issuing: who, where, what ----------------------------------------------------------------

def test_staff_of_another_commune_cannot_issue_for_it(app, session, world):
    outsider = browser(app, world["outsider"])
    offered = [i["value"] for i in outsider.get(NEW).page.select("#areas input")]
    assert key(world["commune"]) not in offered and key(world["far"]) in offered
    response = outsider.submit(NEW, alert_form(world["thon_a"]))
    assert response.status_code == 400
    assert any("không phải cán bộ của xã này" in e for e in errors(response))
    assert _count(session, Alert) == 0 and _count(session, OutboxMessage) == 0


def test_a_village_head_issues_only_for_their_own_village(app, session, world):
    head = browser(app, world["head"])
    response = head.submit(NEW, alert_form(world["thon_a"], world["thon_b"]))
    assert response.status_code == 400
    assert any("chỉ được đăng cho thôn của mình" in e for e in errors(response))
    assert _count(session, Alert) == 0
    assert head.submit(NEW, alert_form(world["thon_a"])).status_code == 302
    communes = issue(session, world["staff"], world["commune"])
    assert head.get(f"/vi/village/alerts/{communes.id}/withdraw").status_code == 403


def test_a_commune_chosen_with_its_villages_is_kept_once(app, session, world):
    alert = issue(session, world["staff"], world["commune"], world["thon_a"], world["thon_b"])
    session.rollback()
    assert [a.unit_id for a in session.get(Alert, alert.id).areas] == [world["commune"].id]


BAD = [
    ({"expires_at": moment(-timedelta(minutes=5))}, "must be in the future"),
    ({"expires_at": moment(timedelta(days=31))}, "at most 30 days"),
    ({"expires_at": "31/02/2026 25:00"}, "Enter a real date and time"),
    ({"expires_at": ""}, "Enter when the alert ends"),
    ({"areas": []}, "Choose at least one commune or village"),
    ({"title_vi": " "}, "Write the title in Vietnamese"),
    ({"title_en": "Flood"}, "add the English text too"),
    ({"hazard": "volcano"}, "Not a valid choice"),
]


@pytest.mark.parametrize("change, message", BAD, ids=[m for _c, m in BAD])
def test_bad_alerts_are_refused_with_their_own_message_and_nothing_changes(app, session, world,
                                                                          change, message):
    staff = browser(app, world["staff"])
    response = staff.submit("/en/village/alerts/new", alert_form(world["thon_a"], **change))
    assert response.status_code == 400
    assert any(message in e for e in errors(response)), errors(response)
    assert response.page.select_one("#body_vi").get_text().strip() == "Không qua ngầm tràn."
    assert _count(session, Alert) == 0 and _count(session, AlertArea) == 0
    assert _count(session, OutboxMessage) == 0


def test_residents_and_visitors_cannot_issue_alerts(app, world):
    assert browser(app, world["resident_a"]).get(NEW).status_code == 403
    assert browser(app).get(NEW).status_code == 302


def test_the_staff_page_lists_alerts_in_force_and_lately_ended(app, session, world):
    past = utcnow() - timedelta(days=2)
    issue(session, world["staff"], world["thon_a"], title_vi="Lũ tuần trước", now=past,
          expires_at=past + timedelta(hours=5))
    issue(session, world["staff"], world["commune"], title_vi="Bão")
    issue(session, world["outsider"], world["far"], title_vi="Lũ xã khác")
    page = browser(app, world["staff"]).get("/vi/village/manage").page
    active = page.select_one("section[aria-labelledby=alerts-in-force]").get_text()
    assert "Bão" in active and "Lũ tuần trước" in active and "Lũ xã khác" not in active
    assert page.select_one("nav.main-nav a[href$='/village/manage']") is not None


def test_unknown_alerts_are_not_found(app, world):
    assert browser(app).get("/vi/village/alerts/999").status_code == 404


def test_the_database_refuses_an_alert_that_ends_before_it_starts(app, session, world):
    from sqlalchemy.exc import IntegrityError

    now = utcnow()
    session.add(Alert(hazard="flood", severity="warning", title_vi="x", body_vi="y",
                      issued_by_id=world["staff"].id, issued_at=now, expires_at=now))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_areas_end_with_their_alert(session, world):
    alert = issue(session, world["staff"], world["thon_a"])
    session.rollback()
    rows = session.execute(text("SELECT ends_at FROM alert_areas")).all()
    assert len(rows) == 1 and session.get(Alert, alert.id).active(utcnow())
