"""The Open311 GeoReport v2 API as a third-party client uses it: every endpoint in XML (parsed
with xml.etree and checked against the spec's element names) and in JSON, every filter, every
error with the spec's status and code/description list; a request posted by a client is the
same case officers work in the workbench, and a report made on the page is in the API."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, select

from app.models import ApiKey, Case, FieldReport
from tests.integration.test_rate_limits import redis_prefix  # noqa: F401  (a fixture)
from tests.reports_world import HERE, PASSWORD, build

# The spec's element names, in its order (http://wiki.open311.org/GeoReport_v2).
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order",
                    "description", "values"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]
W3C = "%Y-%m-%dT%H:%M:%S%z"


@pytest.fixture
def world(session):
    return build(session)


@pytest.fixture
def api_key(session):
    from app.open311.keys import create_key

    _row, key = create_key(session, "Ứng dụng Thử")
    return key


def xml(response) -> ET.Element:
    assert response.mimetype == "text/xml"
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)


def as_json(response):
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.get_data(as_text=True))


def make_report(session, world, *, category="cong-ranh-tac", days_ago=0, who=None, at=HERE):
    from app.reports import services

    return services.create_report(session, who or world.resident, services.ReportInput(
        category_code=category, description="Cống trước nhà văn hóa bị tắc.",
        commune_id=world.commune.id, village_id=world.village.id, lat=at[0], lng=at[1],
        attributes={"blocking": ["co"]} if category == "cay-do" else {}),
        now=datetime.now(timezone.utc) - timedelta(days=days_ago))


def assert_error(response, status: int, fmt: str, words: str):
    assert response.status_code == status
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "errors"
        errors = root.findall("error")
        assert [e.find("code").text for e in errors] == [str(status)]
        assert words in errors[0].find("description").text
    else:
        body = as_json(response)
        assert body[0]["code"] == status and words in body[0]["description"]


# -- discovery and services -----------------------------------------------------------------------

def test_discovery_names_the_endpoint_and_both_formats(client, world):
    root = xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.find("specification").text == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.find("url").text == "http://localhost/open311/v2"
    assert endpoint.find("type").text == "production"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    body = as_json(client.get("/open311/v2/discovery.json"))
    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    assert body["endpoints"] == [{
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://localhost/open311/v2", "changeset": body["changeset"],
        "type": "production", "formats": ["text/xml", "application/json"]}]


def test_services_list_every_active_category(client, session, world):
    from app.reports import categories

    categories.set_category_active(session, world.tree.id, False)
    root = xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.find("service_code").text for s in services] == ["cong-ranh-tac"]
    assert [c.tag for c in services[0]] == SERVICE_FIELDS
    assert services[0].find("metadata").text == "false"
    assert services[0].find("type").text == "realtime"
    assert services[0].find("service_name").text == "Cống rãnh tắc"
    categories.set_category_active(session, world.tree.id, True)
    body = as_json(client.get("/open311/v2/services.json?lang=en"))
    assert [s["service_code"] for s in body] == ["cong-ranh-tac", "cay-do"]
    assert body[0]["service_name"] == "Blocked drain" and body[0]["group"] == "Infrastructure"
    assert body[1]["metadata"] is True and list(body[1]) == SERVICE_FIELDS


def test_a_service_definition_lists_its_attributes(client, world):
    root = xml(client.get("/open311/v2/services/cay-do.xml"))
    assert root.tag == "service_definition"
    assert root.find("service_code").text == "cay-do"
    attribute = root.find("attributes/attribute")
    assert [c.tag for c in attribute] == ATTRIBUTE_FIELDS
    assert attribute.find("variable").text == "true"
    assert attribute.find("datatype").text == "singlevaluelist"
    assert attribute.find("required").text == "true"
    assert attribute.find("order").text == "1"
    assert [(v.find("key").text, v.find("name").text)
            for v in attribute.findall("values/value")] == [("co", "Có"), ("khong", "Không")]
    body = as_json(client.get("/open311/v2/services/cay-do.json?lang=en"))
    assert body["attributes"][0]["values"][0] == {"key": "co", "name": "Yes"}
    empty = as_json(client.get("/open311/v2/services/cong-ranh-tac.json"))
    assert empty == {"service_code": "cong-ranh-tac", "attributes": []}


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_service_code_is_a_404_error_list(client, world, fmt):
    assert_error(client.get(f"/open311/v2/services/khong-co.{fmt}"), 404, fmt,
                 "service_code")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_jurisdiction_is_a_404(client, world, fmt):
    assert_error(client.get(f"/open311/v2/services.{fmt}?jurisdiction_id=99999"), 404, fmt,
                 "jurisdiction_id")


# -- GET requests ---------------------------------------------------------------------------------

def test_a_report_made_on_the_page_is_a_request_with_every_spec_field(client, session, world):
    report = make_report(session, world)
    code = report.case.code
    root = xml(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [c.tag for c in request] == REQUEST_FIELDS
    assert request.find("service_request_id").text == code
    assert request.find("status").text == "open"
    assert request.find("service_code").text == "cong-ranh-tac"
    assert request.find("agency_responsible").text == "Địa chính – Xây dựng"
    assert float(request.find("lat").text) == HERE[0]
    assert float(request.find("long").text) == HERE[1]
    assert request.find("address_id").text == world.village.code
    assert "Thôn Đồng Bầu" in request.find("address").text
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        moment = datetime.strptime(request.find(name).text, W3C)
        assert moment.utcoffset() == timedelta(hours=7)
    assert request.find("zipcode").text is None
    # Who reported is never part of the API.
    assert world.resident.full_name not in client.get("/open311/v2/requests.xml").get_data(
        as_text=True)
    one = as_json(client.get(f"/open311/v2/requests/{code}.json"))
    assert len(one) == 1 and list(one[0]) == REQUEST_FIELDS
    assert one[0]["lat"] == HERE[0] and one[0]["zipcode"] is None
    one_xml = xml(client.get(f"/open311/v2/requests/{code}.xml"))
    assert one_xml.tag == "service_requests" and len(one_xml.findall("request")) == 1
    assert [c.tag for c in one_xml.find("request")] == REQUEST_FIELDS
    assert one_xml.find("request/service_request_id").text == code
    assert float(one_xml.find("request/lat").text) == HERE[0]


def test_a_photo_is_the_media_url(client, session, world):
    from app.reports import services
    from tests.reports_world import jpeg

    report = services.create_report(session, world.resident, services.ReportInput(
        category_code="cong-ranh-tac", description="Cống tắc", commune_id=world.commune.id,
        lat=HERE[0], lng=HERE[1]), [services.Photo(jpeg(), "a.jpg")])
    body = as_json(client.get(f"/open311/v2/requests/{report.case.code}.json"))
    assert body[0]["media_url"] == f"http://localhost/vi/reports/{report.case_id}/photos/1"
    assert client.get(body[0]["media_url"].replace("http://localhost", "")).status_code == 200


def test_requests_filter_by_id_list_code_status_and_dates(client, session, world):
    from app.reports import services

    old = make_report(session, world, days_ago=40)
    new = make_report(session, world, category="cay-do")
    done = make_report(session, world, days_ago=5)
    services.answer(session, done.case_id, world.intake, outcome="closed", text="Đã xem.")
    ancient = make_report(session, world, days_ago=150)

    def codes(query):
        """What the filter finds, asked as a client would in each format: both must agree."""
        found = {}
        for fmt in ("json", "xml"):
            response = client.get(f"/open311/v2/requests.{fmt}", query_string=query)
            assert response.status_code == 200, response.get_data(as_text=True)
            found[fmt] = ({r.find("service_request_id").text
                           for r in xml(response).findall("request")} if fmt == "xml"
                          else {r["service_request_id"] for r in as_json(response)})
        assert found["xml"] == found["json"], query
        return found["json"]

    c = lambda r: r.case.code  # noqa: E731
    # By default the last 90 days.
    assert codes({}) == {c(old), c(new), c(done)}
    # A list of ids overrides every other argument (even a date window that excludes them).
    assert codes({"service_request_id": f"{c(ancient)},{c(new)}",
                  "start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"}) \
        == {c(ancient), c(new)}
    assert codes({"service_code": "cay-do"}) == {c(new)}
    assert codes({"service_code": "cay-do,cong-ranh-tac"}) == {c(old), c(new), c(done)}
    assert codes({"status": "closed"}) == {c(done)}
    assert codes({"status": "open"}) == {c(old), c(new)}
    assert codes({"status": "open,closed"}) == {c(old), c(new), c(done)}
    now = datetime.now(timezone.utc)
    w3c = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    assert codes({"start_date": w3c(now - timedelta(days=155)),
                  "end_date": w3c(now - timedelta(days=70))}) == {c(ancient)}
    assert codes({"start_date": (now - timedelta(days=45)).astimezone(
        timezone(timedelta(hours=7))).isoformat(timespec="seconds")}) == {c(old), c(new), c(done)}
    assert codes({"end_date": w3c(now - timedelta(days=30))}) == {c(old)}
    assert codes({"jurisdiction_id": world.commune.code, "status": "closed"}) == {c(done)}


def test_at_most_1000_requests_newest_first(client, session, world, monkeypatch):
    from app.open311 import routes

    for day in range(4):
        make_report(session, world, days_ago=day)
    monkeypatch.setattr(routes, "MAX_REQUESTS", 3)
    body = as_json(client.get("/open311/v2/requests.json"))
    assert len(body) == 3
    stamps = [r["requested_datetime"] for r in body]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("query,status,words", [
    ({"start_date": "2026-03-10T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"}, 400,
     "start_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, 400, "90"),
    ({"start_date": "2026-03-01T00:00:00"}, 400, "W3C"),
    ({"start_date": "01/03/2026"}, 400, "W3C"),
    ({"end_date": "2026-02-30T00:00:00Z"}, 400, "end_date"),
    ({"status": "pending"}, 400, "status"),
    ({"service_code": "khong-co"}, 404, "service_code"),
    ({"service_request_id": "1; DROP TABLE cases"}, 400, "service_request_id"),
    ({"jurisdiction_id": "nowhere"}, 404, "jurisdiction_id"),
])
def test_bad_filters_are_errors_in_the_spec_format(client, world, fmt, query, status, words):
    assert_error(client.get(f"/open311/v2/requests.{fmt}", query_string=query), status, fmt,
                 words)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_request_is_a_404(client, world, fmt):
    assert_error(client.get(f"/open311/v2/requests/HT-000000-000000.{fmt}"), 404, fmt,
                 "service_request_id")


def test_an_unknown_format_or_path_is_a_404_in_the_spec_format(client, world):
    response = client.get("/open311/v2/requests.csv")
    assert response.status_code == 404 and xml(response).tag == "errors"
    assert client.get("/open311/v2/nothing.json").status_code == 404


def test_a_merged_duplicate_is_closed_with_a_note_naming_the_original(client, session, world):
    from app.reports import services

    original = make_report(session, world)
    duplicate = make_report(session, world, who=world.neighbour)
    services.merge(session, duplicate.case_id, original.case.code, world.intake)
    body = as_json(client.get(f"/open311/v2/requests/{duplicate.case.code}.json"))
    assert body[0]["status"] == "closed"
    assert original.case.code in body[0]["status_notes"]
    assert body[0]["expected_datetime"] is None


# -- POST requests --------------------------------------------------------------------------------

def post(client, fmt="json", **form):
    return client.post(f"/open311/v2/requests.{fmt}", data=form)


def test_a_client_posts_a_request_and_an_officer_works_it_in_the_workbench(
        app, client, session, world, api_key):
    response = post(client, "xml", api_key=api_key, service_code="cay-do",
                    jurisdiction_id=world.commune.code, lat="21.5870", long="105.8150",
                    address_string="Đường vào thôn, gần cầu", description="Cây đổ chắn đường.",
                    first_name="Bình", last_name="Nguyễn Thị", phone="0987 654 321",
                    email="binh@example.vn", **{"attribute[blocking]": "co"})
    assert response.status_code == 200, response.get_data(as_text=True)
    root = xml(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    code = request.find("service_request_id").text
    session.rollback()
    report = session.scalars(select(FieldReport)).one()
    case = session.get(Case, report.case_id)
    assert case.code == code and case.department_id == world.dept.id
    assert report.channel == "open311" and report.attributes == {"blocking": "co"}
    assert report.contact_phone == "0987654321" and report.anonymous
    assert session.scalar(select(ApiKey.last_used_at)) is not None
    # The officer sees it in the queue and on its case page, with the contact.
    from tests.access_matrix import PersonClient

    app.test_client_class = PersonClient
    officer = app.test_client()
    officer.login(world.intake.email, PASSWORD)
    queue = officer.get(f"/vi/workbench/departments/{world.dept.id}/queue")
    assert code in queue.page.get_text()
    page = officer.get(f"/vi/workbench/cases/{case.id}").page
    facts = page.select_one("#report-title").find_parent("section").get_text()
    assert "Nguyễn Thị Bình" in facts and "0987654321" in facts and "Ứng dụng Thử" in facts
    # And the public page shows it, without the name.
    public = app.test_client().get(f"/vi/reports/{case.id}")
    assert public.status_code == 200 and "Nguyễn Thị Bình" not in public.get_data(as_text=True)


def test_a_request_by_address_alone_in_a_village_by_its_code(client, session, world, api_key):
    response = post(client, api_key=api_key, service_code="cong-ranh-tac",
                    address_id=world.other_village.code, address_string="Cạnh trường mầm non",
                    description="Rãnh tắc.", **{"attribute[unknown]": "ignored"})
    assert response.status_code == 200, response.get_data(as_text=True)
    session.rollback()
    report = session.scalars(select(FieldReport)).one()
    assert report.village_id == world.other_village.id and report.lat is None


def _count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Case))


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("change,status,words", [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "cl_wrong"}, 403, "api_key"),
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": "khong-co"}, 404, "service_code"),
    ({"jurisdiction_id": None}, 400, "jurisdiction_id"),
    ({"jurisdiction_id": "99999"}, 404, "jurisdiction_id"),
    ({"lat": "13.7563", "long": "100.5018"}, 400, "Việt Nam"),
    ({"lat": "21.58", "long": None}, 400, "long"),
    ({"lat": None, "long": None, "address_string": None}, 400, "lat/long or address_string"),
    ({"description": None}, 400, "description"),
    ({"attribute[blocking]": None, "service_code": "cay-do"}, 400, "attribute[blocking]"),
    ({"attribute[blocking]": "maybe", "service_code": "cay-do"}, 400, "attribute[blocking]"),
])
def test_bad_posts_are_errors_and_nothing_is_made(client, session, world, api_key, fmt, change,
                                                  status, words):
    form = {"api_key": api_key, "service_code": "cong-ranh-tac",
            "jurisdiction_id": world.commune.code, "lat": "21.5870", "long": "105.8150",
            "description": "Cống tắc.", "attribute[blocking]": "co"}
    for key, value in change.items():
        if value is None:
            form.pop(key, None)
        else:
            form[key] = value
    assert_error(post(client, fmt, **form), status, fmt, words)
    assert _count(session) == 0


def test_a_revoked_key_can_no_longer_post(client, session, world, api_key):
    from app.open311 import keys

    keys.revoke(session, session.scalar(select(ApiKey.id)))
    assert_error(post(client, api_key=api_key, service_code="cong-ranh-tac",
                      jurisdiction_id=world.commune.code, address_string="x", description="y"),
                 403, "json", "api_key")


def test_the_post_needs_no_csrf_token_but_the_pages_still_do(app, world, api_key):
    from flask.testing import FlaskClient

    app.config["WTF_CSRF_CHECK_DEFAULT"] = True
    app.test_client_class = FlaskClient
    bare = app.test_client()
    response = bare.post("/open311/v2/requests.json", data={
        "api_key": api_key, "service_code": "cong-ranh-tac",
        "jurisdiction_id": world.commune.code, "address_string": "x", "description": "y"})
    assert response.status_code == 200
    page = bare.post("/vi/account/login", data={"identifier": "x", "password": "y"})
    assert page.status_code == 400


def test_only_a_hash_of_a_key_is_kept(session, world):
    import hashlib

    from app.open311.keys import create_key

    row, key = create_key(session, "Ứng dụng")
    stored = session.scalars(select(ApiKey)).one()
    assert key not in (stored.key_hash, stored.prefix, stored.name)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()


def test_posts_are_rate_limited_per_key_in_the_shared_counter(database, redis_prefix):
    from tests.integration.test_rate_limits import limited_app

    with limited_app(database, redis_prefix, RATELIMIT_OPEN311_POST="2 per minute") as app:
        with app.app_context():
            from app.extensions import db
            from app.open311.keys import create_key

            world = build(db.session)
            _row, key = create_key(db.session, "Ứng dụng")
            _row, other = create_key(db.session, "Ứng dụng khác")
            commune = world.commune.code
            db.session.remove()
        client = app.test_client()
        form = {"service_code": "cong-ranh-tac", "jurisdiction_id": commune,
                "address_string": "x", "description": "y"}
        assert post(client, api_key=key, **form).status_code == 200
        assert post(client, api_key=key, **form).status_code == 200
        assert_error(post(client, api_key=key, **form), 429, "json", "")
        assert post(client, api_key=other, **form).status_code == 200  # its own count


def test_the_cli_prints_a_key_once_and_keeps_its_hash(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api-key", "create", "Ứng dụng của xã"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("cl_") and len(key) > 40
    from app.open311.keys import verify

    session.rollback()
    assert verify(session, key).name == "Ứng dụng của xã"
    listed = runner.invoke(args=["api-key", "list"]).output
    assert key not in listed and "Ứng dụng của xã" in listed
    revoked = runner.invoke(args=["api-key", "revoke", str(verify(session, key).id)])
    assert revoked.exit_code == 0
    session.rollback()
    assert verify(session, key) is None
