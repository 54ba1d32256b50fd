"""Language lives in the URL; `/` chooses from the cookie, then Accept-Language."""


def test_root_sends_a_vietnamese_browser_to_vietnamese(client):
    response = client.get("/", headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/vi/")


def test_root_sends_an_english_browser_to_english(client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert response.headers["Location"].endswith("/en/")


def test_root_defaults_to_vietnamese(client):
    assert client.get("/", headers={"Accept-Language": "fr"}).headers["Location"].endswith("/vi/")


def test_a_visit_remembers_the_language_over_the_browser_preference(client):
    client.get("/en/")
    response = client.get("/", headers={"Accept-Language": "vi"})
    assert response.headers["Location"].endswith("/en/")


def test_pages_are_in_the_language_of_their_url(client):
    vi = client.get("/vi/").page
    en = client.get("/en/").page
    assert vi.html["lang"] == "vi" and en.html["lang"] == "en"
    assert vi.h1.get_text() != en.h1.get_text()
    assert "Thủ tục hành chính" in vi.get_text()
    assert "Administrative procedures" in en.get_text()


def test_language_switch_keeps_you_on_the_same_page(client):
    page = client.get("/vi/account/login?next=/vi/").page
    link = page.select_one('.lang-switch a[hreflang="en"]')
    assert link["href"].startswith("/en/account/login")
    assert "next=" in link["href"]


def test_links_inside_a_page_keep_its_language(client):
    page = client.get("/en/account/login").page
    hrefs = [a["href"] for a in page.select("main a")]
    assert hrefs and all(h.startswith("/en/") for h in hrefs)


def test_an_unknown_language_prefix_is_a_bilingual_404(client):
    response = client.get("/fr/", headers={"Accept-Language": "vi"})
    assert response.status_code == 404
    assert response.page.html["lang"] == "vi"
    assert "Không tìm thấy trang" in response.page.get_text()
    response = client.get("/de/account/login", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and "Page not found" in response.page.get_text()


def test_dates_and_money_are_formatted_the_vietnamese_way(app):
    from datetime import date, datetime, timezone

    from app.templating import format_day, format_moment, format_vnd

    with app.test_request_context("/vi/"):
        assert format_day(date(2026, 2, 5)) == "05/02/2026"
        # 23:30 UTC on 31/12 is already New Year's Day in Hà Nội.
        assert format_moment(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == "06:30 01/01/2027"
        assert format_vnd(1500000) == "1.500.000 ₫"
