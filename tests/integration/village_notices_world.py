"""A small world for the announcement, alert and subscription tests (tests/integration/
test_announcements.py, test_alerts.py, test_subscriptions.py): one commune with two villages
and its staff, a village head, a neighbouring commune with its own staff, residents in each
place (one of them reading in English), and helpers to act as each of them."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.models import User, utcnow
from app.queue.calendar import local_day
from tests.access_matrix import PersonClient
from tests.factories import make_department, make_officer, make_unit, make_user

PASSWORD = "notices-pass-1"
# The smallest valid PNG (a 1×1 pixel) and a small PDF, judged by content like any upload.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def today() -> date:
    return local_day(utcnow())


def day(offset: int = 0) -> str:
    """A day relative to today as the date picker sends it."""
    return (today() + timedelta(days=offset)).isoformat()


def moment(offset: timedelta) -> str:
    """A local date and time relative to now as the datetime picker sends it."""
    from app.queue.calendar import LOCAL_TZ

    return (utcnow() + offset).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def _resident(session, commune, village=None, **kwargs) -> User:
    user = make_user(session, role="resident", password=PASSWORD, commune=commune, **kwargs)
    user.village_id = village.id if village is not None else None
    return user


@pytest.fixture
def world(session):
    province = make_unit(session, level="province")
    commune = make_unit(session, level="commune", parent=province, name_vi="Xã Tân Hòa",
                        name_en="Tan Hoa Commune")
    thon_a = make_unit(session, level="village", parent=commune, name_vi="Thôn Đông",
                       name_en="Dong Village")
    thon_b = make_unit(session, level="village", parent=commune, name_vi="Thôn Tây",
                       name_en="Tay Village")
    far = make_unit(session, level="commune", parent=province, name_vi="Xã Xa Xôi")
    far_village = make_unit(session, level="village", parent=far, name_vi="Thôn Xa")
    dept = make_department(session, commune)
    far_dept = make_department(session, far)
    staff = make_officer(session, dept, password=PASSWORD)
    outsider = make_officer(session, far_dept, password=PASSWORD)
    head = make_user(session, role="officer", password=PASSWORD)  # no seat: only a head
    from app.models import VillageHead

    session.add(VillageHead(user_id=head.id, village_id=thon_a.id))
    admin = make_user(session, role="admin", password=PASSWORD)
    resident_a = _resident(session, commune, thon_a, full_name="Lò Văn A")
    resident_b = _resident(session, commune, thon_b, full_name="Hà Thị B")
    resident_far = _resident(session, far, far_village)
    homeless = make_user(session, role="resident", password=PASSWORD)  # no commune at all
    english = _resident(session, commune, thon_a, email="lan@example.vn", full_name="Lan")
    english.locale = "en"
    session.commit()
    return dict(province=province, commune=commune, thon_a=thon_a, thon_b=thon_b, far=far,
                far_village=far_village, dept=dept, staff=staff, outsider=outsider, head=head,
                admin=admin, resident_a=resident_a, resident_b=resident_b,
                resident_far=resident_far, homeless=homeless, english=english)


class Fresh(PersonClient):
    """A person's browser; after each request the test's own session starts a new transaction,
    so what it reads next includes what the request wrote (SQLite reads from a snapshot)."""

    def open(self, *args, **kwargs):
        from app.extensions import db

        response = super().open(*args, **kwargs)
        db.session.rollback()
        return response


def browser(app, user: User | None = None, lang: str = "vi"):
    app.test_client_class = Fresh
    client = app.test_client()
    if user is not None:
        assert client.login(user.email or user.phone, PASSWORD, lang=lang).status_code == 302
    return client


def errors(response) -> list[str]:
    """What the page says went wrong: the error summary and the messages by the fields."""
    page = response.page
    return [e.get_text(" ", strip=True)
            for e in page.select(".error-summary li, .error-summary p, .error-message")]


def key(unit) -> str:
    return f"{'village' if unit.level == 'village' else 'commune'}:{unit.id}"


def announcement_form(place, **overrides) -> dict:
    data = {"title_vi": "Ngày tiêm chủng", "body_vi": "Mang theo sổ tiêm chủng.",
            "title_en": "", "body_en": "", "place": key(place), "category": "vaccination",
            "valid_from": day(0), "valid_until": day(3)}
    data.update(overrides)
    return data


def alert_form(*places, **overrides) -> dict:
    data = {"hazard": "flood", "severity": "warning", "title_vi": "Cảnh báo lũ",
            "body_vi": "Không qua ngầm tràn.", "title_en": "", "body_en": "",
            "expires_at": moment(timedelta(hours=6)), "areas": [key(p) for p in places]}
    data.update(overrides)
    return data


def publish(session, user, place, *, now: datetime | None = None, **fields):
    """An announcement made through the service, as the page would."""
    from app.village import announcements

    values = dict(title_vi="Thông báo", title_en="", body_vi="Nội dung.", body_en="",
                  place_key=key(place), category="meeting", valid_from=today(),
                  valid_until=None)
    values.update(fields)
    return announcements.publish(session, user, announcements.AnnouncementInput(**values),
                                 now=now)


def issue(session, user, *places, now: datetime | None = None, **fields):
    from app.village import alerts

    values = dict(hazard="flood", severity="warning", title_vi="Cảnh báo lũ", title_en="",
                  body_vi="Không qua ngầm tràn.", body_en="",
                  expires_at=(now or utcnow()) + timedelta(hours=6),
                  area_keys=[key(p) for p in places])
    values.update(fields)
    return alerts.issue(session, user, alerts.AlertInput(**values), now=now)
