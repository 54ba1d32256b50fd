"""The JSON API (/api/v1/): the catalogue as data, a dossier's public status, the OpenAPI 3.1
document, and errors that are always JSON.

Every successful answer is checked against the schema the OpenAPI document gives for it (with
jsonschema, in JSON Schema 2020-12, OpenAPI 3.1's dialect), so the document and the code
cannot drift apart unnoticed.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from app.dossiers.services import Submission, submit
from app.models import Case
from app.queue.actions import perform
from tests.conftest import _app_for
from tests.factories import (make_dossier_office, make_officer, make_procedure,
                             make_procedure_field)

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
STATUS = "/api/v1/dossiers/status"


# -- checking answers against the document ----------------------------------------------------

@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def conforms(openapi: dict, path: str, method: str, response) -> dict:
    """The answer's JSON, after checking it against the schema the document declares for this
    path, method and status."""
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    body = response.get_json()
    declared = openapi["paths"][path][method]["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    # Resolve "#/components/..." against the whole document.
    Draft202012Validator({**schema, "components": openapi["components"]}).validate(body)
    return body


def is_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


# -- the catalogue ------------------------------------------------------------------------------

@pytest.fixture
def catalogue(session):
    civil = make_procedure_field(session, code="ho-tich", name_vi="Hộ tịch",
                                 name_en="Civil status")
    other = make_procedure_field(session, code="chung-thuc", name_vi="Chứng thực",
                                 name_en="Certification")
    birth = make_procedure(session, civil, code="1.001193", name_vi="Đăng ký khai sinh",
                           name_en="Birth registration", processing_days=3,
                           fee_in_person=0, fee_online=0, fee_post=None,
                           legal_basis_vi="Luật Hộ tịch 2014", legal_basis_en="Civil Status Law 2014")
    from app.models import ProcedureDocument

    birth.documents.append(ProcedureDocument(position=0, name_vi="Tờ khai đăng ký khai sinh",
                                             name_en="Birth registration form",
                                             original_or_copy="original", copies=1))
    make_procedure(session, civil, code="1.000894", name_vi="Đăng ký kết hôn",
                   name_en="Marriage registration", fee_in_person=50000)
    for n in range(25):
        make_procedure(session, other, code=f"2.{n:06d}", name_vi=f"Chứng thực bản sao {n:02d}",
                       name_en=f"Certified copy {n:02d}")
    make_procedure(session, civil, code="1.999999", name_vi="Khai sinh đã bỏ",
                   name_en="Retired birth procedure", active=False)
    session.commit()
    return {"civil": civil, "other": other, "birth": birth}


def test_search_ignores_accents_and_word_order(client, catalogue, openapi):
    response = client.get("/api/v1/procedures?q=SINH khai")
    body = conforms(openapi, "/api/v1/procedures", "get", response)
    assert [p["code"] for p in body["items"]] == ["1.001193"]  # the inactive one is not listed
    item = body["items"][0]
    assert item["name"] == "Đăng ký khai sinh" and item["field"] == {"code": "ho-tich",
                                                                      "name": "Hộ tịch"}
    assert item["url"].endswith("/vi/procedures/1.001193")
    assert body["total"] == 1 and body["lang"] == "vi"


def test_english_names_and_labels_with_lang_en(client, catalogue, openapi):
    body = conforms(openapi, "/api/v1/procedures", "get",
                    client.get("/api/v1/procedures?q=birth&lang=en"))
    item = body["items"][0]
    assert item["name"] == "Birth registration" and item["field"]["name"] == "Civil status"
    fees = {f["channel"]: f for f in item["fees"]}
    assert fees["in_person"]["amount"] == 0 and fees["in_person"]["text"] == "Free"
    assert fees["post"]["amount"] is None and fees["post"]["text"] == "Not offered"
    assert item["url"].endswith("/en/procedures/1.001193")


def test_field_filter_and_paging(client, catalogue, openapi):
    first = conforms(openapi, "/api/v1/procedures", "get",
                     client.get("/api/v1/procedures?field=chung-thuc&size=10"))
    assert first["total"] == 25 and first["pages"] == 3 and len(first["items"]) == 10
    third = client.get("/api/v1/procedures?field=chung-thuc&size=10&page=3").get_json()
    assert len(third["items"]) == 5 and third["page"] == 3
    codes = [p["code"] for page in (1, 2, 3) for p in client.get(
        f"/api/v1/procedures?field=chung-thuc&size=10&page={page}").get_json()["items"]]
    assert len(set(codes)) == 25  # every procedure once across the pages
    # Past the last page: the last page (as the site's pager does), never an error.
    assert client.get("/api/v1/procedures?field=chung-thuc&size=10&page=99").get_json()[
        "page"] == 3


@pytest.mark.parametrize("query,field", [
    ("size=0", "size"), ("size=101", "size"), ("page=0", "page"), ("page=-1", "page"),
    ("page=" + "9" * 40, "page"), ("page=100001", "page"), ("page=1.5", "page"),
    ("page=%D9%A1", "page"), ("page=1_0", "page"), ("page=abc", "page"), ("lang=fr", "lang"),
    ("field=%3Cscript%3E", "field"), ("field=nope", "field"), ("q=" + "a" * 201, "q"),
    ("q=a%E2%80%AEb", "q"), ("q=a%01b", "q"), ("page=1&page=2", "page"),
])
def test_bad_parameters_are_a_400_naming_the_field(client, catalogue, openapi, query, field):
    response = client.get("/api/v1/procedures?" + query)
    error = is_error(response, 400, "invalid_input")
    assert field in [f["field"] for f in error["fields"]]
    conforms(openapi, "/api/v1/procedures", "get", response)


def test_one_procedure_by_code(client, catalogue, openapi):
    response = client.get("/api/v1/procedures/1.001193?lang=en")
    body = conforms(openapi, "/api/v1/procedures/{code}", "get", response)
    assert body["code"] == "1.001193" and body["processing_days"] == 3
    assert body["processing_time"] == "3 working days"
    assert body["legal_basis"] == "Civil Status Law 2014"
    assert body["documents"] == [{"name": "Birth registration form", "original_or_copy": "original",
                                  "copies": 1, "upload_required": False, "template_url": None}]
    assert {f["channel"] for f in body["fees"]} == {"in_person", "online", "post"}
    assert response.headers["Cache-Control"] == "public, max-age=300"
    vi = client.get("/api/v1/procedures/1.001193").get_json()
    assert vi["legal_basis"] == "Luật Hộ tịch 2014" and vi["lang"] == "vi"


@pytest.mark.parametrize("code", ["9.999999", "1.999999", "a%00b", "..", "%E2%80%AE", "x" * 300])
def test_an_unknown_or_retired_procedure_is_a_json_404(client, catalogue, code):
    response = client.get(f"/api/v1/procedures/{code}")
    assert response.status_code in (400, 404)
    is_error(response, response.status_code)


def test_the_fields_of_law(client, catalogue, openapi):
    body = conforms(openapi, "/api/v1/fields", "get", client.get("/api/v1/fields?lang=en"))
    assert [f["code"] for f in body["items"]] == ["chung-thuc", "ho-tich"]  # Certification, Civil


def test_unknown_paths_and_methods_answer_json(client):
    is_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    is_error(client.get(STATUS), 405, "method_not_allowed")
    is_error(client.delete("/api/v1/procedures"), 405)


# -- a dossier's status ------------------------------------------------------------------------

@pytest.fixture
def tracked(session):
    office = make_dossier_office(session)
    intake = make_officer(session, office["dept"], desk="intake", skills=["civil_status"])
    officer = make_officer(session, office["dept"], skills=["civil_status"])
    session.commit()
    dossier = submit(session, Submission(
        procedure_id=office["procedure"].id, unit_id=office["commune"].id,
        applicant_name="Trần Thị Mai", applicant_phone="0987654321",
        applicant_id_number="012345678901"), now=NOW)
    case = session.get(Case, dossier.case_id)
    case.assignee_id = intake.id
    session.commit()
    perform(session, case.id, "receive", intake, now=NOW)
    case = session.get(Case, case.id)
    case.assignee_id = officer.id
    session.commit()
    perform(session, case.id, "start", officer, now=NOW)
    perform(session, case.id, "request_supplement", officer, note="Bản sao giấy chứng sinh",
            now=NOW)
    perform(session, case.id, "supplement_provided", officer, now=NOW,
            note="Nội bộ: đã gọi điện cho chị Mai")
    perform(session, case.id, "request_supplement", officer, note="Ảnh thẻ 4x6", now=NOW)
    return session.get(Case, case.id)


@pytest.mark.parametrize("contact", ["0987654321", "0987 654 321", "+84987654321",
                                     "012345678901"])
def test_the_status_by_code_and_phone_or_id_number(client, tracked, openapi, contact):
    response = client.post(STATUS, json={"code": tracked.code.lower(), "contact": contact})
    body = conforms(openapi, STATUS, "post", response)
    assert response.headers["Cache-Control"] == "no-store"
    assert body["code"] == tracked.code
    assert body["procedure"]["name"] == "Đăng ký khai sinh"
    assert body["state"] == {"code": 5, "label": "Yêu cầu bổ sung"}
    assert body["status"].startswith("Đang chờ bạn") and body["do_now"].startswith("Bổ sung")
    assert body["received_at"].startswith("2026-11-23T02:00")
    assert body["appointment_date"] is not None
    states = [entry["state"]["code"] for entry in body["timeline"]]
    assert states[0] == 1 and states[-1] == 5
    notes = [entry["note"] for entry in body["timeline"] if entry["note"]]
    assert notes == ["Bản sao giấy chứng sinh", "Ảnh thẻ 4x6"]  # never the office's own note


def test_the_status_in_english_and_as_a_form_post(client, tracked, openapi):
    response = client.post(STATUS + "?lang=en",
                           data={"code": tracked.code, "contact": "0987654321"})
    body = conforms(openapi, STATUS, "post", response)
    assert body["lang"] == "en" and body["procedure"]["name"] == "Birth registration"
    assert body["state"]["label"] == "Supplement requested"
    assert body["status"].startswith("Waiting for you: the office needs more papers")


@pytest.mark.parametrize("code_ok,contact", [(False, "0987654321"), (True, "0912000000"),
                                             (True, "999999999"), (True, "012345678900")])
def test_no_such_code_and_a_wrong_phone_get_the_very_same_answer(client, tracked, openapi,
                                                                 code_ok, contact):
    code = tracked.code if code_ok else tracked.code[:-1] + "9"
    response = client.post(STATUS, json={"code": code, "contact": contact})
    reference = client.post(STATUS, json={"code": "KHONG-CO-0000", "contact": "0987654321"})
    assert response.status_code == reference.status_code == 404
    assert response.get_data() == reference.get_data()
    assert is_error(response, 404, "not_found")
    conforms(openapi, STATUS, "post", response)


@pytest.mark.parametrize("body,field", [
    ({}, "code"), ({"code": "X"}, "contact"), ({"code": "", "contact": "1"}, "code"),
    ({"code": "X" * 41, "contact": "1"}, "code"), ({"code": 12, "contact": "1"}, "code"),
    ({"code": "A\u0000B", "contact": "1"}, "code"), ({"code": "A\ud800", "contact": "1"}, "code"),
    ({"code": "A\u202eB", "contact": "1"}, "code"), ({"code": "X", "contact": 10 ** 100}, "contact"),
    ({"code": ["X"], "contact": "1"}, "code"), ([1, 2], "body"),
])
def test_hostile_lookups_are_a_400_naming_the_field(client, tracked, openapi, body, field):
    response = client.post(STATUS, json=body)
    error = is_error(response, 400, "invalid_input")
    assert field in [f["field"] for f in error["fields"]]
    conforms(openapi, STATUS, "post", response)


@pytest.mark.parametrize("data,content_type", [
    (b"[" * 100_000, "application/json"), (b"{\"code\": \"\xff\xfe\"}", "application/json"),
    (b"not json", "application/json"), (b"code=A%00B&contact=1", "application/x-www-form-urlencoded"),
    (b"code=%FF%FE&contact=%ED%A0%80", "application/x-www-form-urlencoded"),
    (b"\x00\x01", "text/plain"),
])
def test_broken_bodies_are_json_4xx_never_a_500(client, data, content_type):
    response = client.post(STATUS, data=data, content_type=content_type)
    # Undecodable form bytes become U+FFFD (plain text, so "no such dossier"); the rest is 400.
    is_error(response, 404 if b"%FF" in data else 400)


def test_no_csrf_token_is_needed_and_none_is_set(client, tracked):
    response = client.post(STATUS, json={"code": tracked.code, "contact": "0987654321"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # no session, no language cookie


def _limited_client(database, **overrides):
    app = _app_for(database, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   RATELIMIT_LOOKUP="3 per minute", **overrides)
    return app


def test_the_lookup_shares_the_tracking_pages_rate_limit(database):
    from app.extensions import db

    app = _limited_client(database)
    with app.app_context():
        client = app.test_client()
        statuses = [client.post(STATUS, json={"code": "X-000000-0001",
                                              "contact": "0987654321"}).status_code
                    for _ in range(4)]
        limited = client.post(STATUS, json={"code": "X-000000-0001", "contact": "0987654321"})
        db.session.remove()
        db.engine.dispose()
    assert statuses[:3] == [404, 404, 404] and statuses[3] == 429
    assert limited.status_code == 429 and limited.mimetype == "application/json"
    assert limited.get_json()["error"]["code"] == "too_many_requests"
    # The catalogue is not limited: reading is free.


def test_the_page_and_the_api_count_in_one_bucket(database):
    """Guesses through the tracking page and through the API add up: one budget per address."""
    from app.extensions import db

    app = _limited_client(database, WTF_CSRF_ENABLED=False)
    with app.app_context():
        client = app.test_client()
        page = [client.post("/vi/dossiers/track", data={"code": "X-1", "contact": "0987654321"})
                .status_code for _ in range(2)]
        api = [client.post(STATUS, json={"code": "X-1", "contact": "0987654321"}).status_code
               for _ in range(2)]
        after = client.post("/vi/dossiers/track", data={"code": "X-1", "contact": "0987654321"})
        db.session.remove()
        db.engine.dispose()
    assert page == [200, 200] and api == [404, 429] and after.status_code == 429


# -- the document --------------------------------------------------------------------------------

def test_openapi_31_documents_every_api_path(app, openapi):
    validate_openapi(openapi)  # a valid OpenAPI 3.1 document
    assert openapi["openapi"].startswith("3.1.")
    rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    documented = set(openapi["paths"])
    assert {re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule) for rule in rules} == documented
    lookup = openapi["paths"][STATUS]["post"]
    assert set(lookup["responses"]) >= {"200", "400", "404", "429"}
    assert lookup["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/StatusLookup")
    # The phone is never a query parameter.
    assert all(p["name"] != "contact" for p in lookup.get("parameters", []))


def test_the_document_is_the_validators_own_schema(openapi):
    """The bounds the document states are the ones the API enforces (one set of models)."""
    from app.api.schemas import CatalogueQuery

    params = {p["name"]: p["schema"] for p in
              openapi["paths"]["/api/v1/procedures"]["get"]["parameters"]}
    fields = CatalogueQuery.model_json_schema()["properties"]
    assert params["size"]["maximum"] == fields["size"]["maximum"] == 100
    assert params["page"]["minimum"] == 1 and params["q"]["maxLength"] == 200
