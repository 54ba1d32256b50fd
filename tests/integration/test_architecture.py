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


# Stored files that are never published: who may read them is the case's or the page's rule,
# and they are kept as the person sent them, like paper copies at the desk.
PRIVATE_FILES = {
    "app/admin/procedure_services.py",  # blank forms the administrators attach (no photos)
    "app/dossiers/fees.py",             # a dossier's result, a PDF for its applicant
    "app/dossiers/files.py",            # papers for a dossier or a petition
}


def test_every_module_that_stores_a_public_file_cleans_its_photos():
    """A photo a resident or an officer publishes carries where it was taken in its EXIF; it
    must go through app/photos.clean before it is stored. A new module that stores files must
    either do that or be listed above with its reason."""
    storing = {str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
               if re.search(r"\bstore\.save\s*\(", p.read_text())}
    assert PRIVATE_FILES <= storing, "a private module no longer stores files: update the list"
    offenders = [path for path in sorted(storing - PRIVATE_FILES)
                 if not re.search(r"\bphoto(s|_rules)\.clean\s*\(", (ROOT / path).read_text())]
    assert not offenders


def test_every_table_fits_a_phone():
    """A table wider than a 360 px phone must not widen the page: it is either a table.stack
    (its rows become cards on a phone) or it sits in a .table-scroll region that scrolls on
    its own. The moderation log's table once sat in a class that no stylesheet defined."""
    offenders = []
    for path in (ROOT / "app" / "templates").rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<table\b([^>]*)>", text):
            if re.search(r'class="[^"]*\bstack\b', match.group(1)):
                continue
            opened = text.rfind('class="table-scroll"', 0, match.start())
            closed = text.rfind("</div>", 0, match.start())
            if opened == -1 or closed > opened:
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert not offenders


def test_a_service_refusal_is_a_refusal_not_another_copy_of_one():
    """Seventeen services each wrote the same exception (code, field, details); they derive
    from app/refusals.Refusal now, and a new one should too."""
    copies = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
              if p.name != "refusals.py"
              and re.search(r"def __init__\(self, code: str, field: str \| None = None",
                            p.read_text())]
    assert not copies
