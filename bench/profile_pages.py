#!/usr/bin/env python
"""Where a page's time goes, in-process: cProfile over the Flask test client.

    .venv/bin/python bench/profile_pages.py [--dossiers 20000] [--procedures 1000]
                                            [--requests 300] [--page healthz|track|search|all]
                                            [--top 30] [--rebuild]

Builds (once, kept as bench/profile_pages.db; --rebuild for a fresh one) a SQLite database the
way bench/page_bench.py does, then creates the app with production settings (as gunicorn
would, rate limits lifted like the bench) and, for each page, warms up, times N requests
(mean ms per request) and prints cProfile's top functions by cumulative and own time. No
server and no network: what is left is the per-request cost of the application itself.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from app.db import configure_engine  # noqa: E402
from bench.catalogue_bench import QUERIES, load as load_procedures  # noqa: E402
from bench.page_bench import LOOKUPS, load_dossiers, seed_office  # noqa: E402
from bench.queue_bench import analyze, log, migrate  # noqa: E402

DB = Path(os.environ.get("PROFILE_DB") or ROOT / "bench" / "profile_pages.db")


def build(dossiers: int, procedures: int) -> list[tuple[str, str]]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{DB}"
    migrate(url)
    engine = configure_engine(create_engine(url))
    rng = random.Random(2026)
    ids = load_procedures(engine, procedures, rng)
    unit, dept = seed_office(engine)
    lookups = load_dossiers(engine, dossiers, unit, dept, ids, rng)
    analyze(engine)
    engine.dispose()
    Path(f"{DB}.lookups").write_text("\n".join(f"{c} {p}" for c, p in lookups))
    return lookups


def make_app():
    os.environ.update({"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{DB}",
                       "SECRET_KEY": secrets.token_urlsafe(48),
                       "PUBLIC_URL": "http://127.0.0.1", "ALLOWED_HOSTS": "127.0.0.1",
                       "COOKIE_SECURE": "false", "RATELIMIT_ENABLED": "false",
                       "WEB_CONCURRENCY": "1"})
    from app import create_app

    return create_app()


def requests_for(app, lookups):
    client = app.test_client()
    base = {"base_url": "http://127.0.0.1"}
    html = client.get("/vi/dossiers/track", **base).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    referer = {"Referer": "http://127.0.0.1/vi/dossiers/track"}
    searches = []
    for query, with_field, page in QUERIES:
        params = {"q": query} if query else {}
        if with_field:
            params["field"] = "bench-0"
        if page > 1:
            params["page"] = str(page)
        searches.append("/vi/procedures/?" + urlencode(params, quote_via=quote))

    def healthz(i):
        return client.get("/healthz", **base)

    def track(i):
        code, phone = lookups[i % len(lookups)]
        return client.post("/vi/dossiers/track", data={"csrf_token": token, "code": code,
                                                       "contact": phone},
                           headers=referer, **base)

    def search(i):
        return client.get(searches[i % len(searches)], **base)

    return {"healthz": healthz, "track": track, "search": search}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--procedures", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--page", default="all")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-profile", action="store_true", help="timings only")
    args = parser.parse_args(argv)
    lookups_file = Path(f"{DB}.lookups")
    if args.rebuild or not DB.exists() or not lookups_file.exists():
        lookups = build(args.dossiers, args.procedures)
    else:
        lookups = [tuple(line.split()) for line in lookups_file.read_text().splitlines()]
    app = make_app()
    pages = requests_for(app, lookups)
    names = list(pages) if args.page == "all" else args.page.split(",")
    for name in names:
        run = pages[name]
        for i in range(min(50, args.requests)):  # warm-up: caches, sort keys, templates
            response = run(i)
            assert response.status_code == 200, (name, response.status_code)
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(args.requests):
            run(i)
        mean = (time.perf_counter() - started) * 1000 / args.requests
        cpu = (time.process_time() - cpu) * 1000 / args.requests
        # CPU time is the steadier figure on a shared machine: others' load stretches the wall.
        log(f"{name:<8} {mean:7.2f} ms per request, {cpu:6.2f} ms CPU "
            f"(mean of {args.requests}, no profiler)")
        if args.no_profile:
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(args.requests):
            run(i)
        profiler.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
            log(f"--- {name}, by {order} ---")
            log(out.getvalue().split("\n", 6)[-1] if order == "cumulative" else out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
