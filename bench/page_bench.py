#!/usr/bin/env python
"""Whole-page benchmark: requests per second of the real portal behind gunicorn, against a bare
Flask "hello" app behind the same gunicorn settings, driven by wrk.

    .venv/bin/python bench/page_bench.py [--dossiers 100000] [--procedures 1000]
                                         [--database-url URL] [--duration 5] [--connections 8]

Needs `wrk` (Debian/Ubuntu: `apt-get install wrk`); without it the bench says so and stops.

Builds a fresh database through the Alembic migrations (SQLite file under bench/ by default;
with --database-url a dedicated PostgreSQL database `<name>_bench`, dropped afterwards), loads
M procedures (bench/catalogue_bench.py's generator: the 18 demo ones plus realistic names over
20 fields) and N dossiers (case + dossier rows and one event each, bulk-inserted, not through
the web), then starts, one after the other on 127.0.0.1:

* the portal: `gunicorn -c gunicorn.conf.py wsgi:app`, APP_ENV=production, the access log
  sent to /dev/null (wrk would otherwise be measuring the terminal);
* hello: a Flask app with one view returning "hello", same gunicorn.conf.py (same workers and
  threads), the baseline: the most any page can do on this machine, in this run.

and measures with wrk (default -t1 -c8 -d5s, after a 1 s warm-up per URL):

* track: POST /vi/dossiers/track with a valid code and phone (a real session cookie and CSRF
  token fetched first), rotating over 200 dossiers; the tracking page renders the dossier;
* search: GET /vi/procedures/?q=... rotating over bench/catalogue_bench.py's query mix
  (accented and not, any word order, a field filter, later pages, nothing found); after the
  first round every answer is a kept page (app/page_cache.py), as for the catalogue's common
  questions in real use;
* search-cold and api-cold: the same questions where no answer is ever a kept page (each
  address once per round of 4,000, by an ignored `_` parameter): the catalogue's own cost;
* api-status and api-search: the same two through the JSON API (/api/v1/);
* healthz: the portal's floor, every request hook and one `SELECT 1`;
* hello, measured first and last; its mean is the baseline.

The tracking lookup is rate-limited (RATELIMIT_LOOKUP, 10 a minute per address): the bench
starts the portal with RATELIMIT_ENABLED=false, or it would be measuring 429s. Responses are
not compressed (wrk sends no Accept-Encoding), the same for every row.

Reports requests/s, p50/p95/p99 latency and each row's ratio to hello (the goal is >= 0.5).
No assertion on absolute times: they depend on the machine; the ratio is the figure. The last
line is machine-readable:
RESULT db=<sqlite|postgresql> dossiers=<N> procedures=<M> hello_rps=<x> track_rps=<y>
track_ratio=<y/x> search_rps=<z> search_ratio=<z/x> search_p95_ms=<p> search_cold_ratio=<c>
search_cold_p95_ms=<q>
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import quote, urlencode
from urllib.request import HTTPCookieProcessor, build_opener

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.db import configure_engine  # noqa: E402
from app.models import AdminUnit, Department  # noqa: E402
from bench.catalogue_bench import QUERIES, load as load_procedures  # noqa: E402
from bench.queue_bench import (COLUMNS, _sqlite_value, analyze, log, migrate,  # noqa: E402
                               prepare_database)

UTC = timezone.utc
DOSSIER_COLUMNS = ("case_id", "procedure_id", "channel", "applicant_name", "applicant_phone",
                   "applicant_id_number", "form_data", "created_at")
LOOKUPS = 200  # distinct dossiers the tracking runs rotate over
COLD_ADDRESSES = 4000  # catalogue addresses the uncached runs rotate over
STATE_MIX = [(10, 60), (9, 8), (4, 15), (2, 8), (1, 4), (5, 3), (3, 1), (7, 1)]


def hello_app():
    """The baseline: a bare Flask app (gunicorn loads it as `bench.page_bench:hello_app()`)."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def hello():
        return "hello"

    return app


# -- the data -------------------------------------------------------------------------------------

def seed_office(engine) -> tuple[int, int]:
    """A commune and a department for the cases to belong to."""
    with Session(engine) as s:
        province = AdminUnit(code="PB", level="province", name_vi="Tỉnh", name_en="Province")
        s.add(province)
        s.flush()
        commune = AdminUnit(code="PB-1", level="commune", name_vi="Xã Bench", name_en="Bench",
                            parent_id=province.id)
        s.add(commune)
        s.flush()
        dept = Department(unit_id=commune.id, code="PB-onestop", name_vi="Một cửa",
                          name_en="One-stop", case_types="dossier")
        s.add(dept)
        s.commit()
        return commune.id, dept.id


def phone_of(i: int) -> str:
    return f"09{i % 100_000_000:08d}"


def dossier_rows(n: int, unit: int, dept: int, procedures: list[int], now: datetime,
                 rng: random.Random):
    """(case row, dossier row without its case id) for n dossiers over the past four years."""
    states = [s for s, _ in STATE_MIX]
    weights = [w for _, w in STATE_MIX]
    for i in range(n):
        state = rng.choices(states, weights)[0]
        days_ago = rng.uniform(0, 25) if state in (1, 2, 4, 5) else rng.uniform(25, 1500)
        received = now - timedelta(days=days_ago)
        sla = rng.choice((0, 1, 3, 5, 7, 10, 15))
        due = received + timedelta(days=sla * 1.4 + 0.3)
        finished = received + timedelta(days=sla) if state in (3, 7, 9, 10) else None
        procedure = rng.choice(procedures)
        code = f"PB-{received:%y%m%d}-{i:07d}"
        case = (code, "dossier", "civil_status", procedure, "Hồ sơ thử nghiệm", unit, dept,
                None, None, state, 0, sla, received, due, finished,
                received + timedelta(days=2) if state == 5 else None, None, None,
                False, False, None, None, 0, 1, received, received)
        dossier = (procedure, "online", f"Công dân {i}", phone_of(i), None, "{}", received)
        yield case, dossier


def load_dossiers(engine, n: int, unit: int, dept: int, procedures: list[int],
                  rng: random.Random) -> list[tuple[str, str]]:
    """Bulk-insert n cases with their dossier row and a "submitted" event each; returns the
    (code, phone) of LOOKUPS of them, spread over the table."""
    now = datetime.now(UTC)
    rows = list(dossier_rows(n, unit, dept, procedures, now, rng))
    case_sql = (f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES "
                f"({', '.join('?' for _ in COLUMNS)})")
    dossier_sql = (f"INSERT INTO dossiers ({', '.join(DOSSIER_COLUMNS)}) VALUES "
                   f"({', '.join('?' for _ in DOSSIER_COLUMNS)})")
    events_sql = ("INSERT INTO case_events (case_id, at, action, from_state, to_state) "
                  "SELECT id, received_at, 'submitted', NULL, 1 FROM cases")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("BEGIN")
            cur.executemany(case_sql, [tuple(_sqlite_value(v) for v in c) for c, _ in rows])
            ids = dict(cur.execute("SELECT code, id FROM cases").fetchall())
            cur.executemany(dossier_sql, [(ids[c[0]],) + tuple(_sqlite_value(v) for v in d)
                                          for c, d in rows])
            cur.execute(events_sql)
            cur.execute("COMMIT")
            cur.execute("PRAGMA synchronous = NORMAL")
        else:
            with cur.copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for case, _ in rows:
                    copy.write_row(case)
            cur.execute("SELECT code, id FROM cases")
            ids = dict(cur.fetchall())
            with cur.copy(f"COPY dossiers ({', '.join(DOSSIER_COLUMNS)}) FROM STDIN") as copy:
                for case, dossier in rows:
                    copy.write_row((ids[case[0]],) + dossier)
            cur.execute(events_sql)
            raw.commit()
    finally:
        raw.close()
    step = max(1, n // LOOKUPS)
    return [(rows[i][0][0], rows[i][1][3]) for i in range(0, n, step)][:LOOKUPS]


# -- servers and wrk ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the project's gunicorn.conf.py, in its own process group."""

    def __init__(self, target: str, env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="page_bench_", suffix=".log", delete=False)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "--bind",
             f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null", target],
            cwd=ROOT, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait(self, path: str = "/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start in {timeout}s: see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        Path(self.log.name).unlink(missing_ok=True)


# wrk's Lua: rotate over requests, and print the figures as JSON when done.
LUA = r"""
local specs = {%(requests)s}
local requests = {}
local n = 0
-- Formatted in init(), once wrk knows the Host header.
init = function(args)
  for i, spec in ipairs(specs) do
    requests[i] = wrk.format(spec[1], spec[2], spec[3], spec[4])
  end
end
request = function()
  n = n %% #requests + 1
  return requests[n]
end
done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT_JSON {"requests": %%d, "seconds": %%.3f, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"errors": %%d, "non2xx": %%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.errors.status))
end
"""


def lua_string(text: str) -> str:
    return '"' + "".join(c if c.isalnum() or c in " /?=&.-_%:;,{}" else f"\\{ord(c):03d}"
                         for c in text) + '"'


def wrk_request(method: str, path: str, headers: dict[str, str] | None = None,
                body: str | None = None) -> str:
    header_lua = "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}"
                                 for k, v in (headers or {}).items()) + "}"
    body_lua = lua_string(body) if body is not None else "nil"
    return f"{{{lua_string(method)}, {lua_string(path)}, {header_lua}, {body_lua}}}"


def run_wrk(base: str, requests: list[str], args, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"requests": ", ".join(requests)})
    try:
        run = subprocess.run(
            ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s",
             "--timeout", "10s", "-s", script.name, base], capture_output=True, text=True)
    finally:
        os.unlink(script.name)
    out = run.stdout
    if run.returncode != 0:
        raise SystemExit(f"wrk failed ({run.returncode}):\n{run.stdout}{run.stderr}")
    match = re.search(r"^RESULT_JSON (.*)$", out, re.M)
    if match is None:
        raise SystemExit(f"wrk gave no result:\n{out}{run.stderr}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def measure(name: str, base: str, requests: list[str], args) -> dict:
    run_wrk(base, requests, args, 1)  # warm-up: imports, caches, the sort-key cache
    result = run_wrk(base, requests, args, args.duration)
    bad = result["errors"] + result["non2xx"]
    log(f"{name:<11} {result['rps']:8.0f} req/s  p50={result['p50'] / 1000:6.1f} "
        f"p95={result['p95'] / 1000:6.1f} p99={result['p99'] / 1000:6.1f} ms"
        + (f"  ({bad} errors or non-2xx answers!)" if bad else ""))
    return result


def session_and_token(base: str) -> tuple[str, str]:
    """A visitor's session cookie and the CSRF token of the tracking form, as a browser gets."""
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/vi/dossiers/track", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if token is None:
        raise SystemExit("no CSRF token on the tracking page")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token.group(1)


def check_answer(base: str, method: str, path: str, headers: dict, body: str | None,
                 expect: str) -> None:
    """One request by hand before wrk: the page must really show the dossier / results."""
    from urllib.request import Request, urlopen

    request = Request(base + path, data=body.encode() if body else None, method=method,
                      headers=headers)
    text = urlopen(request, timeout=30).read().decode()
    if expect not in text:
        raise SystemExit(f"{method} {path}: the answer does not contain {expect!r}")


# -- main -----------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--procedures", type=int, default=1000)
    parser.add_argument("--database-url")
    parser.add_argument("--sqlite-path", default=str(ROOT / "bench" / "page_bench.db"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        log("page_bench needs wrk, the HTTP load generator: apt-get install wrk "
            "(or build it from https://github.com/wg/wrk). Nothing was measured.")
        return 2
    rng = random.Random(2026)
    url, cleanup = prepare_database(args)
    servers: list[Server] = []
    try:
        migrate(url)
        engine = configure_engine(create_engine(url))
        started = time.perf_counter()
        procedure_ids = load_procedures(engine, args.procedures, rng)
        unit, dept = seed_office(engine)
        lookups = load_dossiers(engine, args.dossiers, unit, dept, procedure_ids, rng)
        analyze(engine)
        db_name = engine.dialect.name
        engine.dispose()
        log(f"loaded {len(procedure_ids)} procedures and {args.dossiers} dossiers into "
            f"{db_name} in {time.perf_counter() - started:.1f}s")

        hello = Server("bench.page_bench:hello_app()", {})
        servers.append(hello)
        hello.wait()
        hello_requests = [wrk_request("GET", "/")]
        results = {"hello": measure("hello", hello.base, hello_requests, args)}
        hello.stop()

        portal = Server("wsgi:app", {
            "APP_ENV": "production", "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(48), "PUBLIC_URL": "http://127.0.0.1",
            "ALLOWED_HOSTS": "127.0.0.1", "COOKIE_SECURE": "false",
            # The lookup's rate limit would answer 429 after 10 requests: lifted for the bench.
            "RATELIMIT_ENABLED": "false"})
        servers.append(portal)
        portal.wait()
        cookie, token = session_and_token(portal.base)
        # A browser's headers: the session cookie holding the CSRF token, and the Referer that
        # Flask-WTF requires over HTTPS.
        form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                "Referer": f"{portal.base}/vi/dossiers/track"}
        as_json = {"Content-Type": "application/json"}
        track = [wrk_request("POST", "/vi/dossiers/track", form,
                             urlencode({"csrf_token": token, "code": code, "contact": phone}))
                 for code, phone in lookups]
        check_answer(portal.base, "POST", "/vi/dossiers/track", form,
                     urlencode({"csrf_token": token, "code": lookups[0][0],
                                "contact": lookups[0][1]}), lookups[0][0])
        field = "bench-0"
        search_paths = []
        for query, with_field, page in QUERIES:
            params = {"q": query} if query else {}
            if with_field:
                params["field"] = field
            if page > 1:
                params["page"] = str(page)
            search_paths.append(params)
        search = [wrk_request("GET", "/vi/procedures/?" + urlencode(p, quote_via=quote))
                  for p in search_paths]
        # The same questions, each address asked once per round: `_` is ignored by the page but
        # is part of the address, so no answer is ever a kept one (app/page_cache.py keeps 512
        # pages; 4,000 addresses in rotation always miss). The catalogue's own cost.
        cold_paths = [{**p, "_": str(i)} for i in range(COLD_ADDRESSES // len(search_paths))
                      for p in search_paths]
        search_cold = [wrk_request("GET", "/vi/procedures/?" + urlencode(p, quote_via=quote))
                       for p in cold_paths]
        check_answer(portal.base, "GET", "/vi/procedures/?q=khai+sinh", {}, None,
                     "Đăng ký khai sinh")
        api_status = [wrk_request("POST", "/api/v1/dossiers/status", as_json,
                                  json.dumps({"code": code, "contact": phone}))
                      for code, phone in lookups]
        api_search = [wrk_request("GET", "/api/v1/procedures?" + urlencode(p, quote_via=quote))
                      for p in search_paths]
        api_search_cold = [wrk_request("GET", "/api/v1/procedures?" +
                                       urlencode(p, quote_via=quote)) for p in cold_paths]
        # The portal's floor: every hook a request passes (session, language, limiter, security
        # headers) and one `SELECT 1`; no page can do better than this.
        results["healthz"] = measure("healthz", portal.base, [wrk_request("GET", "/healthz")],
                                     args)
        results["track"] = measure("track", portal.base, track, args)
        results["search"] = measure("search", portal.base, search, args)
        results["api-status"] = measure("api-status", portal.base, api_status, args)
        results["api-search"] = measure("api-search", portal.base, api_search, args)
        results["search-cold"] = measure("search-cold", portal.base, search_cold, args)
        results["api-cold"] = measure("api-cold", portal.base, api_search_cold, args)
        portal.stop()

        hello = Server("bench.page_bench:hello_app()", {})
        servers.append(hello)
        hello.wait()
        again = measure("hello", hello.base, hello_requests, args)
        hello.stop()
        baseline = (results["hello"]["rps"] + again["rps"]) / 2
        log(f"\nbaseline (hello, mean of first and last run): {baseline:.0f} req/s")
        for name in ("healthz", "track", "search", "api-status", "api-search", "search-cold",
                     "api-cold"):
            ratio = results[name]["rps"] / baseline
            log(f"  {name:<11} ratio to hello {ratio:5.2f}  "
                f"{'meets' if ratio >= 0.5 else 'BELOW'} the 0.5 goal")
        log(f"catalogue search p95 with {len(procedure_ids)} procedures: "
            f"{results['search']['p95'] / 1000:.1f} ms (under {args.connections} connections)")
        log(f"RESULT db={db_name} dossiers={args.dossiers} procedures={len(procedure_ids)} "
            f"hello_rps={baseline:.0f} track_rps={results['track']['rps']:.0f} "
            f"track_ratio={results['track']['rps'] / baseline:.2f} "
            f"search_rps={results['search']['rps']:.0f} "
            f"search_ratio={results['search']['rps'] / baseline:.2f} "
            f"search_p95_ms={results['search']['p95'] / 1000:.1f} "
            f"search_cold_ratio={results['search-cold']['rps'] / baseline:.2f} "
            f"search_cold_p95_ms={results['search-cold']['p95'] / 1000:.1f}")
    finally:
        for server in servers:
            server.stop()
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
