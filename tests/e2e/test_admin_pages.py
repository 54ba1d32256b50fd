"""Administration and staff pages on a small phone: nothing wider than the screen, nothing axe
calls serious."""
from __future__ import annotations

import re

import pytest

from app.demo.seed import DEMO_PASSWORD
from tests.e2e.test_workbench import assert_accessible

pytestmark = pytest.mark.e2e

ADMIN_PAGES = ["/{lang}/admin/", "/{lang}/admin/units", "/{lang}/admin/departments",
               "/{lang}/admin/officers", "/{lang}/admin/routing-rules", "/{lang}/admin/calendar",
               "/{lang}/admin/routing-rules/new",
               # what the field reports, the community and the village board add for staff
               "/{lang}/admin/report-categories", "/{lang}/admin/report-categories/new",
               "/{lang}/admin/api-keys", "/{lang}/community/settings",
               "/{lang}/community/moderation", "/{lang}/community/moderation/log",
               "/{lang}/community/partners/pending", "/{lang}/community/partners/",
               "/{lang}/village/manage", "/{lang}/village/heads", "/{lang}/village/needs/new",
               "/{lang}/village/alerts/new", "/{lang}/village/announcements/new"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_admin_pages_fit_a_360px_phone_and_pass_axe(new_context, lang):
    page = new_context(viewport={"width": 360, "height": 780},
                       locale="vi-VN" if lang == "vi" else "en-GB").new_page()
    page.goto(f"/{lang}/account/login")
    page.locator("#identifier").fill("quantri@conglang.demo")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form.panel button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/"))
    for path in ADMIN_PAGES:
        response = page.goto(path.format(lang=lang))
        assert response.status == 200, f"{path}: {response.status}"
        assert page.locator("html").get_attribute("lang") == lang
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{page.url} is {width}px wide"
        assert_accessible(page, page.url)
