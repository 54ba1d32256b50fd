"""Architecture rules as tests: every route declares who may use it, URLs are kebab-case and
localised, and the queue core stays free of Flask."""
import ast
import re
from pathlib import Path

from app.security import ACCESS_ATTR

# Framework endpoints that serve no user data.
EXEMPT = {"static"}
UNLOCALISED = {"root.pick_language", "root.healthz", "static"}
ROOT = Path(__file__).resolve().parents[2]


def _view(app, endpoint):
    view = app.view_functions[endpoint]
    while view is not None and not hasattr(view, ACCESS_ATTR):
        view = getattr(view, "__wrapped__", None)
    return view


def test_every_route_declares_an_access_rule(app):
    missing = [e for e in app.view_functions if e not in EXEMPT and _view(app, e) is None]
    assert not missing, f"routes without @public/@signed_in/@roles: {missing}"


def test_every_page_url_carries_its_language(app):
    unlocalised = [r.rule for r in app.url_map.iter_rules()
                   if r.endpoint not in UNLOCALISED and not r.endpoint.startswith(("api", "open311"))
                   and "<lang:lang_code>" not in r.rule and "lang_code" not in r.arguments]
    assert not unlocalised


def test_urls_are_kebab_case(app):
    for rule in app.url_map.iter_rules():
        static = re.sub(r"<[^>]+>", "", rule.rule)
        assert static == static.lower() and "_" not in static.replace(".json", ""), rule.rule


def test_the_queue_core_imports_nothing_from_flask():
    for path in (ROOT / "app" / "queue").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("flask", "werkzeug", "app.extensions")), f"{path.name} imports {name}"


def test_models_import_nothing_from_flask():
    for path in (ROOT / "app" / "models").glob("*.py"):
        source = path.read_text()
        assert "import flask" not in source and "from flask" not in source, path.name


def test_every_form_derives_from_the_base_form_that_refuses_hostile_input():
    """app/forms.py:BaseForm gives every field the input rules; a form built on FlaskForm or
    wtforms.Form directly would silently go without them."""
    import importlib
    import pkgutil

    import wtforms

    import app
    from app.forms import BaseForm

    for module in pkgutil.walk_packages(app.__path__, "app."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {c for c in subclasses(wtforms.Form) if c.__module__.startswith("app.")}
    assert len(ours) > 10
    strays = sorted(f"{c.__module__}.{c.__name__}" for c in ours if not issubclass(c, BaseForm))
    assert not strays, strays


def test_every_stored_file_reaches_the_browser_through_one_function():
    """Downloads get their protections (the stored kind's type, nosniff, a sandbox, the cache
    rule) from app/downloads.send_stored; a view calling send_file itself would skip them."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                 if p.name != "downloads.py" and re.search(r"\bsend_file\s*\(", p.read_text())]
    assert not offenders
