"""The public procedure catalogue as a resident uses it: finding a procedure however they type
it, browsing by field, reading what to bring and what it costs, downloading blank forms."""
import pytest
from sqlalchemy import select

from app.demo.procedures import seed_procedures
from app.models import Procedure, ProcedureDocument
from app.storage import LocalFileStore
from tests.factories import make_procedure, make_procedure_field

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def catalogue(session):
    seed_procedures(session)
    session.commit()
    return session


def _names(page) -> list[str]:
    return [a.strong.get_text(strip=True) for a in page.select("#results li a")]


@pytest.mark.parametrize("query", ["dang ky khai sinh", "khai sinh dang ky", "KHAI SINH",
                                   "Đăng ký khai sinh", "1.001193"])
def test_search_ignores_accents_case_and_word_order(client, catalogue, query):
    names = _names(client.get("/vi/procedures/", query_string={"q": query}).page)
    assert "Đăng ký khai sinh" in names
    assert "Đăng ký khai tử" not in names


def test_search_finds_a_procedure_by_its_english_name_and_by_its_field(client, catalogue):
    assert _names(client.get("/en/procedures/?q=birth+registration").page)[:1] == [
        "Birth registration"]
    residence = _names(client.get("/vi/procedures/?q=cu+tru").page)
    assert {"Đăng ký thường trú", "Đăng ký tạm trú"} <= set(residence)


def test_search_words_are_not_wildcards(client, catalogue):
    page = client.get("/vi/procedures/?q=%25").page
    assert _names(page) == [] and "Không có thủ tục nào" in page.get_text()


def test_the_catalogue_lists_the_demo_procedures_sorted_the_vietnamese_way(client, catalogue):
    page = client.get("/vi/procedures/").page
    names = _names(page)
    assert len(names) == 18
    # "Cấp ..." before "Chứng thực ..." before "Đăng ký ..." (đ after d), "Thay đổi" near the end
    assert names.index("Cấp bản sao Trích lục hộ tịch") < names.index("Đăng ký khai sinh")
    assert names.index("Đăng ký tạm trú") < names.index("Đăng ký thường trú")
    assert names[-1].startswith("Thực hiện, điều chỉnh")
    assert "18 thủ tục" in page.select_one("#results").get_text()


def test_filtering_by_field_shows_only_that_field(client, catalogue):
    page = client.get("/vi/procedures/?field=chung-thuc").page
    names = _names(page)
    assert len(names) == 4 and all(n.startswith(("Chứng thực", "Cấp bản sao có")) for n in names)
    assert page.select_one("#field option[selected]")["value"] == "chung-thuc"
    both = _names(client.get("/vi/procedures/?field=ho-tich&q=ket+hon").page)
    assert both == ["Đăng ký kết hôn"]


def test_an_unknown_field_shows_everything_rather_than_an_error(client, catalogue):
    assert len(_names(client.get("/vi/procedures/?field=khong-co").page)) == 18


def test_a_long_catalogue_is_paginated_with_links_that_keep_the_search(client, session):
    field = make_procedure_field(session, code="thu", name_vi="Thử nghiệm", name_en="Trial")
    for n in range(45):
        make_procedure(session, field, name_vi=f"Thủ tục mẫu {n:02d}", name_en=f"Sample {n:02d}")
    session.commit()
    first = client.get("/vi/procedures/?q=mau&field=thu").page
    assert len(_names(first)) == 20
    link = first.select_one(".pagination a[rel=next]")["href"]
    assert "q=mau" in link and "field=thu" in link and "page=2" in link
    third = client.get(link.replace("page=2", "page=3")).page
    assert _names(third) == [f"Thủ tục mẫu {n}" for n in range(40, 45)]
    assert third.select_one(".pagination a[rel=prev]") is not None


def test_an_empty_search_says_so_and_offers_the_whole_list(client, catalogue):
    page = client.get("/en/procedures/?q=visa+application").page
    results = page.select_one("#results")
    assert "No procedure matches your search." in results.get_text()
    assert results.select_one("a[href='/en/procedures/']") is not None


def test_an_empty_catalogue_says_so(client, session):
    assert "The catalogue is empty for now." in client.get("/en/procedures/").page.get_text()


def test_htmx_gets_only_the_results_and_the_page_varies_on_it(client, catalogue):
    response = client.get("/vi/procedures/?q=ket+hon", headers={"HX-Request": "true"})
    assert "HX-Request" in response.headers["Vary"]
    assert response.page.find("html") is None and _names(response.page) == []
    assert [a.strong.get_text() for a in response.page.select("li a")] == ["Đăng ký kết hôn"]
    assert "HX-Request" in client.get("/vi/procedures/").headers["Vary"]


def test_inactive_procedures_are_neither_listed_nor_shown(client, catalogue):
    procedure = catalogue.scalar(select(Procedure).where(Procedure.code == "1.000894"))
    procedure.active = False
    catalogue.commit()
    assert "Đăng ký kết hôn" not in _names(client.get("/vi/procedures/?q=ket+hon").page)
    assert client.get("/vi/procedures/1.000894").status_code == 404


def test_the_home_page_links_to_the_catalogue(client):
    page = client.get("/en/").page
    assert page.select_one("a[href='/en/procedures/']") is not None


def _facts(page) -> dict[str, str]:
    return {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
            for dt in page.select("dl dt")}


def test_the_detail_page_in_vietnamese_tells_what_to_bring_and_what_it_costs(client, catalogue):
    page = client.get("/vi/procedures/1.001193").page
    assert page.h1.get_text(strip=True) == "Đăng ký khai sinh"
    facts = _facts(page)
    assert facts["Mã thủ tục"] == "1.001193"
    assert facts["Lĩnh vực"] == "Hộ tịch"
    assert facts["Thời hạn giải quyết"] == "Trong ngày"
    assert "Toàn trình" in facts["Dịch vụ trực tuyến"]
    assert facts["Tại Bộ phận Một cửa"] == "Miễn phí"
    documents = page.select("#documents li")
    assert "Tờ khai đăng ký khai sinh" in documents[0].get_text()
    assert "1 bản chính" in documents[0].get_text()
    assert "Luật Hộ tịch" in page.get_text() and "123/2015/NĐ-CP" in page.get_text()
    asked = [li.get_text(" ", strip=True) for li in page.select("#form-fields li")]
    assert asked[:2] == ["Họ, chữ đệm và tên của trẻ", "Ngày sinh của trẻ"]
    # A visitor is asked to log in to submit online, and comes back here afterwards.
    notice = page.select_one("#submit-online")
    assert notice.find("a")["href"].startswith("/vi/account/login?next=/vi/procedures/1.001193")


def test_the_detail_page_in_english_shows_fees_per_channel_and_working_days(client, catalogue):
    page = client.get("/en/procedures/1.004194").page
    assert page.h1.get_text(strip=True) == "Permanent residence registration"
    facts = _facts(page)
    assert facts["Processing time"] == "7 working days"
    assert facts["At the one-stop desk"] == "20.000 ₫"
    assert facts["Online"] == "10.000 ₫"
    assert facts["By post"] == "Not offered"
    assert facts["Agency"] == "Commune police"
    asked = [li.get_text(" ", strip=True) for li in page.select("#form-fields li")]
    assert "Address to register" in asked
    contract = _facts(client.get("/vi/procedures/2.001035").page)
    assert contract["Tại Bộ phận Một cửa"] == "50.000 ₫"
    assert contract["Thời hạn giải quyết"] == "2 ngày làm việc"


def test_an_unknown_or_malformed_code_is_a_404(client, catalogue):
    assert client.get("/vi/procedures/9.999999").status_code == 404
    assert client.get("/en/procedures/..%2F..%2Fetc").status_code == 404


def test_a_blank_form_downloads_under_a_safe_name(app, client, catalogue, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    store = LocalFileStore(tmp_path)
    document = catalogue.scalar(select(ProcedureDocument).join(Procedure)
                                .where(Procedure.code == "1.001193")
                                .order_by(ProcedureDocument.position))
    document.template_key, document.template_kind = store.save(PDF, "templates"), "pdf"
    catalogue.commit()
    page = client.get("/vi/procedures/1.001193").page
    link = page.select_one("#documents a[download]")["href"]
    response = client.get(link)
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=to-khai-dang-ky-khai-sinh-theo-mau.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_template_of_another_procedure_or_a_missing_file_is_a_404(app, client, catalogue,
                                                                    tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    document = catalogue.scalar(select(ProcedureDocument).join(Procedure)
                                .where(Procedure.code == "1.001193"))
    document.template_key, document.template_kind = "templates/" + "0" * 32, "pdf"
    catalogue.commit()
    assert client.get(f"/vi/procedures/1.001193/documents/{document.id}/template").status_code == 404
    assert client.get(f"/vi/procedures/1.000656/documents/{document.id}/template").status_code == 404
    other = catalogue.scalar(select(ProcedureDocument).join(Procedure)
                             .where(Procedure.code == "1.000656"))
    assert client.get(f"/vi/procedures/1.000656/documents/{other.id}/template").status_code == 404


def test_the_catalogue_tables_are_what_the_models_say(app, session):
    """The migration built exactly the tables, columns, constraints and indexes the models
    describe (a lead-wide check compares everything; this one guards the catalogue's own)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.models import Base

    mine = {"procedures", "procedure_fields", "procedure_documents"}

    def touches(diff) -> bool:
        item = diff[0] if isinstance(diff, list) else diff
        text = repr(item)
        return any(f"'{name}'" in text or f"table={name}" in text or f"<{name}>" in text
                   for name in mine)

    with session.connection() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if touches(d)]
    assert diffs == []


def test_the_demo_catalogue_is_complete_enough_to_try(catalogue):
    from app.procedures.schema import validate_schema

    procedures = catalogue.scalars(select(Procedure)).all()
    assert len(procedures) >= 15 and all(p.level == "commune" for p in procedures)
    for p in procedures:
        assert validate_schema(p.form_schema) == p.form_schema, p.code
        assert p.documents and p.legal_basis_vi and p.legal_basis_en, p.code
        assert any(p.fee(c) is not None for c in ("in_person", "online", "post")), p.code
    codes = {p.code for p in procedures}
    assert {"1.001193", "1.000894", "1.000656", "1.004873"} <= codes
