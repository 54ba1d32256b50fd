"""Catalogue pages kept for every visitor (app/page_cache.py): answered from the kept copy while
the catalogue is unchanged, fresh the moment it changes however it is changed, never shared with
a signed-in visitor or one with a message waiting, and carrying nothing of one visitor's."""
import pytest
from sqlalchemy import text, update

from app import page_cache
from app.models import Procedure
from app.procedures import services
from tests.factories import make_procedure, make_procedure_field, make_resident

PASSWORD = "đúng-mật-khẩu-2026"


@pytest.fixture
def birth(session):
    procedure = make_procedure(session, make_procedure_field(session, name_vi="Hộ tịch"),
                               code="1.001193", name_vi="Đăng ký khai sinh",
                               name_en="Birth registration")
    session.commit()
    return procedure


@pytest.fixture
def renders(monkeypatch):
    """How many times the catalogue was really searched (not answered from a kept page)."""
    calls = []
    search = services.search

    def counted(*args, **kwargs):
        calls.append(args[1])
        return search(*args, **kwargs)

    monkeypatch.setattr(services, "search", counted)
    return calls


def _names(client, url) -> list[str]:
    return [a.strong.get_text(strip=True) for a in client.get(url).page.select("#results li a")]


def test_the_second_visitor_gets_the_kept_page_and_a_phone_coming_back_gets_a_304(
        client, birth, renders):
    first = client.get("/vi/procedures/?q=khai+sinh")
    second = client.get("/vi/procedures/?q=khai+sinh")
    assert len(renders) == 1
    assert first.data == second.data and "Đăng ký khai sinh" in second.page.get_text()
    assert first.headers["ETag"] == second.headers["ETag"]
    # Every request still passes every hook: the security headers are on the kept answer too.
    assert second.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in second.headers
    again = client.get("/vi/procedures/?q=khai+sinh",
                       headers={"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == second.headers["ETag"]
    # A different question, language or htmx request is a different page.
    client.get("/vi/procedures/?q=khai")
    client.get("/en/procedures/?q=khai+sinh")
    fragment = client.get("/vi/procedures/?q=khai+sinh", headers={"HX-Request": "true"})
    assert len(renders) == 4 and "<html" not in fragment.get_data(as_text=True)[:200]


def test_a_shared_page_carries_no_csrf_token_and_sets_no_session(client, birth):
    response = client.get("/vi/procedures/")
    assert response.page.find("meta", attrs={"name": "csrf-token"}) is None
    assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    # Other pages keep theirs (htmx posts read it).
    home = client.get("/vi/")
    assert home.page.find("meta", attrs={"name": "csrf-token"}) is not None


def test_a_change_through_the_orm_shows_on_the_next_request(client, session, birth, renders):
    before = client.get("/vi/procedures/?q=khai+sinh")
    birth.name_vi = "Đăng ký khai sinh (mới)"
    session.commit()
    after = client.get("/vi/procedures/?q=khai+sinh")
    assert "Đăng ký khai sinh (mới)" in after.page.get_text()
    assert after.headers["ETag"] != before.headers["ETag"] and len(renders) == 2


def test_a_bulk_update_and_a_deletion_raise_the_version_too(client, session, birth, renders):
    url = "/vi/procedures/?q=khai+sinh"
    assert _names(client, url) == ["Đăng ký khai sinh"]
    session.execute(update(Procedure).where(Procedure.id == birth.id).values(active=False))
    session.commit()
    assert _names(client, url) == []
    session.execute(update(Procedure).where(Procedure.id == birth.id).values(active=True))
    session.commit()
    assert _names(client, url) == ["Đăng ký khai sinh"]
    session.delete(birth)
    session.commit()
    assert _names(client, url) == [] and len(renders) == 4


def test_a_rolled_back_change_keeps_the_page(client, session, birth, renders):
    client.get("/vi/procedures/")
    before = page_cache.read_version(session, page_cache.CATALOGUE)
    birth.name_vi = "Không lưu"
    session.flush()
    session.rollback()
    assert _names(client, "/vi/procedures/") == ["Đăng ký khai sinh"] and len(renders) == 1
    assert page_cache.read_version(session, page_cache.CATALOGUE) == before


def test_another_node_s_change_is_seen_once_the_version_read_is_stale(app, client, session,
                                                                      birth, renders):
    versions = app.extensions["page_cache"].versions
    versions.fresh_for = 3600  # the version read below stays trusted, however slow the machine
    client.get("/vi/procedures/?q=khai+sinh")
    # Another node renamed it: this process saw no commit, only the shared counter moved.
    session.execute(text("UPDATE procedures SET name_vi = 'Khai sinh (nút khác)', "
                         "search_text = 'khai sinh nut khac' WHERE id = :id"), {"id": birth.id})
    session.execute(text("UPDATE content_versions SET version = version + 1 "
                         "WHERE name = 'catalogue'"))
    session.commit()
    session.expire_all()
    assert "(nút khác)" not in client.get("/vi/procedures/?q=khai+sinh").page.get_text()
    versions.fresh_for = 0  # FRESH_FOR has passed
    assert "(nút khác)" in client.get("/vi/procedures/?q=khai+sinh").page.get_text()
    assert len(renders) == 2


def test_a_signed_in_visitor_never_gets_or_leaves_a_kept_page(client, session, birth, renders):
    client.get("/vi/procedures/")
    resident = make_resident(session, password=PASSWORD)
    session.commit()
    client.login(resident.phone, PASSWORD)
    page = client.get("/vi/procedures/")
    assert page.headers["Cache-Control"] == "no-store" and "ETag" not in page.headers
    assert page.page.find("meta", attrs={"name": "csrf-token"}) is not None
    assert page.page.select('form[action$="/logout"]')
    assert len(renders) == 2
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    client.get("/vi/procedures/")  # shows the "logged out" message: rendered for them
    anonymous = client.get("/vi/procedures/")
    assert anonymous.page.select('form[action$="/logout"]') == [] and len(renders) == 3


def test_a_visitor_with_a_message_waiting_gets_it(client, birth, renders):
    client.get("/vi/procedures/")
    with client.session_transaction() as s:
        s["_flashes"] = [("success", "Đã gửi hồ sơ.")]
    shown = client.get("/vi/procedures/")
    assert "Đã gửi hồ sơ." in shown.page.get_text() and len(renders) == 2
    assert "Đã gửi hồ sơ." not in client.get("/vi/procedures/").page.get_text()


def test_the_api_catalogue_is_kept_per_address_and_language(client, birth, renders):
    vi = client.get("/api/v1/procedures?q=khai+sinh")
    en = client.get("/api/v1/procedures?q=khai+sinh&lang=en")
    again = client.get("/api/v1/procedures?q=khai+sinh")
    assert vi.json["items"][0]["name"] == "Đăng ký khai sinh"
    assert en.json["items"][0]["name"] == "Birth registration"
    assert again.json == vi.json and len(renders) == 2
    assert again.headers["Cache-Control"] == "public, max-age=300"
    # A refused request is never kept: the same bad address is refused every time.
    assert client.get("/api/v1/procedures?page=0").status_code == 400
    assert client.get("/api/v1/procedures?page=0").status_code == 400


def test_every_shared_view_is_a_public_get(app):
    """The class of defect: a page kept for everyone must be one anyone may see and nobody
    can post to."""
    from app.security import ACCESS_ATTR

    shared = {endpoint: view for endpoint, view in app.view_functions.items()
              if getattr(view, page_cache.SHARED_ATTR, None)}
    assert {"procedures.catalogue", "api.procedures", "api.procedure", "api.fields"} <= set(shared)
    for endpoint, view in shared.items():
        assert getattr(view, ACCESS_ATTR) == "public", endpoint
        methods = {m for rule in app.url_map.iter_rules(endpoint) for m in rule.methods}
        assert methods <= {"GET", "HEAD", "OPTIONS"}, endpoint


def test_the_store_forgets_the_least_recently_used_page():
    store = page_cache.PageStore(size=2)
    kept = [page_cache.Kept(1, 200, (), bytes([i]), str(i)) for i in range(3)]
    store.put("a", kept[0])
    store.put("b", kept[1])
    assert store.get("a", 1) is kept[0]  # "a" is now the most recent
    store.put("c", kept[2])
    assert store.get("b", 1) is None and store.get("a", 1) is kept[0] and len(store) == 2
    assert store.get("a", 2) is None  # another version is another page


def test_a_phone_gets_the_kept_page_compressed_once_per_encoding(app, birth, monkeypatch):
    import gzip

    from flask.testing import FlaskClient
    from flask_compress import flask_compress

    client = FlaskClient(app)  # the checked client would read the gzipped body as HTML

    made = []
    compress = flask_compress._compress_data

    def counted(app, data, algorithm):
        made.append(algorithm)
        return compress(app, data, algorithm)

    monkeypatch.setattr(flask_compress, "_compress_data", counted)
    plain = client.get("/vi/procedures/")
    asked = {"Accept-Encoding": "gzip"}
    first = client.get("/vi/procedures/", headers=asked)
    second = client.get("/vi/procedures/", headers=asked)
    assert first.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in first.headers["Vary"]
    assert gzip.decompress(second.get_data()) == plain.get_data()
    assert made == ["gzip"]  # compressed once, then the compressed copy is kept
    assert first.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
    # The tag a phone got with the gzipped page still says its copy is current.
    again = client.get("/vi/procedures/", headers={**asked, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
