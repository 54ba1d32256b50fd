"""Headers and cookies that protect residents on shared phones and hostile networks."""
import re



def test_every_page_sends_the_security_headers(client):
    response = client.get("/vi/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_carry_the_csrf_token_for_htmx_in_a_meta_tag(client):
    page = client.get("/en/").page
    assert page.find("meta", attrs={"name": "csrf-token"})["content"]
    scripts = [s["src"] for s in page.find_all("script")]
    assert any(re.search(r"htmx-\d+\.\d+\.\d+\.min\.js$", s) for s in scripts)


def test_pages_with_personal_data_are_not_cached(client, units):
    from app.auth.services import create_staff

    create_staff(client.application.extensions["sqlalchemy"].session, full_name="A", password="password-1",
                 role="admin", email="a@example.vn")
    client.login("a@example.vn", "password-1")
    assert client.get("/vi/account/").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite(client, units):
    response = client.get("/vi/account/login")  # the form's CSRF token starts the session
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = [c for c in cookies if c.startswith("session=")]
    assert session_cookie and "HttpOnly" in session_cookie[0] and "SameSite=Lax" in session_cookie[0]


def test_logout_needs_a_post_with_a_csrf_token(client):
    assert client.get("/vi/account/logout").status_code == 405
    assert client.post("/vi/account/logout").status_code == 400

