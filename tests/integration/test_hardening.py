"""What an attacker's probe found, each as the person (or the attacker) would see it.

Each test here failed before its fix. The class-level defences (every route fuzzed, every
route in the access matrix) live in test_fuzz_routes.py and test_access_matrix.py.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.models import Case, CaseEvent, OutboxMessage, PasswordResetToken, User, utcnow
from app.queue.actions import perform
from app.queue.states import ApologyDateTooLate
from tests.conftest import _app_for
from tests.checked_client import CheckedClient
from tests.factories import make_case, make_department, make_officer, make_resident

PASSWORD = "mat-khau-2026"
UTC = timezone.utc


@pytest.fixture
def resident(session, units):
    user = make_resident(session, password=PASSWORD, commune=units["05600"])
    session.commit()
    return user


def _login(client, user, lang="vi", remember=False):
    data = {"identifier": user.email or user.phone, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.submit(f"/{lang}/account/login", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def _logout(client):
    return client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def _new_client(app, **cookies) -> CheckedClient:
    app.test_client_class = CheckedClient
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _signed_in(client) -> bool:
    return client.get("/vi/account/").status_code == 200


class _Recorder:
    available, unavailable_reason = True, None

    def __init__(self, name):
        self.name, self.sent = name, []

    def send(self, message, body):
        self.sent.append(body)


def _delivered_text(session, message: OutboxMessage) -> str:
    """What the message says to its recipient once delivered (and the outbox keeps no link)."""
    from app.notifications.outbox import deliver_due

    email = _Recorder("email")
    deliver_due(session, {"email": email, "sms": _Recorder("sms")})
    session.expire_all()
    stored = session.get(OutboxMessage, message.id)
    assert stored.secret is None and "reset-password" not in stored.body
    return email.sent[0]


# -- 1. absolute links come from PUBLIC_URL, never from the Host header ------------------------

@pytest.fixture
def public_app(database):
    app = _app_for(database, PUBLIC_URL="https://dichvucong.example.vn",
                   TRUSTED_HOSTS=["dichvucong.example.vn", "localhost"])
    with app.app_context():
        yield app
        from app.extensions import db
        db.session.remove()
        db.engine.dispose()


def test_a_reset_link_points_at_the_portal_whatever_host_the_request_named(public_app, units):
    from app.extensions import db

    session = db.session
    user = make_resident(session, password=PASSWORD, email="binh@example.vn")
    session.commit()
    client = _new_client(public_app)
    token = client.csrf_token("/vi/account/forgot-password")
    response = client.post("/vi/account/forgot-password", data={
        "csrf_token": token, "identifier": "binh@example.vn"},
        headers={"Host": "localhost", "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 302
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == user.id))
    text = _delivered_text(session, message)
    assert "evil.example" not in text
    assert re.search(r"https://dichvucong\.example\.vn/vi/account/reset-password/\S+", text)


def test_outside_development_a_forged_host_header_gets_a_400(public_app):
    client = _new_client(public_app)
    assert client.get("/vi/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/vi/", headers={"Host": "dichvucong.example.vn"}).status_code == 200


def test_no_page_builds_an_absolute_link_from_the_request():
    """The class of the bug: `_external=True` takes the request's host. Only app/links.py may
    build absolute links, from PUBLIC_URL."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app"
    offenders = [str(p.relative_to(root)) for p in root.rglob("*")
                 if p.suffix in (".py", ".html") and p.name != "links.py"
                 and re.search(r"_external\s*=\s*True|url_root|host_url", p.read_text())]
    assert not offenders


# -- 2. logout, password change and reset end every earlier session ------------------------------

def test_an_old_session_cookie_is_useless_after_logout(client, resident):
    _login(client, resident)
    old_session = _cookie(client, "session")
    assert _signed_in(client)
    _logout(client)
    replay = _new_client(client.application, session=old_session)
    assert not _signed_in(replay)


def test_a_remember_me_cookie_alone_stops_working_after_logout(client, resident):
    _login(client, resident, remember=True)
    remember = _cookie(client, "remember_token")
    assert remember
    assert _signed_in(_new_client(client.application, remember_token=remember))
    _logout(client)
    assert not _signed_in(_new_client(client.application, remember_token=remember))


def test_remember_me_lasts_thirty_days(client, resident):
    response = _login(client, resident, remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    expires = re.search(r"Expires=([^;]+)", header).group(1)
    when = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert timedelta(days=29) < when - datetime.now(UTC) <= timedelta(days=30, minutes=1)


def test_changing_the_password_logs_out_every_other_device(client, resident):
    _login(client, resident)                       # the phone the resident uses now
    other_phone = _new_client(client.application)  # the family phone left logged in
    _login(other_phone, resident, remember=True)
    remember = _cookie(other_phone, "remember_token")
    response = client.submit("/vi/account/password", {
        "current_password": PASSWORD, "new_password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other_phone)
    assert not _signed_in(_new_client(client.application, remember_token=remember))


def test_a_password_reset_logs_out_every_device(client, resident, session):
    from app.auth.services import _token_hash

    _login(client, resident, remember=True)
    session.add(PasswordResetToken(user_id=resident.id, token_hash=_token_hash("tok-123"),
                                   expires_at=utcnow() + timedelta(minutes=30)))
    session.commit()
    stranger = _new_client(client.application)
    response = stranger.submit("/vi/account/reset-password/tok-123",
                               {"password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert response.status_code == 302
    assert not _signed_in(client)


# -- 3. an apology letter's new date is bounded; the calendar fails safe ---------------------------

@pytest.fixture
def late_case(session):
    dept = make_department(session)
    officer = make_officer(session, dept, password=PASSWORD, skills=["civil_status"])
    leader = make_officer(session, dept, desk="leader", lead=True, password=PASSWORD,
                          skills=["civil_status"])
    now = utcnow()
    case = make_case(session, dept, state=4, assignee=officer, received_at=now - timedelta(days=20),
                     due_at=now - timedelta(days=2), applicant=make_resident(session))
    session.commit()
    return {"case": case, "officer": officer, "leader": leader}


def _case_page_form(client, case_id, action):
    page = client.get(f"/vi/workbench/cases/{case_id}").page
    return page.select_one(f"form[action$='/actions/{action}']")


def test_an_apology_date_years_away_is_refused_with_a_clear_message(client, late_case, session):
    _login(client, late_case["officer"])
    case = late_case["case"]
    form = _case_page_form(client, case.id, "request_apology")
    response = client.post(form["action"], data={
        "csrf_token": form.select_one("input[name=csrf_token]")["value"],
        "request_apology-version": str(case.version),
        "request_apology-new_due_date": "2099-12-31", "request_apology-note": "Xin lỗi"})
    assert response.status_code == 409
    error = response.page.select_one("#request_apology-new_due_date-error")
    assert error is not None and "ngày làm việc" in error.get_text()
    session.expire_all()
    assert session.get(Case, case.id).apology_due_at is None


def test_the_queue_core_refuses_an_unbounded_apology_date_for_every_caller(session, late_case):
    case, officer = late_case["case"], late_case["officer"]
    with pytest.raises(ApologyDateTooLate):
        perform(session, case.id, "request_apology", officer,
                new_due_at=datetime(9999, 12, 31, 10, tzinfo=UTC))
    within = utcnow() + timedelta(days=10)
    perform(session, case.id, "request_apology", officer, new_due_at=within)
    assert session.get(Case, case.id).apology_due_at == within


def test_a_case_with_an_absurd_due_date_can_still_leave_the_supplement_wait(session, late_case):
    """Before the bound existed a 9999 date was approved; such a case must not be stuck in 5."""
    case, officer = late_case["case"], late_case["officer"]
    perform(session, case.id, "request_supplement", officer, note="Thiếu giấy khai sinh")
    stored = session.get(Case, case.id)
    stored.due_at = datetime(9999, 12, 31, 10, tzinfo=UTC)
    stored.paused_at = utcnow() - timedelta(days=10)
    session.commit()
    perform(session, case.id, "supplement_provided", officer)
    assert session.get(Case, case.id).state == 4


# -- 4. hostile input from anonymous visitors and staff gets a 4xx, never a 500 -------------------

@pytest.mark.parametrize("url,field", [
    ("/vi/account/login", "identifier"),
    ("/vi/account/forgot-password", "identifier"),
    ("/vi/account/register", "full_name"),
])
def test_a_nul_byte_in_any_text_field_is_refused_in_the_pages_language(client, units, url, field):
    response = client.submit(url, {field: "abc\x00def", "password": "x"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True) and "ký tự" in response.get_data(as_text=True)


def test_an_oversized_village_number_is_a_field_error_and_saves_nothing(client, units, session):
    response = client.submit("/vi/account/register", {
        "full_name": "Nguyễn Văn Bình", "phone": "0987654321", "commune_id": units["05600"].id,
        "village_id": str(2 ** 70), "locale": "vi", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 200
    assert response.page.select_one("#village_id-error")
    assert session.scalar(select(func.count(User.id))) == 0


@pytest.mark.parametrize("next_url", ["/vi/\r\nSet-Cookie: x=1", "/\t/evil.example",
                                      "//evil.example", "https://evil.example/", "/\\evil.example"])
def test_a_login_next_that_leaves_the_site_lands_on_the_home_page(client, resident, next_url):
    token = client.csrf_token("/vi/account/login")
    response = client.post("/vi/account/login", query_string={"next": next_url}, data={
        "csrf_token": token, "identifier": resident.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/vi/"


@pytest.mark.parametrize("case_id", [2 ** 31, 2 ** 63, 2 ** 70])
def test_staff_asking_for_an_impossible_case_number_get_a_404(client, late_case, case_id):
    _login(client, late_case["officer"])
    assert client.get(f"/vi/workbench/cases/{case_id}").status_code == 404


def test_an_impossible_unit_in_the_queue_filter_is_ignored_not_a_crash(client, late_case):
    _login(client, late_case["officer"])
    dept_id = late_case["case"].department_id
    response = client.get(f"/vi/workbench/departments/{dept_id}/queue",
                          query_string={"unit_id": str(2 ** 70), "state": "²", "page": "9" * 30})
    assert response.status_code == 200


# -- 5. every form that changes a case says which version it saw -------------------------------------

def _action_post(client, case, action, version):
    form = _case_page_form(client, case.id, action)
    data = {"csrf_token": form.select_one("input[name=csrf_token]")["value"],
            f"{action}-note": "Ghi chú"}
    if version is not None:
        data[f"{action}-version"] = version
    return client.post(form["action"], data=data)


@pytest.mark.parametrize("version,status", [(None, 400), ("", 400), ("²", 400), ("abc", 400),
                                            (str(2 ** 70), 400), ("0", 409)])
def test_a_case_action_without_its_true_version_changes_nothing(client, late_case, session,
                                                                version, status):
    _login(client, late_case["officer"])
    case = late_case["case"]
    events_before = session.scalar(select(func.count(CaseEvent.id)))
    response = _action_post(client, case, "request_supplement", version)
    assert response.status_code == status
    assert session.scalar(select(func.count(CaseEvent.id))) == events_before
    session.expire_all()
    assert session.get(Case, case.id).state == 4


@pytest.mark.parametrize("version,status", [(None, 400), ("²", 400), ("0", 409)])
def test_release_and_reassign_need_the_version_too(client, late_case, session, version, status):
    case = late_case["case"]
    data = {"csrf_token": None}
    _login(client, late_case["officer"])
    data["csrf_token"] = client.csrf_token(f"/vi/workbench/cases/{case.id}")
    if version is not None:
        data["release-version"] = version
    assert client.post(f"/vi/workbench/cases/{case.id}/release", data=data).status_code == status
    session.expire_all()
    assert session.get(Case, case.id).assignee_id == late_case["officer"].id

    _logout(client)
    _login(client, late_case["leader"])
    data = {"csrf_token": client.csrf_token(f"/vi/workbench/cases/{case.id}"),
            "reassign-officer_id": late_case["leader"].id}
    if version is not None:
        data["reassign-version"] = version
    assert client.post(f"/vi/workbench/cases/{case.id}/reassign", data=data).status_code == status
    session.expire_all()
    assert session.get(Case, case.id).assignee_id == late_case["officer"].id


def test_an_action_no_longer_offered_says_so(client, late_case):
    _login(client, late_case["officer"])
    case = late_case["case"]
    token = client.csrf_token(f"/en/workbench/cases/{case.id}")
    response = client.post(f"/en/workbench/cases/{case.id}/actions/receive", data={
        "csrf_token": token, "receive-version": str(case.version)})
    assert response.status_code == 409
    assert "no longer possible" in response.get_data(as_text=True)


# -- 8. one safe-redirect rule ---------------------------------------------------------------------

@pytest.mark.parametrize("target,safe", [
    ("/vi/admin/routing-rules?status=active", True), ("/vi/", True),
    ("//evil.example", False), ("/\t/evil.example", False), ("/\\evil.example", False),
    ("https://evil.example", False), ("/vi/\r\nX: y", False), ("javascript:alert(1)", False),
    ("vi/", False), ("", False), (None, False), ("/ /evil", False),
])
def test_the_safe_redirect_rule(app, target, safe):
    from app.links import safe_path

    assert (safe_path(target) is not None) is safe
    assert safe_path(target) in (None, target)


def test_the_admin_next_field_cannot_send_anyone_off_site(client, demo_people, session):
    from app.demo.seed import DEMO_PASSWORD
    from datetime import date

    from app.models import CalendarDay

    assert client.login("quantri@conglang.demo", DEMO_PASSWORD).status_code == 302
    for n, hostile in enumerate(("/\t/evil.example", "/vi/\r\nX: y", "//evil.example")):
        entry = CalendarDay(day=date(2030, 1, 5 + n), kind="makeup")
        session.add(entry)
        session.commit()
        response = client.post(f"/vi/admin/calendar/{entry.id}/delete", data={
            "csrf_token": client.csrf_token("/vi/admin/calendar"), "next": hostile})
        assert response.status_code == 302
        assert response.headers["Location"] == "/vi/admin/calendar"


# -- 9. WTForms' own messages are in the page's language ------------------------------------------

def test_built_in_form_messages_are_vietnamese_on_vietnamese_pages(client, units):
    response = client.submit("/vi/account/register", {
        "full_name": "Nguyễn Văn Bình", "phone": "0987654321", "commune_id": "abc",
        "village_id": "0", "locale": "xx", "password": PASSWORD, "confirm": PASSWORD})
    text = response.page.get_text()
    for english in ("Not a valid choice", "Invalid Choice", "could not coerce",
                    "Field cannot be longer", "Not a valid integer"):
        assert english not in text
    assert response.page.select_one("#commune_id-error") and response.page.select_one("#locale-error")


def test_the_vietnamese_catalogue_is_complete():
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[2] / "app/translations/vi/LC_MESSAGES/messages.po"
    catalog = read_po(path.open("rb"))
    missing = [m.id for m in catalog if m.id and (not m.string or
               (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing and not fuzzy, (missing[:10], fuzzy[:10])


# -- 10. the smaller findings --------------------------------------------------------------------------

def test_a_chunked_body_larger_than_the_limit_is_refused_not_cut(client, units):
    client.application.config["MAX_CONTENT_LENGTH"] = 1000
    token = client.csrf_token("/vi/account/login")
    body = f"csrf_token={token}&identifier={'a' * 5000}&password=x".encode()
    response = client.post("/vi/account/login", input_stream=__import__("io").BytesIO(body),
                           headers={"Transfer-Encoding": "chunked",
                                    "Content-Type": "application/x-www-form-urlencoded"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413


def test_the_language_switch_never_builds_a_link_off_the_site(client):
    page = client.get("/vi/account/login?_external=1&_scheme=javascript&next=/vi/").page
    link = page.select_one("a[hreflang='en'], a[lang='en']")
    assert link is not None
    assert link["href"].startswith("/en/account/login?")
    assert "javascript:" not in link["href"] and "//" not in link["href"]


def test_names_refuse_direction_overrides_and_lose_zero_width_characters(client, units, session):
    refused = client.submit("/vi/account/register", {
        "full_name": "Nguyễn \u202eVăn Bình", "phone": "0987654321",
        "commune_id": units["05600"].id, "village_id": "0", "locale": "vi",
        "password": PASSWORD, "confirm": PASSWORD})
    assert refused.status_code == 200 and refused.page.select_one("#full_name-error")
    assert session.scalar(select(func.count(User.id))) == 0
    accepted = client.submit("/vi/account/register", {
        "full_name": "Nguyễn Văn\u200b Bình", "phone": "0987654321",
        "commune_id": units["05600"].id, "village_id": "0", "locale": "vi",
        "password": PASSWORD, "confirm": PASSWORD})
    assert accepted.status_code == 302
    assert session.scalar(select(User.full_name)) == "Nguyễn Văn Bình"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_admin_calendar_refuses_years_nobody_means(client, demo_people, session, day):
    from app.demo.seed import DEMO_PASSWORD
    from app.models import CalendarDay

    assert client.login("quantri@conglang.demo", DEMO_PASSWORD, lang="en").status_code == 302
    before = session.scalar(select(func.count(CalendarDay.id)))
    response = client.submit("/en/admin/calendar", {
        "day": day, "kind": "holiday", "name_vi": "Nghỉ", "name_en": "Day off"})
    assert response.status_code == 200
    assert "between 01/01/1900 and 31/12/2100" in response.page.select_one("#day-error").get_text()
    assert session.scalar(select(func.count(CalendarDay.id))) == before


# -- 6. (the outbox's own tests are in test_outbox.py) a phone-only resident is told the truth ---

def test_asking_for_a_reset_by_phone_says_text_messages_cannot_be_sent(client, resident, session):
    response = client.submit("/en/account/forgot-password", {"identifier": resident.phone})
    page = client.get(response.headers["Location"]).page
    assert "cannot send text messages yet" in page.get_text()
    stranger = client.submit("/en/account/forgot-password", {"identifier": "0933333333"})
    assert "cannot send text messages yet" in client.get(stranger.headers["Location"]).page.get_text()
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == resident.id))
    assert message.channel == "sms" and message.status == "pending"
