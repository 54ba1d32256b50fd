"""Template helpers: Vietnamese dates and money, the language switch, htmx detection."""
from __future__ import annotations

from datetime import date, datetime

from babel.numbers import format_decimal
from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, get_locale

from app.locale import LANGUAGES, current_language

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def format_day(value: date | datetime | None) -> str:
    """dd/mm/yyyy in both languages: the form every Vietnamese paper and many officials use."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "dd/MM/yyyy")
    return value.strftime("%d/%m/%Y")


def format_weekday_day(value: date | None) -> str:
    """'Thứ Ba, 08/12/2026' / 'Tuesday, 08/12/2026': a day someone must turn up on."""
    if value is None:
        return ""
    return format_date(value, "EEEE, dd/MM/yyyy")


def format_moment(value: datetime | None) -> str:
    """'14:05 22/11/2026' in Vietnam's time, whatever the server's zone."""
    if value is None:
        return ""
    return format_datetime(value, "HH:mm dd/MM/yyyy")


def format_iso_moment(value: str | None) -> str:
    """An ISO timestamp kept in event data, shown like any other moment."""
    return format_moment(datetime.fromisoformat(value)) if value else ""


def format_vnd(amount: int | float | None) -> str:
    """1500000 -> '1.500.000 ₫' (dot thousands separators in both languages)."""
    if amount is None:
        return ""
    return f"{format_decimal(amount, format='#,##0', locale='vi')} ₫"


def switch_language_url(code: str) -> str:
    """The current page in another language; falls back to that language's home page."""
    endpoint = request.endpoint
    view_args = dict(request.view_args or {})
    if endpoint and "lang_code" in _endpoint_args(endpoint):
        view_args["lang_code"] = code
        try:
            path = url_for(endpoint, **view_args)
        except Exception:  # noqa: BLE001 - a page we cannot rebuild still has a home page
            return url_for("main.home", lang_code=code)
        # The query string is carried over as it came, never handed to url_for as arguments:
        # `?_external=1&_scheme=javascript` would otherwise build a link off the site.
        query = request.query_string.decode("latin-1") if request.method == "GET" else ""
        return f"{path}?{query}" if query else path
    return url_for("main.home", lang_code=code)


def _endpoint_args(endpoint: str) -> set[str]:
    from flask import current_app

    args: set[str] = set()
    for rule in current_app.url_map.iter_rules(endpoint):
        args |= rule.arguments
    return args


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["weekday_day"] = format_weekday_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["vnd"] = format_vnd
    app.jinja_env.filters["iso_moment"] = format_iso_moment
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject_locale():
        lang = current_language()
        return {
            "lang": lang,
            "languages": LANGUAGES,
            "language_names": LANGUAGE_NAMES,
            "switch_language_url": switch_language_url,
            "is_htmx": is_htmx,
            "babel_locale": get_locale,
            "has_endpoint": lambda endpoint: endpoint in app.view_functions,
        }
