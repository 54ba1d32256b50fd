"""Pure rules of village notices: when the daily digest is due, which language a bilingual
notice shows, when an alert stops showing, which categories a subscription takes, and the
file name a download offers."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.models import Alert, Announcement, VillageSubscription
from app.queue.calendar import LOCAL_TZ
from app.uploads import KINDS
from app.village.announcements import _download_name
from app.village.subscriptions import digest_slot


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


@pytest.mark.parametrize("now, slot", [
    (local(2026, 3, 2, 18, 0), local(2026, 3, 2, 18, 0)),      # on the hour: today's
    (local(2026, 3, 2, 17, 59), local(2026, 3, 1, 18, 0)),     # just before: yesterday's
    (local(2026, 3, 2, 23, 30), local(2026, 3, 2, 18, 0)),
    (local(2026, 3, 3, 0, 30), local(2026, 3, 2, 18, 0)),      # after midnight in Vietnam
    (local(2026, 1, 1, 6, 0), local(2025, 12, 31, 18, 0)),     # across a year
])
def test_the_digest_is_due_at_the_last_digest_hour_in_vietnam(now, slot):
    assert digest_slot(now, 18) == slot
    assert digest_slot(now, 18).tzinfo is not None


def test_the_digest_slot_moves_once_a_day():
    start = local(2026, 3, 2, 12, 0)
    slots = {digest_slot(start + timedelta(minutes=30 * i), 7) for i in range(48)}
    assert len(slots) == 2  # 24 hours of passes: yesterday's 07:00, then today's


def _notice(**kw) -> Announcement:
    values = dict(title_vi="Họp thôn", title_en="", body_vi="Họp lúc 19 giờ.", body_en="")
    values.update(kw)
    return Announcement(**values)


def test_a_notice_is_read_in_english_only_when_both_english_fields_exist():
    both = _notice(title_en="Village meeting", body_en="At 7 pm.")
    assert (both.title("en"), both.body("en"), both.shown_lang("en")) == (
        "Village meeting", "At 7 pm.", "en")
    assert (both.title("vi"), both.shown_lang("vi")) == ("Họp thôn", "vi")
    vietnamese_only = _notice()
    assert (vietnamese_only.title("en"), vietnamese_only.shown_lang("en")) == ("Họp thôn", "vi")


def test_an_announcement_expires_after_its_last_day():
    notice = _notice(valid_from=date(2026, 3, 1), valid_until=date(2026, 3, 2))
    assert not notice.expired(date(2026, 3, 2)) and notice.expired(date(2026, 3, 3))
    assert not _notice(valid_from=date(2026, 3, 1), valid_until=None).expired(date(2099, 1, 1))


def test_an_alert_ends_at_its_expiry_or_its_withdrawal_whichever_comes_first():
    issued = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    alert = Alert(severity="warning", issued_at=issued, expires_at=issued + timedelta(hours=6))
    assert alert.ends_at() == issued + timedelta(hours=6)
    assert alert.active(issued + timedelta(hours=5))
    assert not alert.active(issued + timedelta(hours=6))
    alert.withdrawn_at = issued + timedelta(hours=1)
    assert alert.ends_at() == issued + timedelta(hours=1)
    assert not alert.active(issued + timedelta(hours=2))


def test_severities_rank_the_emergency_highest():
    ranks = [Alert(severity=s).severity_rank for s in ("advisory", "warning", "emergency")]
    assert ranks == sorted(ranks) and len(set(ranks)) == 3


def test_a_subscription_without_categories_takes_every_one():
    assert VillageSubscription(categories="").wants("power_cut")
    chosen = VillageSubscription(categories="meeting,vaccination")
    assert chosen.wants("meeting") and not chosen.wants("power_cut")
    assert chosen.category_list == ["meeting", "vaccination"]


@pytest.mark.parametrize("name, kind, expected", [
    ("lịch tiêm.pdf", "pdf", "lịch tiêm.pdf"),
    ("C:\\Users\\xa\\thong-bao.pdf", "pdf", "thong-bao.pdf"),
    ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
    ('a"b<c>.png', "png", "abc.png"),
    ("\x00\x01", "jpeg", "dinh-kem.jpg"),
])
def test_a_download_offers_a_safe_version_of_the_uploaders_name(name, kind, expected):
    assert _download_name(name, KINDS[kind]) == expected
