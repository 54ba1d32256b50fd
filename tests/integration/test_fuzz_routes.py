"""No hostile request breaks any page: every route of the URL map, as every role, with NUL and
control characters, huge and negative numbers, non-ASCII digits, 100 kB strings, impossible
dates, bidi and zero-width characters, missing and repeated fields, stale and absent versions.

Every answer must be something a person can read (never a 5xx), in the language of its URL,
must not redirect off the site, and must not have changed a row when it says nothing was saved
(see tests/fuzzing.py for the rules and the values).

Two halves per route: a deterministic sweep (each URL argument, filter and form field alone,
with one value of each hostile kind, the rest of the form plausible; its failure lists every
probe that broke), and Hypothesis combining hostile values, roles, missing and repeated fields
at random. `make test` runs 25 Hypothesis examples per route (--fuzz-examples). A long run, on
both engines:

    APP_ENV=testing TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/conglang_test \\
        .venv/bin/python -m pytest tests/integration/test_fuzz_routes.py --fuzz-examples 500

Hypothesis keeps failing examples in .hypothesis/ and replays them first on the next run.
A run stops at the first problem of each route; to list every distinct problem instead (no
failures, no shrinking), name a file:

    FUZZ_REPORT=/tmp/fuzz-report.txt .venv/bin/python -m pytest \\
        tests/integration/test_fuzz_routes.py --fuzz-examples 200
"""
from __future__ import annotations

from datetime import datetime, timezone

import os

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import update
from werkzeug.datastructures import MultiDict

from tests.access_matrix import (MATRIX, PASSWORD, World, build_world, client_for, is_same_site,
                                 outcome_of)
from tests.checked_client import PageProblem
from tests.fuzzing import (ENGLISH_BUILT_INS, POST_FORMS, Probe, ProbeFailure, ServerErrors,
                           build_url,
                           changed_tables, fingerprint, load_tables, probe_strategy,
                           says_nothing_saved, short, sweep_probes)

# Pages whose URL carries no language (their answer is not localised by URL).
UNLOCALISED = {"root.pick_language", "root.healthz", "static"}
# Survey mode: record each distinct problem in this file instead of failing at the first.
REPORT = os.environ.get("FUZZ_REPORT")
# When the fresh cases of the fuzz world were claimed, asked an apology for, approved.
DEFAULT_NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)


def test_every_route_that_takes_a_post_has_its_fields_listed(app):
    load_tables()
    posting = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert posting == set(POST_FORMS), (
        f"add to tests/fuzzing.py _forms(): {sorted(posting - set(POST_FORMS))}; "
        f"remove: {sorted(set(POST_FORMS) - posting)}")


def test_the_database_fingerprint_notices_one_changed_row(app, session):
    """The "nothing saved, nothing changed" check is only as good as its fingerprint."""
    from app.extensions import db
    from app.models import Base, Case

    world = build_world(session)
    tables = [t.name for t in Base.metadata.sorted_tables]
    before = fingerprint(db.engine, tables)
    session.execute(update(Case).where(Case.id == world.case_id).values(priority=1))
    session.commit()
    assert changed_tables(before, fingerprint(db.engine, tables)) == ["cases (-1 +1 rows)"]


class Fuzzer:
    """One world, one browser per role, and the checks every answer must pass."""

    def __init__(self, app, session, world: World, endpoint: str):
        from app.extensions import db
        from app.models import Base

        self.app, self.session, self.world, self.endpoint = app, session, world, endpoint
        self.rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        self.engine = db.engine
        self.tables = [t.name for t in Base.metadata.sorted_tables]
        self.clients: dict = {}
        self.seen: set[str] = set()
        self.errors = ServerErrors()
        app.logger.addHandler(self.errors)

    def record(self, failure: ProbeFailure, test_id: str) -> None:
        """Survey mode: each kind of problem once, with the first request that showed it."""
        if failure.kind not in self.seen:
            self.seen.add(failure.kind)
            with open(REPORT, "a") as report:
                report.write(f"[{test_id}] {failure}\n\n")

    def close(self):
        self.app.logger.removeHandler(self.errors)

    # -- browsers --------------------------------------------------------------------------

    def client(self, role: str):
        if role not in self.clients:
            if role != "anonymous":
                # A fuzzed password change may have succeeded: put the known password back.
                from app.models import User
                from app.passwords import hash_password

                self.session.execute(update(User).where(User.id == self.world.user_ids[role])
                                     .values(password_hash=hash_password(PASSWORD), active=True))
                self.session.commit()
            client = client_for(self.app, self.world, role)
            client.token = client.csrf_token("/vi/")
            self.clients[role] = client
        return self.clients[role]

    def settle(self, role: str, client, response) -> None:
        """Forget a browser whose identity the request changed (logged in, logged out)."""
        with client.session_transaction() as cookie_session:
            signed_in = "_user_id" in cookie_session
        if role == "anonymous" and signed_in:
            del self.clients[role]
        elif role != "anonymous" and (not signed_in or outcome_of(response) == "login"):
            del self.clients[role]

    # -- one probe ---------------------------------------------------------------------------

    def make_case(self, probe: Probe) -> tuple[int, int]:
        from app.models import Department, User
        from tests.factories import make_case

        setup = probe.case
        department = self.session.get(Department, self.world.dept_a_id)
        holder = (self.session.get(User, self.world.user_ids[setup.holder])
                  if setup.holder else None)
        now = DEFAULT_NOW
        case = make_case(
            self.session, department, state=setup.state, assignee=holder,
            applicant=self.session.get(User, self.world.user_ids["resident"]),
            pending_approval=setup.pending_approval, requires_approval=setup.pending_approval,
            apology_due_at=now if setup.apology_requested else None,
            apology_approved_at=now if setup.apology_approved else None,
            claimed_at=now if holder else None)
        ids = case.id, case.version
        self.session.commit()
        return ids

    def run(self, probe: Probe) -> None:
        self.session.rollback()
        url_args = dict(probe.url_args)
        version = "1"
        if probe.case is not None:
            case_id, current = self.make_case(probe)
            version = str(current)
            if url_args.get("case_id") == "CASE":
                url_args["case_id"] = str(case_id)
        if url_args.get("case_id") == "CASE":
            url_args["case_id"] = str(self.world.case_id)
        markers = {"CURRENT": version, "STALE": str(int(version) - 1)}
        form = [(k, markers.get(v, v)) for k, v in probe.form]
        url = build_url(self.rule.rule, url_args, probe.lang)
        client = self.client(probe.role)
        where = self.describe(probe, url, form)

        before = fingerprint(self.engine, self.tables)
        self.errors.records.clear()
        try:
            if probe.method == "GET":
                response = client.get(url, query_string=MultiDict(probe.query),
                                      headers=probe.headers)
            else:
                response = client.post(url, query_string=MultiDict(probe.query),
                                       headers=probe.headers,
                                       data=MultiDict([("csrf_token", client.token)] + form))
        except PageProblem as problem:
            raise ProbeFailure(f"a malformed page: {problem}", where) from None
        except Exception as error:  # the test client itself could not carry the answer
            raise ProbeFailure(f"the request raised {error!r}", where,
                               self.errors.summary()) from error
        self.settle(probe.role, client, response)
        where += f"\n  -> {response.status_code} {response.headers.get('Location', '')!r}"

        if response.status_code >= 500:
            raise ProbeFailure(f"server error {response.status_code}", where,
                               self.errors.summary())
        location = response.headers.get("Location")
        if location is not None and not is_same_site(location):
            raise ProbeFailure("a redirect off the site", where)
        self.check_language(probe, response, where)
        if says_nothing_saved(probe.method, response):
            changes = changed_tables(before, fingerprint(self.engine, self.tables))
            if changes:
                raise ProbeFailure(f"rows changed though the answer says nothing was saved: "
                                   f"{', '.join(changes)}", where)

    def check_language(self, probe: Probe, response, where: str) -> None:
        if self.endpoint in UNLOCALISED or response.page is None or response.status_code in (
                301, 302, 303, 307, 308):
            return
        root = response.page.find("html")
        if root is not None and root.get("lang") != probe.lang:
            raise ProbeFailure(f"a page at a /{probe.lang}/ address says "
                               f"lang={root.get('lang')!r}", where)
        if probe.lang == "vi":
            shown = response.page.get_text(" ")
            english = [m for m in ENGLISH_BUILT_INS if m in shown]
            if english:
                raise ProbeFailure(f"English built-in messages on a Vietnamese page: {english}",
                                   where)

    def describe(self, probe: Probe, url: str, form) -> str:
        lines = [f"  {probe.role}: {probe.method} {short(url, 150)}"]
        if probe.query:
            lines.append("  query: " + ", ".join(f"{k}={short(v)}" for k, v in probe.query))
        if probe.method == "POST":
            lines.append("  form: " + (", ".join(f"{k}={short(v)}" for k, v in form) or "(empty)"))
        if probe.headers:
            lines.append(f"  headers: { {k: short(v) for k, v in probe.headers.items()} }")
        if probe.case is not None:
            lines.append(f"  fresh case: {probe.case}")
        return "\n".join(lines)


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_no_hostile_request_breaks_the_page(app, session, endpoint, fuzz_examples, request):
    world = build_world(session)
    fuzzer = Fuzzer(app, session, world, endpoint)
    if session.get_bind().dialect.name == "postgresql":
        # The deterministic sweep below tries every field with every hostile kind on both
        # engines; this random half spends most of its examples on the engine that costs a
        # third as much per request, so the whole suite stays well under its time budget.
        fuzz_examples = max(8, fuzz_examples // 3)

    @settings(max_examples=fuzz_examples, deadline=None, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(probe=probe_strategy(app, endpoint, world))
    def probe_the_route(probe):
        if REPORT:
            try:
                fuzzer.run(probe)
            except ProbeFailure as failure:
                fuzzer.record(failure, request.node.callspec.id)
        else:
            fuzzer.run(probe)

    try:
        probe_the_route()
    finally:
        fuzzer.close()


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_each_field_alone_survives_each_kind_of_hostile_value(app, session, endpoint):
    """The deterministic half: one field (or URL argument, or filter) at a time, one value of
    each hostile kind, the rest of the form plausible. Lists every probe that failed."""
    world = build_world(session)
    fuzzer = Fuzzer(app, session, world, endpoint)
    problems: dict[str, list[str]] = {}
    try:
        for probe in sweep_probes(app, endpoint, world):
            try:
                fuzzer.run(probe)
            except ProbeFailure as failure:
                problems.setdefault(failure.kind, []).append(failure.request)
    finally:
        fuzzer.close()
    if REPORT:
        with open(REPORT, "a") as report:
            for kind, probes in problems.items():
                report.write(f"[sweep {request_id(app, endpoint)}] {kind}\n"
                             + "\n".join(probes[:3]) + f"\n  ({len(probes)} probes)\n\n")
        return
    assert not problems, "\n\n".join(
        f"{kind}\n" + "\n".join(probes[:4]) + (f"\n  ... and {len(probes) - 4} more probes"
                                                 if len(probes) > 4 else "")
        for kind, probes in problems.items())


def request_id(app, endpoint: str) -> str:
    return f"{app.extensions['sqlalchemy'].engine.dialect.name}-{endpoint}"
