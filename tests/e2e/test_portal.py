"""What a resident notices on a phone (390×844, Chromium): the language they read, registering,
logging in and out, forms that explain their errors, pages without JavaScript, no sideways
scrolling, and a first page light enough for a rural connection."""
from __future__ import annotations

import re
import unicodedata

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

DEMO_RESIDENT_PHONE = "0912345678"
PASSWORD = "Ruong-lua-2026"
LOGOUT_BUTTON = 'form[action$="/account/logout"] button[type="submit"]'
PAGE_WEIGHT_BUDGET = 60 * 1000  # bytes, gzip -6: DESIGN.md "at most 60 KB compressed"


def looks_vietnamese(text: str) -> bool:
    """True when the text has Vietnamese letters (đ, or any letter with a diacritic)."""
    return any(ch in "đĐ" or unicodedata.normalize("NFD", ch) != ch for ch in text)


def heading(page) -> str:
    return page.locator("main h1").first.inner_text().strip()


# --- language ---------------------------------------------------------------------------------

def test_a_vietnamese_phone_lands_in_vietnamese_and_the_switch_to_english_is_remembered(new_context):
    ctx = new_context(locale="vi-VN", extra_http_headers={"Accept-Language": "vi"})
    page = ctx.new_page()

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/vi/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    vi_heading = heading(page)
    assert looks_vietnamese(vi_heading), f"the /vi/ heading is not Vietnamese: {vi_heading!r}"

    page.locator(".lang-switch").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    en_heading = heading(page)
    assert en_heading != vi_heading and not looks_vietnamese(en_heading), en_heading
    expect(page.locator(".lang-switch [aria-current]")).to_have_text("English")

    # The browser still asks for Vietnamese, but the person chose English: that choice wins.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_language_switch_keeps_you_on_the_same_page(page):
    page.goto("/vi/account/login")
    page.locator(".lang-switch").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/account/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.locator(".lang-switch").get_by_role("link", name="Tiếng Việt").click()
    expect(page).to_have_url(re.compile(r"/vi/account/login$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")


# --- accounts -----------------------------------------------------------------------------------

def test_a_resident_registers_in_english_logs_out_and_logs_back_in(new_context, unique_phone):
    page = new_context(locale="en-GB").new_page()
    phone = unique_phone()

    page.goto("/en/")
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/en/account/register$"))
    page.get_by_label("Full name").fill("Nguyễn Thị Hoa")
    page.get_by_label("Mobile phone number").fill(phone)
    page.get_by_label("Commune or ward").select_option(label="Dai Phuc Commune")
    page.get_by_label("Village or hamlet (optional)").select_option(label="Tan Lap Village")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Nguyễn Thị Hoa")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Log in").click()
    page.get_by_label("Phone number or email").fill(phone)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("You are logged in.")

    page.get_by_role("button", name="Log out").click()
    page.goto("/en/account/login")
    page.get_by_label("Phone number or email").fill(phone)
    page.get_by_label("Password", exact=True).fill("not-my-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-error")).to_have_text(
        "The phone number, email or password is not right.")
    expect(page.get_by_role("alert")).to_contain_text("The phone number, email or password is not right.")
    expect(page.get_by_label("Phone number or email")).to_have_value(phone)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_a_wrong_password_is_explained_in_vietnamese_on_the_vietnamese_page(page):
    page.goto("/vi/account/login")
    page.locator("#identifier").fill(DEMO_RESIDENT_PHONE)
    page.locator("#password").fill("sai-mat-khau")
    page.locator("main form button[type=submit]").click()

    message = page.locator("#password-error")
    expect(message).to_be_visible()
    text = message.inner_text()
    assert looks_vietnamese(text) and "not right" not in text, f"not Vietnamese: {text!r}"
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#identifier")).to_have_value(DEMO_RESIDENT_PHONE)
    expect(page.locator(LOGOUT_BUTTON)).to_have_count(0)


def test_a_bad_phone_number_is_pointed_out_in_vietnamese_then_registration_succeeds(
        page, unique_phone, fill_registration):
    page.goto("/vi/account/register")
    fill_registration(page, full_name="Trần Văn Bình", phone="12345", commune="Xã Đại Phúc",
                      village="Thôn Na Mao", password=PASSWORD)
    page.locator("main form button[type=submit]").click()

    phone = page.locator("#phone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_attribute("aria-describedby", re.compile(r"\bphone-error\b"))
    expect(phone).to_have_value("12345")                              # what was typed stays
    expect(page.locator("#full_name")).to_have_value("Trần Văn Bình")
    error = page.locator("#phone-error")
    expect(error).to_be_visible()
    text = error.inner_text()
    assert looks_vietnamese(text) and "Enter a Vietnamese" not in text, f"not Vietnamese: {text!r}"

    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    link = summary.locator('a[href="#phone"]')
    expect(link).to_have_text(text)
    link.click()
    expect(page).to_have_url(re.compile(r"#phone$"))
    expect(page.locator(LOGOUT_BUTTON)).to_have_count(0)

    fill_registration(page, full_name="Trần Văn Bình", phone=unique_phone(), commune="Xã Đại Phúc",
                      village="Thôn Na Mao", password=PASSWORD)
    page.locator("main form button[type=submit]").click()
    # (the #phone fragment the summary link added follows the redirect, as browsers do)
    expect(page).to_have_url(re.compile(r"/vi/(#phone)?$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(LOGOUT_BUTTON)).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)


def test_the_same_bad_phone_number_is_explained_in_english_on_the_english_page(
        page, fill_registration):
    page.goto("/en/account/register")
    fill_registration(page, full_name="Tran Van Binh", phone="0123", commune="Dai Phuc Commune",
                      village=None, password=PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_label("Mobile phone number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phone-error")).to_have_text(
        "Enter a Vietnamese mobile number, like 0912 345 678.")
    expect(page.locator('.error-summary a[href="#phone"]')).to_have_text(
        "Enter a Vietnamese mobile number, like 0912 345 678.")


def test_logging_in_and_out_works_with_javascript_off(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/vi/account/login")
    page.locator("#identifier").fill(DEMO_RESIDENT_PHONE)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/vi/$"))
    expect(page.locator(LOGOUT_BUTTON)).to_be_visible()
    expect(page.locator('.main-nav a[href="/vi/account/login"]')).to_have_count(0)

    page.locator(LOGOUT_BUTTON).click()
    expect(page).to_have_url(re.compile(r"/vi/$"))
    expect(page.locator(LOGOUT_BUTTON)).to_have_count(0)
    expect(page.locator('.main-nav a[href="/vi/account/login"]')).to_be_visible()


# --- small screens and slow networks ------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/vi/", "/vi/account/login", "/vi/account/register",
    "/en/", "/en/account/login", "/en/account/register",
])
def test_no_sideways_scrolling_on_a_360px_phone(new_context, path):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(path)
    if path.endswith("/register"):
        page.locator("main form button[type=submit]").click()  # the longest state: every error shown
        expect(page.locator(".error-summary")).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"{path} is {scroll_width}px wide at 360px: it scrolls sideways"


# Every page a resident lands on from the home page or a message: a first visit to each must fit.
RESIDENT_LANDINGS = ["/vi/", "/vi/procedures/", "/vi/dossiers/track", "/vi/petitions/",
                     "/vi/petitions/ask", "/vi/petitions/voter-meetings", "/vi/reception/",
                     "/vi/community/", "/vi/village/", "/vi/village/announcements",
                     "/vi/reports/", "/vi/statistics/"]


@pytest.mark.parametrize("path", RESIDENT_LANDINGS)
def test_a_first_visit_to_a_resident_page_fits_the_60_kb_budget(context, path):
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")

    counted = {"document", "stylesheet", "script", "font"}
    rows = []
    for response in responses:
        kind = response.request.resource_type
        if kind not in counted or not (200 <= response.status < 300):
            continue
        body = response.body()
        # What really crossed the wire: the portal compresses its own responses
        # (Flask-Compress), so the encoded body size is the figure, headers included.
        sizes = response.request.sizes()
        wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        encoding = response.headers.get("content-encoding", "identity")
        rows.append((kind, response.url, len(body), wire, encoding))
    total = sum(row[3] for row in rows)

    print(f"\nFirst visit to {path}: {total} bytes on the wire ({total / 1000:.1f} kB) "
          f"over {len(rows)} responses")
    for kind, url, raw, wire, encoding in rows:
        print(f"  {kind:<10} {wire:>7} B {encoding:<8} {raw:>7} B raw  {url}")
    kinds = {row[0] for row in rows}
    assert {"document", "stylesheet", "script"} <= kinds, f"expected HTML, CSS and JS, got {kinds}"
    assert total <= PAGE_WEIGHT_BUDGET, (
        f"first visit moves {total} bytes compressed, over the {PAGE_WEIGHT_BUDGET} byte budget")
