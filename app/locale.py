"""Language in the URL (/vi/..., /en/...), so a shared link opens in the language it was
shared in; `/` picks one from the `lang` cookie, then Accept-Language, then Vietnamese."""
from __future__ import annotations

from flask import Flask, g, request
from werkzeug.routing import BaseConverter

from flask_babel import Domain, _get_current_context, refresh

from app.extensions import babel

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
COOKIE = "lang"


class LanguageConverter(BaseConverter):
    """Only known languages match, so /fr/... is a plain 404 rather than a broken page."""

    regex = "vi|en"


def preferred_language() -> str:
    """The language for a request that has none in its URL."""
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    return g.get("lang_code") or _language_in_path() or preferred_language()


def _language_in_path() -> str | None:
    """/en/... that matched no route (a 404, an id out of range) still answers in English.
    The JSON API (/api/...) has no language in its path: it takes `?lang=`."""
    first = request.path.lstrip("/").split("/", 1)[0]
    if first == "api":
        asked = request.args.get("lang")
        return asked if asked in LANGUAGES else None
    return first if first in LANGUAGES else None


class RequestCachedDomain(Domain):
    """Flask-Babel's domain, remembering the request's catalogue next to the locale it is for.

    Flask-Babel finds the catalogue anew for every string (its per-request namespace on `g`,
    the domain, the locale, the locale's name, a dict look-up): a page translates 50 to 100
    strings. The catalogue is kept on that same namespace with the locale object it belongs to,
    and used only while that very object is the locale: refresh() (a new request, a language
    change) drops the locale, and force_locale() swaps it and puts the old one back, so both
    find a different object and look the catalogue up again."""

    def get_translations(self):
        ctx = _get_current_context()
        if ctx is None:
            return super().get_translations()
        cached = getattr(ctx, "conglang_translations", None)
        locale = getattr(ctx, "babel_locale", None)
        if cached is not None and locale is not None and cached[0] is locale:
            return cached[1]
        found = super().get_translations()  # sets ctx.babel_locale when it was not set
        ctx.conglang_translations = (getattr(ctx, "babel_locale", None), found)
        return found


def init_app(app: Flask) -> None:
    app.url_map.converters["lang"] = LanguageConverter
    babel.init_app(app, locale_selector=current_language,
                   timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"])
    # One domain for the whole portal (the default "messages"); set once, shared by every app
    # in a process like Flask-Babel's own.
    if not isinstance(babel.__dict__.get("domain_instance"), RequestCachedDomain):
        babel.domain_instance = RequestCachedDomain(domain=app.config.get(
            "BABEL_DOMAIN", "messages"))
    domain = babel.domain_instance
    # Templates call the domain's catalogue directly, skipping the per-string domain look-up.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n))

    @app.url_value_preprocessor
    def pull_language(endpoint, values):
        # Runs for every request, matched or not. Set (or clear) the language explicitly and
        # drop Babel's cached locale: an application context can outlive one request (tests,
        # CLI), and a language must never leak from one request into the next.
        g.lang_code = values.pop("lang_code", None) if values else None
        refresh()

    @app.url_defaults
    def add_language(endpoint, values):
        if "lang_code" in values or not app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
            return
        values["lang_code"] = current_language()

    @app.after_request
    def remember_language(response):
        lang = g.get("lang_code")
        if lang and request.cookies.get(COOKIE) != lang:
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                                secure=app.config["SESSION_COOKIE_SECURE"], httponly=True)
        return response
