"""Following one's village: residents subscribe to their village or commune (and categories);
new announcements and alerts are queued to them in their own language, alerts delivered first;
a daily digest goes out once even with two workers; every message carries a signed link that
stops them without logging in (a GET only asks; a tampered link is refused), and mail
programs' one-click unsubscribe works too."""
from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.models import OutboxMessage, VillageSubscription, utcnow
from app.models.notifications import PRIORITY_BULK, PRIORITY_NORMAL, PRIORITY_URGENT
from app.notifications.outbox import DeliverySettings, deliver_due, queue_message
from app.village import subscriptions
from tests.factories import make_user
from tests.integration.test_rate_limits import redis_prefix  # noqa: F401
from tests.integration.village_notices_world import (PASSWORD, browser, errors, issue, publish,
                                                     world)  # noqa: F401

PAGE = "/vi/village/subscription"


def follow(session, user, scope="village", alerts=True, mode="each", categories=()):
    return subscriptions.save(session, user, subscriptions.SubscriptionInput(
        scope=scope, alerts=alerts, announcements=mode, categories=list(categories)))


def messages(session) -> list[OutboxMessage]:
    session.rollback()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def recipients(session) -> Counter:
    return Counter(m.user_id for m in messages(session))


class Recorder:
    """A channel that keeps what it is asked to send, in order."""
    available = True
    unavailable_reason = None

    def __init__(self, name):
        self.name = name
        self.sent: list = []

    def send(self, message, body):
        self.sent.append((message, body))


def _link(body: str, path_part: str) -> str:
    url = next(u for u in re.findall(r"https?://\S+", body) if path_part in u)
    return urlsplit(url).path


# -- the subscription page --------------------------------------------------------------------

def test_a_resident_follows_their_village_from_the_subscription_page(app, session, world):
    client = browser(app, world["resident_a"])
    page = client.get(PAGE).page
    assert [i["value"] for i in page.select("input[name=scope]")] == ["village", "commune"]
    assert page.select_one("input[name=scope][value=village]").has_attr("checked")
    response = client.submit(PAGE, {"scope": "village", "alerts": "y", "announcements": "digest",
                                    "categories": ["vaccination", "power_cut"]})
    assert response.status_code == 302, errors(response)
    row = session.get(VillageSubscription, world["resident_a"].id)
    assert (row.unit_id, row.alerts, row.announcements, row.categories) == (
        world["thon_a"].id, True, "digest", "vaccination,power_cut")
    page = client.get(PAGE).page
    assert page.select_one("input[name=announcements][value=digest]").has_attr("checked")
    assert page.select_one("input[name=categories][value=vaccination]").has_attr("checked")
    assert client.submit(PAGE, {"scope": "commune", "announcements": "each"}).status_code == 302
    session.rollback()
    row = session.get(VillageSubscription, world["resident_a"].id)
    assert (row.unit_id, row.alerts, row.categories) == (world["commune"].id, False, "")


@pytest.mark.parametrize("user, data, message", [
    ("resident_a", {"scope": "village", "announcements": "none"}, "Choose alerts, announcements"),
    ("resident_a", {"scope": "province", "alerts": "y", "announcements": "each"},
     "Choose what to follow"),
    ("resident_a", {"scope": "village", "alerts": "y", "announcements": "hourly"},
     "Not a valid choice"),
], ids=["nothing", "scope", "mode"])
def test_bad_subscription_choices_are_refused_and_nothing_is_saved(app, session, world, user,
                                                                   data, message):
    client = browser(app, world[user], lang="en")
    response = client.submit("/en/village/subscription", data)
    assert response.status_code == 400
    assert any(message in e for e in errors(response)), errors(response)
    assert session.scalar(select(func.count()).select_from(VillageSubscription)) == 0


def test_an_account_without_a_village_follows_the_commune_and_one_without_home_nothing(
        app, session, world):
    lone = make_user(session, role="resident", password=PASSWORD, commune=world["commune"])
    session.commit()
    client = browser(app, lone, lang="en")
    assert [i["value"] for i in client.get("/en/village/subscription").page.select(
        "input[name=scope]")] == ["commune"]
    response = client.submit("/en/village/subscription", {"scope": "village", "alerts": "y",
                                                          "announcements": "each"})
    assert any("follow your commune only" in e for e in errors(response))
    page = browser(app, world["homeless"], lang="en").get("/en/village/subscription").page
    assert page.select("input[name=scope]") == [] and "no commune" in page.get_text()


def test_stopping_from_the_subscription_page(app, session, world):
    follow(session, world["resident_a"])
    client = browser(app, world["resident_a"])
    assert client.submit("/vi/village/subscription/stop", {}, form_url=PAGE).status_code == 302
    assert session.get(VillageSubscription, world["resident_a"].id) is None


# -- who hears of what ------------------------------------------------------------------------

def test_a_notice_reaches_those_who_follow_its_place_and_category(app, session, world):
    follow(session, world["resident_a"])                          # Thôn Đông
    follow(session, world["resident_b"], scope="commune")         # all of Xã Tân Hòa
    follow(session, world["resident_far"])                        # another commune
    follow(session, world["english"], categories=["power_cut"])   # Thôn Đông, power cuts only
    a, b, far, en = (world[k].id for k in ("resident_a", "resident_b", "resident_far",
                                           "english"))

    publish(session, world["staff"], world["commune"], category="vaccination")
    assert recipients(session) == Counter({a: 1, b: 1})
    publish(session, world["staff"], world["thon_b"], category="power_cut")
    assert recipients(session) == Counter({a: 1, b: 2})          # Thôn Tây: not Thôn Đông
    publish(session, world["staff"], world["thon_a"], category="power_cut")
    assert recipients(session) == Counter({a: 2, b: 3, en: 1})
    issue(session, world["staff"], world["thon_b"])
    assert recipients(session) == Counter({a: 2, b: 4, en: 1})
    issue(session, world["staff"], world["commune"])
    assert recipients(session) == Counter({a: 3, b: 5, en: 2})
    assert far not in recipients(session)


def test_messages_are_in_the_subscribers_language_and_alerts_are_urgent(app, session, world):
    follow(session, world["resident_a"])
    follow(session, world["english"])
    publish(session, world["staff"], world["thon_a"], title_vi="Cắt điện", title_en="Power cut",
            body_vi="Cắt điện cả ngày.", body_en="No power all day.", category="power_cut")
    issue(session, world["staff"], world["thon_a"], title_vi="Lũ", title_en="Flood",
          body_en="Stay away from the river.")
    by_user = {}
    for m in messages(session):
        by_user.setdefault(m.user_id, []).append(m)
    vi_announcement, vi_alert = by_user[world["resident_a"].id]
    en_announcement, en_alert = by_user[world["english"].id]
    assert vi_announcement.channel == "sms" and "Cắt điện" in vi_announcement.body
    assert "/vi/village/announcements/" in vi_announcement.body
    assert en_announcement.channel == "email" and en_announcement.subject.endswith("Power cut")
    assert "No power all day." in en_announcement.body and "/en/" in en_announcement.body
    assert "To stop these messages" in en_announcement.body
    assert "Flood" in en_alert.subject and "Stay away from the river." in en_alert.body
    assert "Lũ" in vi_alert.body
    assert {m.priority for m in (vi_announcement, en_announcement)} == {PRIORITY_BULK}
    assert {m.priority for m in (vi_alert, en_alert)} == {PRIORITY_URGENT}
    assert en_alert.unsubscribe_url.endswith("/one-click")


def test_alerts_are_delivered_before_everything_else_and_announcements_last(app, session, world):
    for i in range(5):
        resident = make_user(session, role="resident", commune=world["commune"])
        resident.village_id = world["thon_a"].id
        session.flush()
        follow(session, resident)
    publish(session, world["staff"], world["thon_a"], title_vi="Họp thôn")       # 5 bulk
    queue_message(session, recipient="0912000111", channel="sms", subject="Mã đặt lại",
                  body="Mã của bạn")                                            # 1 normal
    session.commit()
    issue(session, world["staff"], world["thon_a"], title_vi="Lũ")              # 5 urgent
    sms = Recorder("sms")
    report = deliver_due(session, {"sms": sms, "email": Recorder("email")},
                         DeliverySettings(batch=100))
    assert report.sent == 11
    priorities = [session.get(OutboxMessage, m.id).priority for m, _body in sms.sent]
    assert priorities == [PRIORITY_URGENT] * 5 + [PRIORITY_NORMAL] + [PRIORITY_BULK] * 5


def test_an_email_carries_the_one_click_unsubscribe_headers(app, session, world, monkeypatch):
    from app.notifications import channels

    sent = []

    class FakeSMTP:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            pass

        def send_message(self, mail):
            sent.append(mail)

    monkeypatch.setattr(channels.smtplib, "SMTP", FakeSMTP)
    follow(session, world["english"])
    publish(session, world["staff"], world["thon_a"])
    channel = channels.SmtpChannel({"MAIL_SERVER": "smtp.example.vn", "MAIL_SENDER": "x@y.vn"})
    deliver_due(session, {"email": channel, "sms": Recorder("sms")})
    (mail,) = sent
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://localhost/en/village/unsubscribe/[^/]+/one-click>",
                        mail["List-Unsubscribe"])


# -- the daily digest -------------------------------------------------------------------------

def test_the_digest_gathers_the_days_announcements_once(app, session, world):
    follow(session, world["resident_a"], mode="digest", categories=["meeting", "vaccination"])
    follow(session, world["resident_b"], mode="digest")
    publish(session, world["staff"], world["thon_a"], title_vi="Họp thôn Đông")
    publish(session, world["staff"], world["commune"], title_vi="Tiêm chủng",
            category="vaccination")
    publish(session, world["staff"], world["thon_a"], title_vi="Cắt điện", category="power_cut")
    publish(session, world["staff"], world["thon_b"], title_vi="Họp thôn Tây")
    assert messages(session) == []  # digest subscribers get nothing at once
    later = utcnow() + timedelta(days=1)
    assert subscriptions.send_digests(session, later, hour=18) == 2
    digests = {m.user_id: m for m in messages(session)}
    a, b = digests[world["resident_a"].id], digests[world["resident_b"].id]
    assert "Họp thôn Đông" in a.body and "Tiêm chủng" in a.body
    assert "Cắt điện" not in a.body and "Họp thôn Tây" not in a.body
    assert "Họp thôn Tây" in b.body and "Tiêm chủng" in b.body and "Họp thôn Đông" not in b.body
    assert {a.priority, b.priority} == {PRIORITY_BULK}
    assert subscriptions.send_digests(session, later, hour=18) == 0  # once a day
    assert subscriptions.send_digests(session, later + timedelta(days=1), hour=18) == 0
    assert len(messages(session)) == 2  # nothing new: no empty digest


def test_two_workers_send_each_digest_exactly_once(app, session, world):
    from tests.integration.test_workers import together

    people = []
    for _ in range(25):
        resident = make_user(session, role="resident", commune=world["commune"])
        resident.village_id = world["thon_a"].id
        session.flush()
        follow(session, resident, mode="digest")
        people.append(resident.id)
    publish(session, world["staff"], world["commune"], title_vi="Tiêm chủng")
    later = utcnow() + timedelta(days=1)
    counts = together(app, lambda s: subscriptions.send_digests(s, later, hour=18, batch=4))
    assert sum(counts) == 25
    assert recipients(session) == Counter({person: 1 for person in people})


def test_the_worker_pass_sends_the_digest(app, session, world):
    from app.queue_cli import run_pass

    follow(session, world["english"], mode="digest")
    publish(session, world["staff"], world["thon_a"], title_vi="Họp", title_en="Meeting",
            body_en="At 7 pm.")
    email = Recorder("email")
    line = run_pass(app, now=utcnow() + timedelta(days=1),
                    channels={"email": email, "sms": Recorder("sms")})
    assert "village_digests=1" in line
    (message, body), = email.sent
    assert "1 new announcement" in message.subject and "Meeting" in body


def test_a_failing_digest_does_not_hold_back_an_alert(app, session, world, monkeypatch):
    from app.queue_cli import run_pass

    follow(session, world["english"])
    issue(session, world["staff"], world["thon_a"], title_vi="Lũ", title_en="Flood",
          body_en="Keep away from the river.")

    def broken(*args, **kwargs):
        raise RuntimeError("digest bug")

    monkeypatch.setattr(subscriptions, "send_digests", broken)
    email = Recorder("email")
    line = run_pass(app, channels={"email": email, "sms": Recorder("sms")})
    assert "village_digests=failed" in line
    assert [m.subject for m, _body in email.sent] == ["[WARNING] Flood: Flood"]


# -- unsubscribing ----------------------------------------------------------------------------

def _unsubscribe_page(session, world, user="english") -> str:
    follow(session, world[user])
    publish(session, world["staff"], world["thon_a"])
    (message,) = messages(session)
    return _link(message.body, "/unsubscribe/")


def test_the_unsubscribe_link_works_logged_out_and_a_get_changes_nothing(app, session, world):
    path = _unsubscribe_page(session, world)
    visitor = browser(app)
    page = visitor.get(path)
    assert page.status_code == 200 and page.page.select_one("form[method=post] button")
    assert "l***@example.vn" in page.page.get_text()
    assert session.get(VillageSubscription, world["english"].id) is not None  # only asked
    response = visitor.submit(path, {})
    assert response.status_code == 302
    session.rollback()
    assert session.get(VillageSubscription, world["english"].id) is None
    after = visitor.get(path)
    assert after.status_code == 200 and after.page.select_one("form[method=post]") is None


def test_an_unsubscribe_post_needs_its_forms_csrf_token(app, session, world):
    path = _unsubscribe_page(session, world)
    assert browser(app).post(path, data={}).status_code == 400
    assert session.get(VillageSubscription, world["english"].id) is not None


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "1" + t[1:] if not t.startswith("1") else "2" + t[1:],
    lambda t: "not-a-token",
], ids=["signature", "payload", "garbage"])
def test_a_tampered_unsubscribe_link_is_refused(app, session, world, tamper):
    path = _unsubscribe_page(session, world)
    prefix, token = path.rsplit("/", 1)
    bad = f"{prefix}/{tamper(token)}"
    visitor = browser(app)
    response = visitor.get(bad)
    assert response.status_code == 404 and "not valid" in response.page.get_text()
    token_page = visitor.csrf_token("/vi/village/")
    assert visitor.post(bad, data={"csrf_token": token_page}).status_code == 404
    assert visitor.post(f"{bad}/one-click",
                        data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert session.get(VillageSubscription, world["english"].id) is not None


def test_a_link_made_for_one_account_is_refused_for_another_secret(app, session, world):
    from itsdangerous import URLSafeTimedSerializer

    follow(session, world["english"])
    forged = URLSafeTimedSerializer("another secret key", salt="village-unsubscribe").dumps(
        world["english"].id)
    assert browser(app).get(f"/vi/village/unsubscribe/{forged}").status_code == 404


def test_mail_programs_unsubscribe_in_one_click(app, session, world):
    follow(session, world["english"])
    publish(session, world["staff"], world["thon_a"])
    (message,) = messages(session)
    one_click = urlsplit(message.unsubscribe_url).path
    visitor = browser(app)
    assert visitor.post(one_click, data={}).status_code == 400  # nothing but the RFC's body
    assert session.get(VillageSubscription, world["english"].id) is not None
    response = visitor.post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    session.rollback()
    assert session.get(VillageSubscription, world["english"].id) is None


def test_a_withdrawn_announcement_stays_out_of_the_digest(app, session, world):
    from app.village import announcements

    follow(session, world["resident_a"], mode="digest")
    item = publish(session, world["staff"], world["thon_a"], title_vi="Nhầm")
    announcements.withdraw(session, world["staff"], item.id)
    assert subscriptions.send_digests(session, utcnow() + timedelta(days=1), hour=18) == 0


def test_who_a_notice_reaches_is_one_rule_seen_from_both_ends(app, session, world):
    """audience_units (the fan-out) and reaches (the digest) agree for every place and unit."""
    from app.village.services import Place

    units = [world[k] for k in ("commune", "thon_a", "thon_b", "far", "far_village")]
    places = [Place(world["commune"], None), Place(world["commune"], world["thon_a"]),
              Place(world["commune"], world["thon_b"]), Place(world["far"], None),
              Place(world["far"], world["far_village"])]
    for place in places:
        audience = subscriptions.audience_units(session, [place])
        for unit in units:
            by_rule = subscriptions.reaches(unit, place.commune.id,
                                            place.village.id if place.village else None)
            assert (unit.id in audience) == by_rule, (place.key, unit.name_vi)


def test_guessing_unsubscribe_links_is_rate_limited_per_address(database, redis_prefix):
    from tests.integration.test_rate_limits import limited_app

    with limited_app(database, redis_prefix, RATELIMIT_UNSUBSCRIBE="3 per minute") as app:
        client = app.test_client()
        answers = [client.post(f"/vi/village/unsubscribe/guess-{i}/one-click",
                               data={"List-Unsubscribe": "One-Click"}).status_code
                   for i in range(4)]
    assert answers == [404, 404, 404, 429]


def test_a_phone_only_resident_is_told_when_no_text_message_can_be_sent(app, world):
    phone_only = browser(app, world["resident_a"], lang="en").get("/en/village/subscription")
    assert "cannot send text messages yet" in phone_only.page.get_text()
    with_email = browser(app, world["english"], lang="en").get("/en/village/subscription")
    assert "cannot send text messages yet" not in with_email.page.get_text()
