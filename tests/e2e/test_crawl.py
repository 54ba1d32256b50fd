"""Every page a person can reach by following links, as each kind of person, in both languages:
axe-core finds no serious or critical problem, and nothing the page asks for fails.

A crawl, not a list, so a new page is checked the day it gets a link. Pages that differ only by
an id (/cases/12, /cases/13) are visited once; POST buttons are not pressed (the flows have
their own tests). An earlier probe's crawl found a serious violation on the English leader
overview and a 404 for a resource on /vi/ (the browser's favicon request).
"""
from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.demo.seed import DEMO_PASSWORD
from tests.e2e.test_accessibility import BLOCKING, describe

pytestmark = pytest.mark.e2e

WHO = {
    "anonymous": None,
    "resident": "0912345678",
    "officer": "chuyenvien@conglang.demo",
    "leader": "lanhdao@conglang.demo",
    "admin": "quantri@conglang.demo",
}
MAX_PAGES = 48
# Where the crawl starts: the home page, and sections whose pages sit deep in its link order
# (questions and answers, voters' meetings, citizen reception), so the page cap never leaves
# them out.
ROOTS = ("/", "/reports/", "/petitions/", "/petitions/voter-meetings", "/reception/")
_ID = re.compile(r"/\d+(?=/|$)")


def _shape(path: str) -> str:
    """/vi/workbench/cases/12 and /vi/workbench/cases/13 are the same page to check (and so
    are a page and its filtered or paged versions: the key is the path alone)."""
    return _ID.sub("/<id>", path)


def _is_download(path: str) -> bool:
    """Links that answer with a file rather than a page (see the routes that send_file)."""
    plain = urlsplit(path).path
    return (plain.endswith((".csv", "/template", "/result", "/attachment")) or "/files/" in plain)


def _log_in(page, lang: str, who: str) -> None:
    page.goto(f"/{lang}/account/login")
    page.locator("#identifier").fill(who)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/account/login" not in page.url, f"{who} could not log in"


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("role", list(WHO))
def test_every_reachable_page_is_accessible_and_complete(new_context, live_server, role, lang):
    page = new_context(locale="vi-VN" if lang == "vi" else "en-GB").new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url} (from {page.url})")
            if r.status >= 400 else None)
    # A request the browser itself abandons when the crawl moves on (net::ERR_ABORTED) is not
    # the page's fault; anything else that fails is.
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}: {r.failure} (from {page.url})")
            if "ERR_ABORTED" not in (r.failure or "") else None)
    if WHO[role]:
        _log_in(page, lang, WHO[role])

    axe = Axe()
    queue, seen, problems = [f"/{lang}{root}" for root in ROOTS], set(), []
    host = urlsplit(live_server.url).netloc
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        key = _shape(urlsplit(path).path)
        if key in seen:
            continue
        seen.add(key)
        if _is_download(path):
            # A file to download (a CSV, an uploaded paper, a blank form): the browser would
            # save it, not show it. It must still answer, with its own type.
            answer = page.request.get(path)
            if answer.status >= 400:
                problems.append(f"{path}: HTTP {answer.status}")
            continue
        response = page.goto(path)
        page.wait_for_load_state("load")
        if response is None or response.status >= 400:
            problems.append(f"{path}: HTTP {response.status if response else '?'}")
            continue
        assert page.locator("html").get_attribute("lang") == lang, path
        blocking = [v for v in axe.run(page).response["violations"] if v.get("impact") in BLOCKING]
        if blocking:
            problems.append(f"{path}:\n{describe(blocking)}")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url, _ = urldefrag(href)
            parts = urlsplit(url)
            if parts.netloc != host or not parts.path.startswith(f"/{lang}/"):
                continue  # other sites, the other language, static files
            if "/logout" in parts.path or "print" in parts.query:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _shape(parts.path) not in seen:
                queue.append(target)
    assert len(seen) >= (3 if role in ("anonymous", "resident") else 5), f"the crawl only saw {sorted(seen)}"
    assert not failed, "requests that failed:\n" + "\n".join(sorted(set(failed)))
    assert not problems, f"{role} in {lang}:\n" + "\n\n".join(problems)
