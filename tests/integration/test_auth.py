"""Registering, logging in and out, changing and resetting passwords, as a resident would."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import OutboxMessage, PasswordResetToken, User, utcnow

PASSWORD = "mat-khau-2026"


def _village_of(units, commune_code="05600"):
    return units[commune_code].id, units[f"{commune_code}-01"].id


def _register(client, units, lang="vi", **overrides):
    commune_id, village_id = _village_of(units)
    data = {"full_name": "Nguyễn Văn Bình", "phone": "0987 654 321", "email": "",
            "commune_id": commune_id, "village_id": village_id, "locale": lang,
            "password": PASSWORD, "confirm": PASSWORD}
    data.update(overrides)
    return client.submit(f"/{lang}/account/register", data)


def _count_users(session):
    return session.scalar(select(func.count(User.id)))


def test_resident_registers_with_a_phone_number_and_is_logged_in(client, units, session):
    response = _register(client, units)
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.phone == "0987654321"))
    assert user.full_name == "Nguyễn Văn Bình" and user.role == "resident"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    home = client.get(response.headers["Location"]).page
    assert home.find("button", string=re.compile("Đăng xuất"))


def test_registration_with_a_bad_phone_number_keeps_the_input_and_saves_nothing(client, units, session):
    response = _register(client, units, lang="en", phone="12345", full_name="Trần Thị Mai")
    assert response.status_code == 200
    page = response.page
    phone = page.find("input", attrs={"name": "phone"})
    assert phone["aria-invalid"] == "true" and phone["value"] == "12345"
    assert page.find("input", attrs={"name": "full_name"})["value"] == "Trần Thị Mai"
    assert page.find("input", attrs={"name": "password"}).get("value") in (None, "")
    summary = page.select_one(".error-summary a[href='#phone']")
    assert "Vietnamese mobile number" in summary.get_text()
    assert _count_users(session) == 0


def test_registration_error_messages_follow_the_page_language(client, units):
    page = _register(client, units, lang="vi", phone="12345").page
    assert "Nhập số điện thoại di động" in page.select_one("#phone-error").get_text()


def test_a_phone_number_can_only_have_one_account(client, units, session):
    _register(client, units)
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    response = _register(client, units, lang="en", phone="+84 987 654 321")
    assert response.status_code == 200
    assert "already exists" in response.page.select_one("#phone-error").get_text()
    assert _count_users(session) == 1


def test_an_account_needs_a_phone_or_an_email(client, units, session):
    response = _register(client, units, lang="en", phone="", email="")
    assert "phone number or an email" in response.page.get_text()
    assert _count_users(session) == 0


def test_the_village_must_belong_to_the_chosen_commune(client, units, session):
    response = _register(client, units, lang="en", village_id=units["05700-01"].id)
    assert "not in the commune" in response.page.get_text()
    assert _count_users(session) == 0


def test_mismatched_passwords_are_refused(client, units, session):
    response = _register(client, units, lang="en", confirm="something-else")
    assert "do not match" in response.page.get_text()
    assert _count_users(session) == 0


def test_a_form_without_its_csrf_token_is_refused(client, units, session):
    commune_id, village_id = _village_of(units)
    response = client.post("/en/account/register", data={
        "full_name": "X", "phone": "0987654321", "commune_id": commune_id,
        "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.page.get_text()
    assert _count_users(session) == 0


def test_resident_logs_out_and_back_in_with_phone_or_email(client, units):
    _register(client, units, email="binh@example.vn")
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    assert client.get("/vi/account/").status_code == 302
    assert client.login("0987654321", PASSWORD).status_code == 302
    assert client.get("/vi/account/").status_code == 200
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    assert client.login("BINH@example.vn", PASSWORD, lang="en").status_code == 302


def test_wrong_password_says_so_and_keeps_the_login_name(client, units):
    _register(client, units)
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    response = client.login("0987654321", "wrong-password", lang="en")
    assert response.status_code == 200
    assert "is not right" in response.page.get_text()
    assert response.page.find("input", attrs={"name": "identifier"})["value"] == "0987654321"
    assert response.page.find("input", attrs={"name": "password"}).get("value") in (None, "")


def test_login_does_not_follow_a_next_link_to_another_site(client, units):
    _register(client, units)
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    token = client.csrf_token("/vi/account/login")
    response = client.post("/vi/account/login?next=//evil.example/x",
                           data={"csrf_token": token, "identifier": "0987654321", "password": PASSWORD})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_resident_changes_password(client, units):
    _register(client, units)
    bad = client.submit("/en/account/password", {"current_password": "nope", "new_password": "new-pass-123",
                                                 "confirm": "new-pass-123"})
    assert "current password is not right" in bad.page.get_text()
    ok = client.submit("/en/account/password", {"current_password": PASSWORD, "new_password": "new-pass-123",
                                                "confirm": "new-pass-123"})
    assert ok.status_code == 302
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    assert client.login("0987654321", "new-pass-123").status_code == 302


def _reset_link(session) -> str:
    secret = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().secret
    return re.search(r"(/(?:vi|en)/account/reset-password/[\w-]+)", secret).group(1)


def test_password_reset_by_one_time_link_from_the_outbox(client, units, session):
    _register(client, units, email="binh@example.vn")
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    response = client.submit("/en/account/forgot-password", {"identifier": "binh@example.vn"})
    assert response.status_code == 302
    message = session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "binh@example.vn" and message.sent_at is None
    link = _reset_link(session)
    assert client.submit(link, {"password": "brand-new-pass", "confirm": "brand-new-pass"}).status_code == 302
    assert client.login("binh@example.vn", "brand-new-pass").status_code == 302
    # The same link does not work twice.
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    again = client.submit(link, {"password": "another-pass-1", "confirm": "another-pass-1"})
    assert again.status_code == 302 and "forgot-password" in again.headers["Location"]


def test_reset_for_an_unknown_account_looks_the_same_and_sends_nothing(client, units, session):
    response = client.submit("/en/account/forgot-password", {"identifier": "nobody@example.vn"})
    assert response.status_code == 302
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_an_expired_reset_link_is_refused(client, units, session):
    _register(client, units)
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    client.submit("/vi/account/forgot-password", {"identifier": "0987654321"})
    assert session.scalars(select(OutboxMessage)).one().channel == "sms"
    link = _reset_link(session)
    token = session.scalars(select(PasswordResetToken)).one()
    token.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    response = client.submit(link, {"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).page
    assert "hết hạn" in page.get_text()
    assert client.login("0987654321", PASSWORD).status_code == 302


def test_an_oversized_request_body_is_refused_with_a_clear_page(app, client, units):
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024
    response = client.post("/en/account/register", data={"full_name": "x" * too_big})
    assert response.status_code == 413
    assert "larger than the portal accepts" in response.page.get_text()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_login_is_rate_limited(database, lang):
    from tests.conftest import _app_for
    from tests.checked_client import CheckedClient

    app = _app_for(database, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    app.test_client_class = CheckedClient
    with app.app_context():
        client = app.test_client()
        statuses = [client.login("0900000000", "wrong-password", lang=lang).status_code for _ in range(4)]
        assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
        from app.extensions import db
        db.session.remove()
        db.engine.dispose()
