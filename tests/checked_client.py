"""The one test client every integration test uses.

Every HTML page it fetches is parsed and checked the way a careful reviewer would: a title,
a `lang` attribute, a label for every input, no duplicate ids, no inline script. Tests then
assert on the parsed page (`response.page`), not on substrings.
"""
from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

UNLABELLED_OK = {"hidden", "submit", "button", "reset", "image"}


class PageProblem(AssertionError):
    pass


def check_page(html: str, url: str) -> BeautifulSoup:
    page = BeautifulSoup(html, "html.parser")
    problems = []
    root = page.find("html")
    if root is None or root.get("lang") not in ("vi", "en"):
        problems.append("<html> has no lang of vi or en")
    title = page.find("title")
    if title is None or not title.get_text(strip=True):
        problems.append("no <title>")
    ids = Counter(el["id"] for el in page.find_all(id=True))
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:
        problems.append(f"duplicate ids: {dupes}")
    labelled = {label.get("for") for label in page.find_all("label") if label.get("for")}
    for field in page.find_all(["input", "select", "textarea"]):
        if field.name == "input" and field.get("type", "text") in UNLABELLED_OK:
            continue
        if field.get("id") in labelled or field.get("aria-label") or field.get("aria-labelledby"):
            continue
        if field.find_parent("label") is not None:
            continue
        problems.append(f"<{field.name} name={field.get('name')!r}> has no label")
    for script in page.find_all("script"):
        if not script.get("src"):
            problems.append("inline <script> (the CSP forbids it)")
    for form in page.find_all("form"):
        if (form.get("method") or "get").lower() == "post" and not form.find("input", attrs={"name": "csrf_token"}):
            problems.append(f"POST form without csrf_token (action={form.get('action')!r})")
    if problems:
        raise PageProblem(f"{url}: " + "; ".join(problems))
    return page


class CheckedClient(FlaskClient):
    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.page = None
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            url = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "?")
            if "<html" not in html[:500].lower():
                response.page = BeautifulSoup(html, "html.parser")  # an htmx fragment
            else:
                response.page = check_page(html, url)
        return response

    def csrf_token(self, url: str) -> str:
        """The CSRF token of the form on `url`, as a browser would find it."""
        response = self.get(url)
        field = response.page.find("input", attrs={"name": "csrf_token"})
        if field is None:
            meta = response.page.find("meta", attrs={"name": "csrf-token"})
            return meta["content"]
        return field["value"]

    def submit(self, url: str, data: dict | None = None, *, form_url: str | None = None, **kwargs):
        """Load the page with the form (form_url, default url), then post `data` with its token."""
        payload = {"csrf_token": self.csrf_token(form_url or url)}
        payload.update(data or {})
        return self.post(url, data=payload, **kwargs)

    def login(self, identifier: str, password: str, lang: str = "vi"):
        return self.submit(f"/{lang}/account/login", {"identifier": identifier, "password": password})
