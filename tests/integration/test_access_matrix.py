"""Every route answers each kind of person the way the access table says (tests/access_matrix.py).

A route added to the app without a row in the table fails here, and so does a row left behind
by a removed route: who may use a page is decided when the page is written, not found out later.
"""
import pytest

from tests.access_matrix import (MATRIX, OUTCOMES, ROLES, build_world, client_for, expected,
                                 matches, outcome_of, url_for_endpoint)


def _endpoints():
    from app import create_app

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "RATELIMIT_ENABLED": False, "SERVER_NAME": None})
    return {rule.endpoint for rule in app.url_map.iter_rules()}


def test_the_access_table_lists_exactly_the_apps_routes():
    endpoints = _endpoints()
    missing = sorted(endpoints - MATRIX.keys())
    stale = sorted(MATRIX.keys() - endpoints)
    assert not missing, f"routes with no row in tests/access_matrix.py MATRIX: {missing}"
    assert not stale, f"MATRIX rows for routes that no longer exist: {stale}"
    for endpoint, (method, *answers) in MATRIX.items():
        assert method in ("GET", "POST") and len(answers) == len(ROLES), endpoint
        assert set(answers) <= OUTCOMES, endpoint


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_each_role_gets_the_answer_the_access_table_gives(app, session, endpoint):
    world = build_world(session)
    method, answers = expected(endpoint)
    url = url_for_endpoint(app, endpoint, world.url_args(endpoint))
    mismatches = []
    # The administrator goes last: an empty POST it is allowed to make (remove a seat, toggle
    # a rule) may change what the others would see.
    for role in ROLES:
        client = client_for(app, world, role)
        if method == "GET":
            response = client.get(url)
        else:
            token = client.csrf_token("/vi/")
            response = client.post(url, data={"csrf_token": token})
        actual = outcome_of(response)
        if not matches(answers[role], actual):
            mismatches.append(f"{role}: {method} {url} -> {response.status_code} ({actual}), "
                              f"table says {answers[role]}")
    assert not mismatches, "\n".join(mismatches)
