#!/usr/bin/env python
"""Case queue benchmark: routing, claim-next latency against a primary-key update, a claim storm.

    .venv/bin/python bench/queue_bench.py [--cases N] [--database-url URL] [--workers 8]

Builds a fresh database through the Alembic migrations (SQLite file under bench/ by default;
with --database-url a dedicated PostgreSQL database `<name>_bench`, dropped afterwards), loads
N cases in bulk with a realistic mix (most finished or assigned, about 4 % waiting in a queue),
then measures:

* routing: route() alone, and the routing decision a new case gets (decide(): the rule and, in
  "assign" mode, the officer, in one statement) p95 with 200 rules and 50 officers;
* claim_next() latency p50/p95/p99, interleaved with the baseline: a plain single-row
  `UPDATE cases SET version = version + 1 WHERE id = ?` in its own transaction, opened the same
  way as a claim's (BEGIN IMMEDIATE on SQLite) through the same session machinery;
* a raw-driver baseline: the same single-row primary-key UPDATE + commit through psycopg /
  sqlite3 directly (no pool, no session), interleaved with the claims too;
* claims at queue lengths --queue-lengths (default 1,000, 10,000 and 100,000 waiting cases in
  one department): a normal claim and a claim that finds nothing (an officer whose skill no
  waiting case has), interleaved; the empty claim must cost about what a claim costs;
* a storm: --workers threads, each with its own session and officer, claiming --storm cases
  from one department until it is empty, in --storm-rounds rounds: claims/s, double
  assignments (a case claimed twice, from the event log and from the ids the workers got back)
  and lost cases (left unclaimed although workers saw "nothing to claim", or claimed without
  an event);
* one steady-state SLA sweep pass and one lease-expiry pass;
* on PostgreSQL, the peer: procrastinate's own `procrastinate_fetch_job_v2` (pip install
  -e .[bench]) in a database `<name>_peer` on the same server, with the same row count (the
  same share waiting) and the same worker count, called as procrastinate's worker calls it
  (autocommit, all queues): its fetch latency interleaved with our claims, then --workers
  threads, one connection each, fetching --storm jobs in rounds of the same size that
  alternate with our storm's (claims/s over its own summed time). Printed as a PEER line;
* on PostgreSQL, the floor: the same threads running a bare job-queue claim on our own `cases`
  table (FLOOR_CLAIM: one ordered probe, SKIP LOCKED, the update; no seat, eligibility,
  merged queues or event), in rounds taking turns with ours and the peer's: what the table
  itself allows, so the gap to our claim is what a claim's rules cost.

The last line is machine-readable:
RESULT db=<sqlite|postgresql> cases=<N> claim_p95_ms=<x> pk_update_p95_ms=<y> ratio=<x/y>
claims_per_s=<z> double_assigned=<d> lost=<l> raw_update_p95_ms=<r> empty_claim_p95_ms=<e>
routing_decision_p95_ms=<d> [peer_claim_p95_ms=<p> peer_claims_per_s=<q> floor_claims_per_s=<f>]
(empty_claim_p95_ms is the worst over the queue lengths; the peer and floor fields on
PostgreSQL only.)
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.db import begin_write, configure_engine, sqlite_pool_options  # noqa: E402
from app.models import (AdminUnit, Case, CaseEvent, Department, OfficerMembership,  # noqa: E402
                        OfficerSkill, Procedure, ProcedureField, RoutingRule, User)
from app.queue.calendar import WorkCalendar  # noqa: E402
from app.queue.claims import (CLAIM_ORDER, DEFAULT_LEASE_MINUTES, claim_next,  # noqa: E402
                              expire_leases)
from app.queue.routing import decide, route  # noqa: E402
from app.queue.sla import sweep  # noqa: E402

UTC = timezone.utc
CASE_TYPES = ("dossier", "petition", "field_report", "initiative", "village_need")
# Departments and the categories (skills) each handles.
DEPARTMENTS = [
    ("civil", ["civil_status", "residence", "certification"]),
    ("land", ["land", "construction"]),
    ("social", ["social_support", "initiative", "village_need"]),
    ("feedback", ["petition", "field_report"]),
    ("onestop", ["civil_status", "certification", "residence", "land"]),
]
OFFICERS_PER_DEPARTMENT = 10  # 5 x 10 = 50 officers for routing
# History dominates a real table: most cases are finished. About 4 % wait unassigned in a
# department queue (a heavy backlog, to load the claim index), and officers hold a realistic,
# size-independent amount of open work each (it is what routing counts).
CLOSED_MIX = [(10, 81.0), (9, 6.0), (3, 2.0), (7, 2.0), (8, 1.0)]
CLAIMABLE_SHARE = 0.04
CLAIMABLE_MIX = [(1, 1.0), (2, 1.5), (4, 2.0)]
OPEN_PER_OFFICER = 50
ASSIGNED_OPEN_MIX = [(1, 0.5), (2, 1.0), (4, 5.0), (5, 1.0), (6, 0.5)]

COLUMNS = ("code", "case_type", "category", "procedure_id", "title", "unit_id", "department_id",
           "assignee_id", "applicant_id", "state", "priority", "sla_days", "received_at",
           "due_at", "finished_at", "paused_at", "claimed_at", "lease_until",
           "requires_approval", "pending_approval", "apology_due_at", "apology_approved_at",
           "sla_band", "version", "created_at", "updated_at")


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def summary(values: list[float]) -> str:
    return (f"p50={percentile(values, 50):.3f} p95={percentile(values, 95):.3f} "
            f"p99={percentile(values, 99):.3f} ms (n={len(values)})")


# -- database set-up ------------------------------------------------------------------------------

def prepare_database(args) -> tuple[str, callable]:
    """A fresh, empty database URL and a clean-up function."""
    if not args.database_url:
        path = Path(args.sqlite_path or ROOT / "bench" / "queue_bench.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"

        def cleanup():
            if not args.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return url, cleanup

    base = make_url(args.database_url)
    if base.drivername in ("postgresql", "postgres"):
        base = base.set(drivername="postgresql+psycopg")
    name = base.database or "conglang"
    # Never the database named on the command line itself: a dedicated one we may drop.
    name = name if name.endswith("_bench") else f"{name}_bench"
    target = base.set(database=name)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def run(sql):
        with admin.connect() as conn:
            conn.execute(text(sql))

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')

    def cleanup():
        if not args.keep:
            run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    return target.render_as_string(hide_password=False), cleanup


def migrate(url: str) -> None:
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        from app.extensions import db
        db.engine.dispose()


# -- the world: units, departments, officers, rules -----------------------------------------------

@dataclass
class World:
    province: int = 0
    communes: list[int] = field(default_factory=list)
    villages: list[int] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)
    skills: dict[int, list[str]] = field(default_factory=dict)       # department -> categories
    officers: dict[int, list[int]] = field(default_factory=dict)     # department -> user ids
    storm_department: int = 0
    storm_officers: list[int] = field(default_factory=list)
    qlen_department: int = 0
    qlen_claimer: int = 0      # holds the category every waiting case of that department has
    qlen_empty: int = 0        # holds a category no waiting case has
    rules: int = 0
    procedures: list[int] = field(default_factory=list)  # what cases and rules may name
    floor_department: int = 0  # the floor's own queue (PostgreSQL): see FLOOR_CLAIM


def _user(session, n, role="officer"):
    u = User(full_name=f"Cán bộ {n}", email=f"bench{n}@conglang.bench", password_hash="!",
             role=role)
    session.add(u)
    return u


def seed_world(engine, rng: random.Random, workers: int) -> World:
    w = World()
    with Session(engine) as s:
        province = AdminUnit(code="B19", level="province", name_vi="Tỉnh", name_en="Province")
        s.add(province)
        s.flush()
        w.province = province.id
        for c in range(3):
            commune = AdminUnit(code=f"B19-{c}", level="commune", name_vi=f"Xã {c}",
                                name_en=f"Commune {c}", parent_id=province.id)
            s.add(commune)
            s.flush()
            w.communes.append(commune.id)
            for v in range(4):
                village = AdminUnit(code=f"B19-{c}-{v}", level="village", name_vi=f"Thôn {v}",
                                    name_en=f"Village {v}", parent_id=commune.id)
                s.add(village)
                s.flush()
                w.villages.append(village.id)
        n = 0
        for key, categories in DEPARTMENTS + [("storm", ["civil_status"])]:
            n += 1
            leader = _user(s, f"lead{n}", role="leader")
            s.flush()
            d = Department(unit_id=w.communes[0], code=f"B-{key}", name_vi=key, name_en=key,
                           case_types=",".join(CASE_TYPES), leader_id=leader.id)
            s.add(d)
            s.flush()
            if key == "storm":
                w.storm_department = d.id
                count = workers
            else:
                w.departments.append(d.id)
                count = OFFICERS_PER_DEPARTMENT
            w.skills[d.id] = categories
            ids = []
            for i in range(count):
                n += 1
                u = _user(s, n)
                s.flush()
                # Storm seats are leaders' seats, which take every stage (states 1, 2 and 4), so
                # the storm races for all of its cases; elsewhere two intake desks, the rest
                # specialists, as in a commune office.
                desk = "leader" if key == "storm" else ("intake" if i < 2 else "specialist")
                m = OfficerMembership(user_id=u.id, department_id=d.id, desk=desk,
                                      on_duty=rng.random() > 0.05)
                m.skills = [OfficerSkill(skill=c) for c in categories]
                s.add(m)
                ids.append(u.id)
            if key == "storm":
                w.storm_officers = ids
            else:
                w.officers[d.id] = ids
        # The queue-length department: one long queue of one category, a claimer who takes it
        # and an officer whose one skill nothing in it has.
        leader = _user(s, "qlen-lead", role="leader")
        s.flush()
        q = Department(unit_id=w.communes[0], code="B-qlen", name_vi="qlen", name_en="qlen",
                       case_types=",".join(CASE_TYPES), leader_id=leader.id)
        s.add(q)
        s.flush()
        w.qlen_department = q.id
        for attr, skill in (("qlen_claimer", "civil_status"), ("qlen_empty", "land")):
            u = _user(s, attr)
            s.flush()
            m = OfficerMembership(user_id=u.id, department_id=q.id, desk="leader")
            m.skills = [OfficerSkill(skill=skill)]
            s.add(m)
            setattr(w, attr, u.id)
        # The floor's department (FLOOR_CLAIM): nobody sits in it, the floor checks no seat.
        floor = Department(unit_id=w.communes[0], code="B-floor", name_vi="floor",
                           name_en="floor", case_types=",".join(CASE_TYPES), leader_id=leader.id)
        s.add(floor)
        s.flush()
        w.floor_department = floor.id
        # A storm officer also sits in every other department holding a category no case has:
        # their "claim next" finds nothing there.
        for d in w.departments:
            m = OfficerMembership(user_id=w.storm_officers[0], department_id=d, desk="specialist")
            m.skills = [OfficerSkill(skill="no_such_category")]
            s.add(m)
        s.flush()
        # 40 procedures for cases and rules to name (the database checks that they exist).
        catalogue = ProcedureField(code="bench", name_vi="Lĩnh vực thử", name_en="Bench field")
        s.add(catalogue)
        s.flush()
        procedures = [Procedure(code=f"B.{n:03d}", name_vi=f"Thủ tục {n}",
                                name_en=f"Procedure {n}", field_id=catalogue.id,
                                agency_vi="Ủy ban nhân dân xã", agency_en="Commune committee")
                      for n in range(40)]
        s.add_all(procedures)
        s.flush()
        w.procedures = [p.id for p in procedures]
        # 200 rules: a catch-all per case type at the province, then category, unit and
        # procedure rules of every specificity.
        rules = []
        for case_type in CASE_TYPES:
            rules.append(RoutingRule(case_type=case_type, unit_id=None,
                                     department_id=w.departments[3], mode="pull"))
        while len(rules) < 200:
            d = rng.choice(w.departments)
            unit = rng.choice([None, w.province] + w.communes + w.villages)
            rules.append(RoutingRule(
                case_type=rng.choice(CASE_TYPES), unit_id=unit,
                category=rng.choice(w.skills[d]) if rng.random() < 0.7 else None,
                procedure_id=rng.choice(w.procedures) if rng.random() < 0.3 else None,
                department_id=d, mode=rng.choice(["assign", "pull"]),
                active=rng.random() > 0.05))
        s.add_all(rules)
        s.commit()
        w.rules = len(rules)
    return w


# -- bulk load ------------------------------------------------------------------------------------

def _pick(rng: random.Random, mix) -> int:
    return rng.choices([s for s, _ in mix], [w for _, w in mix])[0]


def case_row(world: World, i: int, d: int, state: int, assignee: int | None, now: datetime,
             rng: random.Random) -> tuple:
    finished_state = state in (3, 7, 8, 9, 10)
    if finished_state:
        received = now - timedelta(days=rng.uniform(25, 1500))
    else:
        received = now - timedelta(days=rng.uniform(0, 25))
    sla = rng.choice((0, 1, 3, 5, 7, 10, 15))
    due = received + timedelta(days=sla * 1.4 + 0.3)
    finished = received + timedelta(days=rng.uniform(0.2, sla * 1.5 + 1)) \
        if finished_state else None
    band = 0
    if state in (1, 2, 4, 6):  # steady state: the sweep has already seen these
        band = 2 if due < now else (1 if due < now + timedelta(days=1.4) else 0)
    claimed = received + timedelta(hours=2) if assignee else None
    lease = now + timedelta(minutes=rng.randint(5, 120)) if (
        assignee and state in (1, 2, 4) and rng.random() < 0.3) else None
    return (f"BN-{i:08d}", "dossier" if rng.random() < 0.7 else rng.choice(CASE_TYPES),
            rng.choice(world.skills[d]),
            rng.choice(world.procedures) if rng.random() < 0.5 else None,
            "Hồ sơ thử nghiệm", rng.choice(world.villages), d, assignee, None, state,
            rng.choices((0, 1, 2), (85, 12, 3))[0], sla, received, due, finished,
            received + timedelta(days=2) if state == 5 else None, claimed, lease,
            False, False, None, None, band, 1, received, received)


def case_rows(world: World, n: int, now: datetime, rng: random.Random):
    """n cases: the officers' open work, the queues' backlog, and finished history."""
    departments = world.departments
    assigned_open = [(d, o) for d in departments for o in world.officers[d]
                     for _ in range(OPEN_PER_OFFICER)]
    assigned_open = assigned_open[:n // 2]
    history = n - len(assigned_open)
    for i in range(history):
        d = departments[i % len(departments)]
        if rng.random() < CLAIMABLE_SHARE:
            yield case_row(world, i, d, _pick(rng, CLAIMABLE_MIX), None, now, rng)
        else:
            yield case_row(world, i, d, _pick(rng, CLOSED_MIX),
                           rng.choice(world.officers[d]), now, rng)
    for j, (d, officer) in enumerate(assigned_open):
        yield case_row(world, history + j, d, _pick(rng, ASSIGNED_OPEN_MIX), officer, now, rng)


def _sqlite_value(value):
    if isinstance(value, datetime):
        # The stored form of app.models.base.UTCDateTime on SQLite: naive UTC, microseconds.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


def bulk_insert(engine, rows) -> None:
    """executemany in big batches on SQLite; COPY on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("PRAGMA cache_size = -400000")
            cur.execute("BEGIN")
            sql = (f"INSERT INTO cases ({', '.join(COLUMNS)}) "
                   f"VALUES ({', '.join('?' for _ in COLUMNS)})")
            batch = []
            for row in rows:
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) >= 50_000:
                    cur.executemany(sql, batch)
                    batch.clear()
            if batch:
                cur.executemany(sql, batch)
            cur.execute("INSERT INTO case_events (case_id, at, action, from_state, to_state) "
                        "SELECT id, received_at, 'submitted', NULL, 1 FROM cases "
                        "WHERE id > (SELECT COALESCE(MAX(case_id), 0) FROM case_events)")
            cur.execute("COMMIT")
            cur.execute("PRAGMA synchronous = NORMAL")
        finally:
            raw.close()
        return
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute("INSERT INTO case_events (case_id, at, action, from_state, to_state) "
                    "SELECT id, received_at, 'submitted', NULL, 1 FROM cases "
                    "WHERE id > (SELECT COALESCE(MAX(case_id), 0) FROM case_events)")
        raw.commit()
    finally:
        raw.close()


def analyze(engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        # The bulk load went through the WAL (hundreds of MB at 1M cases). Left there, every page
        # read searches a huge wal-index and the reads of a claim pay for a load no live
        # database has just done; a checkpoint gives the steady state of a running portal.
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


# -- measurements ---------------------------------------------------------------------------------

def bench_routing(engine, world: World, rng: random.Random, rounds: int) -> tuple[float, float]:
    today = date.today()
    route_ms, decision_ms = [], []
    with Session(engine) as s:
        inputs = []
        for _ in range(rounds):
            d = rng.choice(world.departments)
            inputs.append(dict(case_type=rng.choice(CASE_TYPES),
                               category=rng.choice(world.skills[d]),
                               unit_id=rng.choice(world.villages + world.communes),
                               procedure_id=(rng.choice(world.procedures)
                                             if rng.random() < 0.5 else None)))
        for kw in inputs[:50]:  # warm the statement caches
            route(s, **kw)
        for kw in inputs:
            # Routing runs inside the transaction that creates the case (create_case opens it
            # and reads the calendar first), so the transaction is open before the clock starts.
            s.execute(text("SELECT 1"))
            t0 = time.perf_counter()
            route(s, **kw)
            t1 = time.perf_counter()
            decide(s, **kw, desk="specialist", today=today)
            t2 = time.perf_counter()
            route_ms.append((t1 - t0) * 1000)
            decision_ms.append((t2 - t1) * 1000)
            # Commit, as create_case's caller does: psycopg forgets its prepared statements
            # on a rollback, which would make every decision pay PostgreSQL's planning again.
            s.commit()
    log(f"routing ({world.rules} rules, {len(world.departments) * OFFICERS_PER_DEPARTMENT} "
        f"officers): route {summary(route_ms)}")
    log(f"routing decision (decide: rule and officer, one statement): {summary(decision_ms)}")
    return percentile(route_ms, 95), percentile(decision_ms, 95)


def bench_claims(engine, world: World, rng: random.Random, count: int, max_id: int,
                 claimable: int, raw: RawUpdate, peer: Peer | None):
    """Claims round-robin over the departments, each followed by a PK update on a random
    case through the session, the same through the raw driver, and (PostgreSQL) the peer's
    fetch: interleaved so machine noise hits them all alike."""
    claim_ms, pk_ms, narrow_ms, empty_ms, raw_ms, peer_ms = [], [], [], [], [], []
    peer_conn = None
    if peer is not None:
        import psycopg

        peer_conn = psycopg.connect(peer.dsn, autocommit=True)
        for _ in range(20):
            peer_conn.execute(PEER_FETCH, (peer.workers[0],)).fetchone()
    officers = {d: world.officers[d][-1] for d in world.departments}
    pk_sql = text("UPDATE cases SET version = version + 1 WHERE id = :id")
    now = datetime.now(UTC)
    with Session(engine) as s:
        for i in range(20):  # warm-up, not measured
            d = world.departments[i % len(world.departments)]
            claim_next(s, officers[d], d, now=now)
        for i in range(count):
            d = world.departments[i % len(world.departments)]
            t0 = time.perf_counter()
            got = claim_next(s, officers[d], d, now=now)
            t1 = time.perf_counter()
            if got is None:
                raise SystemExit(f"department {d} ran out of claimable cases; use more --cases")
            claim_ms.append((t1 - t0) * 1000)

            case_id = rng.randint(1, max_id)
            t0 = time.perf_counter()
            begin_write(s)
            s.execute(pk_sql, {"id": case_id})
            s.commit()
            pk_ms.append((time.perf_counter() - t0) * 1000)

            case_id = rng.randint(1, max_id)
            t0 = time.perf_counter()
            raw(case_id)
            raw_ms.append((time.perf_counter() - t0) * 1000)

            if peer_conn is not None:
                t0 = time.perf_counter()
                row = peer_conn.execute(PEER_FETCH, (peer.workers[0],)).fetchone()
                peer_ms.append((time.perf_counter() - t0) * 1000)
                assert row is not None and row[0] is not None
        if peer_conn is not None:
            peer_conn.close()
        # An officer holding one category of a department that has several: the filter is
        # applied while walking the index, so this shows its cost on a mixed queue.
        for i in range(min(300, count)):
            d = world.departments[i % len(world.departments)]
            t0 = time.perf_counter()
            claim_next(s, officers[d], d, now=now, skills=[world.skills[d][-1]])
            narrow_ms.append((time.perf_counter() - t0) * 1000)
        # Nothing this officer may take: their one skill has no waiting case (one probe).
        for i in range(min(100, count)):
            d = world.departments[i % len(world.departments)]
            t0 = time.perf_counter()
            assert claim_next(s, world.storm_officers[0], d, now=now) is None
            empty_ms.append((time.perf_counter() - t0) * 1000)
    queue = round(claimable / len(world.departments)) if claimable else 0
    log(f"claim_next: {summary(claim_ms)}")
    log(f"pk update baseline: {summary(pk_ms)}")
    log(f"raw-driver pk update + commit: {summary(raw_ms)}")
    if peer_ms:
        log(f"peer fetch (procrastinate_fetch_job_v2): {summary(peer_ms)}")
    log(f"claim_next, officer holding one of the department's categories: {summary(narrow_ms)}")
    log(f"claim_next finding nothing in a queue of ~{queue} (worst case): {summary(empty_ms)}")
    return claim_ms, pk_ms, raw_ms, peer_ms


def show_claim_plan(engine, world: World) -> None:
    """The claim candidate's plan on the loaded table: it must walk ix_cases_claim_queue and
    never sort."""
    from app.queue.claims import claim_candidate, claim_params

    d = world.departments[0]
    stmt = claim_candidate(engine.dialect.name, narrowed=False)
    explain = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
    explained = text(f"{explain} {stmt.text}")
    explained._bindparams = dict(stmt._bindparams)
    params = claim_params(department_id=d, officer_id=world.officers[d][-1],
                          now=datetime.now(UTC))
    with Session(engine) as s:
        lines = [str(row[-1]).strip() for row in s.execute(explained, params)]
    nodes = [line.split("  (")[0].lstrip("-> ").strip() for line in lines
             if "Filter" not in line and "Cond" not in line]
    log("claim plan: " + " | ".join(nodes))


class RawUpdate:
    """One single-row primary-key UPDATE + commit through the driver itself: no pool, no
    session, no SQLAlchemy. On SQLite the same BEGIN IMMEDIATE a claim takes."""

    def __init__(self, url: str):
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        if self.sqlite:
            import sqlite3

            self.conn = sqlite3.connect(parsed.database, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 15000")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        else:
            import psycopg

            self.conn = psycopg.connect(_libpq(url))

    def __call__(self, case_id: int) -> None:
        if self.sqlite:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("UPDATE cases SET version = version + 1 WHERE id = ?", (case_id,))
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("UPDATE cases SET version = version + 1 WHERE id = %s",
                              (case_id,))
            self.conn.commit()

    def close(self) -> None:
        self.conn.close()


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def bench_queue_lengths(engine, world: World, rng: random.Random, lengths: list[int],
                        start: int, rounds: int) -> tuple[float, list[str]]:
    """Claims, and claims that find nothing, as one department's queue grows; returns the worst
    empty-claim p95 and one line per length."""
    worst, lines, loaded = 0.0, [], 0
    now = datetime.now(UTC)
    for length in lengths:
        rows = []
        for i in range(loaded, length + rounds):
            row = list(case_row(world, start + i, world.departments[0],
                                CLAIMABLE_MIX[i % 3][0], None, now, rng))
            row[COLUMNS.index("department_id")] = world.qlen_department
            row[COLUMNS.index("category")] = "civil_status"
            rows.append(tuple(row))
        bulk_insert(engine, rows)
        loaded = length + rounds
        start += len(rows)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE cases")
        claim_ms, empty_ms = [], []
        with Session(engine) as s:
            for _ in range(10):  # warm-up
                claim_next(s, world.qlen_empty, world.qlen_department, now=now)
            for _ in range(rounds):
                t0 = time.perf_counter()
                got = claim_next(s, world.qlen_claimer, world.qlen_department, now=now)
                t1 = time.perf_counter()
                assert got is not None
                none = claim_next(s, world.qlen_empty, world.qlen_department, now=now)
                t2 = time.perf_counter()
                assert none is None
                claim_ms.append((t1 - t0) * 1000)
                empty_ms.append((t2 - t1) * 1000)
        loaded -= rounds  # those were claimed: the queue is back to `length`
        c95, e95 = percentile(claim_ms, 95), percentile(empty_ms, 95)
        worst = max(worst, e95)
        line = (f"queue of {length}: claim p95={c95:.3f} ms, claim finding nothing "
                f"p95={e95:.3f} ms (x{e95 / c95:.2f})")
        lines.append(line)
        log(line)
    return worst, lines


@dataclass
class Peer:
    """procrastinate on the same server: a database `<name>_peer` loaded with jobs."""
    dsn: str
    workers: list[int]
    version: str
    drop: callable


def setup_peer(url: str, total: int, waiting_share: float, workers: int, storm: int) -> Peer:
    """procrastinate's own schema and `total` jobs, the same share waiting as our queue, plus
    `storm` more waiting jobs, as our storm adds its cases to the table: the peer's storm
    must not run dry (and stop early) because the latency rounds took its jobs."""
    import psycopg
    from procrastinate import __version__ as version
    from procrastinate.schema import SchemaManager

    base = make_url(url)
    name = f"{base.database}_peer"
    admin_dsn = _libpq(str(base.set(database="postgres")))

    def drop():
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = _libpq(str(base.set(database=name)))
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SchemaManager.get_schema())
        rng = random.Random(7)
        with conn.cursor() as cur:
            with cur.copy("COPY procrastinate_jobs (queue_name, task_name, priority, status, "
                          "args) FROM STDIN") as copy:
                for _ in range(total):
                    waiting = rng.random() < waiting_share
                    copy.write_row(("default", "bench.task", rng.choice((0, 0, 0, 1)),
                                    "todo" if waiting else "succeeded", "{}"))
                for _ in range(storm):
                    copy.write_row(("default", "bench.task", rng.choice((0, 0, 0, 1)),
                                    "todo", "{}"))
        conn.execute("VACUUM ANALYZE")
        ids = [conn.execute("SELECT worker_id FROM procrastinate_register_worker_v1()")
               .fetchone()[0] for _ in range(workers)]
    log(f"peer: procrastinate=={version}, {total + storm} jobs loaded in "
        f"{time.perf_counter() - t0:.1f}s")
    return Peer(dsn, ids, version, drop)


# How procrastinate's worker fetches (psycopg connector: autocommit, one round trip; a worker
# listening to every queue passes NULL).
PEER_FETCH = "SELECT id FROM procrastinate_fetch_job_v2(NULL, %s)"


def peer_storm(peer: Peer, connections: list, jobs: int) -> tuple[float, list[int]]:
    """One thread per connection fetches until `jobs` jobs are taken between them; returns
    (seconds, the ids fetched)."""
    got: list[list[int]] = [[] for _ in connections]
    remaining = [jobs]
    lock = threading.Lock()

    def work(k, start):
        start()
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            row = connections[k].execute(PEER_FETCH, (peer.workers[k],)).fetchone()
            if row is None or row[0] is None:
                return
            got[k].append(row[0])

    return _race(len(connections), work), [i for ids in got for i in ids]


def _race(count: int, work: Callable[[int, Callable[[], object]], None]) -> float:
    """Runs work(k, start) in `count` threads, each calling start() once it is ready, and
    returns the seconds from the moment all are ready until the last one ends."""
    barrier = threading.Barrier(count + 1)
    threads = [threading.Thread(target=work, args=(k, barrier.wait)) for k in range(count)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


# The floor: a job queue's claim on our own table, with none of the rules a claim keeps (no
# seat, eligibility or skills, one queue instead of the officer's merged (skill, stage) queues,
# no event): one ordered probe of the claim index, FOR UPDATE SKIP LOCKED, the update, as
# procrastinate's fetch is. Not a path of the portal: it shows what `cases` itself allows, so
# the gap between the floor and our claim is what those rules cost.
FLOOR_CLAIM = ("UPDATE cases SET assignee_id = %(officer)s, claimed_at = %(now)s, "
               "lease_until = %(lease)s, version = cases.version + 1, updated_at = %(now)s "
               "WHERE id = (SELECT id FROM cases WHERE department_id = %(department)s "
               "AND category = 'civil_status' AND state = 2 AND assignee_id IS NULL "
               f"AND state IN (1, 2, 4) ORDER BY {CLAIM_ORDER} LIMIT 1 "
               "FOR UPDATE SKIP LOCKED) RETURNING id")
# Codes of the floor's cases: far above any code the bench's other cases take.
FLOOR_CODES = 90_000_000


def floor_storm(world: World, connections: list, officers: list[int],
                now: datetime) -> tuple[float, list[int]]:
    """Each connection runs FLOOR_CLAIM in its own thread until the floor's queue is empty;
    returns (seconds, the ids claimed)."""
    got: list[list[int]] = [[] for _ in connections]

    def work(k, start):
        values = {"officer": officers[k], "now": now, "department": world.floor_department,
                  "lease": now + timedelta(minutes=DEFAULT_LEASE_MINUTES)}
        start()
        while (row := connections[k].execute(FLOOR_CLAIM, values).fetchone()) is not None:
            got[k].append(row[0])

    return _race(len(connections), work), [i for ids in got for i in ids]


def bench_lease_expiry(engine, now: datetime) -> None:
    with Session(engine) as s:
        t0 = time.perf_counter()
        expired = expire_leases(s, now)
        elapsed = (time.perf_counter() - t0) * 1000
    log(f"lease expiry pass: {elapsed:.1f} ms ({expired} returned)")


def _storm_cases(engine, world: World, count: int, now: datetime, rng: random.Random,
                 start: int, *, floor: bool = False) -> None:
    """`count` claimable cases for the storm's department, or (floor) for the floor's, all in
    one stage there, as FLOOR_CLAIM probes one queue."""
    rows = []
    for i in range(count):
        state = 2 if floor else CLAIMABLE_MIX[i % 3][0]
        row = list(case_row(world, start + i, world.departments[0], state, None, now, rng))
        row[COLUMNS.index("department_id")] = (world.floor_department if floor
                                               else world.storm_department)
        row[COLUMNS.index("category")] = "civil_status"
        row[COLUMNS.index("due_at")] = now + timedelta(days=2 + i % 10, minutes=i)
        row[COLUMNS.index("sla_band")] = 0
        rows.append(tuple(row))
    bulk_insert(engine, rows)


def _our_storm(engine, world: World, officers: list[int], now: datetime,
               got: dict[int, list[int]], errors: list[BaseException]) -> float:
    """Every officer claims in its own thread and session until the department is empty;
    returns the seconds it took."""
    def work(k, start):
        officer_id = officers[k]
        with Session(engine) as s:
            try:
                start()
                while (case := claim_next(s, officer_id, world.storm_department,
                                          now=now)) is not None:
                    got[officer_id].append(case.id)
            except BaseException as error:  # noqa: BLE001 - counted and reported
                errors.append(error)

    return _race(len(officers), work)


def bench_storm(engine, world: World, workers: int, storm: int, now: datetime,
                rng: random.Random, start: int, peer: Peer | None, rounds: int):
    """Workers race for `storm` claimable cases of one department, in `rounds` rounds; with a
    peer, its workers fetch as many jobs in rounds of the same size, and as many threads run
    the floor (FLOOR_CLAIM) on as many cases of the floor's department, the three taking turns
    to go first so that the machine's noise hits them alike. Each side's rate is its cases
    over its own summed time. Returns (rate, double, lost, peer rate or None, peer jobs
    fetched twice, floor rate or None)."""
    officers = world.storm_officers[:workers]
    got: dict[int, list[int]] = {o: [] for o in officers}
    errors: list[BaseException] = []
    peer_connections, peer_ids, floor_connections, floor_ids = [], [], [], []
    if peer is not None:
        import psycopg

        peer_connections = [psycopg.connect(peer.dsn, autocommit=True) for _ in range(workers)]
        ours = _libpq(engine.url.render_as_string(hide_password=False))
        floor_connections = [psycopg.connect(ours, autocommit=True) for _ in range(workers)]
    sizes = [storm // rounds + (1 if r < storm % rounds else 0) for r in range(rounds)]
    elapsed = peer_elapsed = floor_elapsed = 0.0
    loaded = 0
    for r, size in enumerate(sizes):
        _storm_cases(engine, world, size, now, rng, start + loaded)
        if floor_connections:
            _storm_cases(engine, world, size, now, rng, FLOOR_CODES + loaded, floor=True)
        loaded += size
        sides = ["ours", "peer", "floor"][r % 3:] + ["ours", "peer", "floor"][:r % 3]
        for side in sides:
            if side == "ours":
                elapsed += _our_storm(engine, world, officers, now, got, errors)
            elif side == "peer" and peer_connections:
                seconds, ids = peer_storm(peer, peer_connections, size)
                peer_elapsed += seconds
                peer_ids += ids
            elif side == "floor" and floor_connections:
                seconds, ids = floor_storm(world, floor_connections, officers, now)
                floor_elapsed += seconds
                floor_ids += ids
    for conn in peer_connections + floor_connections:
        conn.close()
    if errors:
        log(f"storm errors: {errors[:3]}")
    with Session(engine) as s:
        storm_ids = set(s.scalars(select(Case.id).where(
            Case.department_id == world.storm_department)))
    assert len(storm_ids) == storm

    returned = [i for ids in got.values() for i in ids]
    dup_returned = len(returned) - len(set(returned))
    with Session(engine) as s:
        per_case = Counter(s.scalars(select(CaseEvent.case_id).where(
            CaseEvent.action == "claim", CaseEvent.case_id.in_(storm_ids))))
        dup_events = sum(1 for c in per_case.values() if c > 1)
        assigned = dict(s.execute(select(Case.id, Case.assignee_id).where(
            Case.department_id == world.storm_department)).all())
    left = sum(1 for a in assigned.values() if a is None)
    no_event = sum(1 for cid, a in assigned.items() if a is not None and cid not in per_case)
    wrong_owner = sum(1 for o, ids in got.items() for cid in ids if assigned.get(cid) != o)
    double = max(dup_returned, dup_events) + wrong_owner
    lost = left + no_event + len(errors)
    rate = len(returned) / elapsed if elapsed else 0.0
    per_worker = sorted(len(ids) for ids in got.values())
    log(f"storm: {workers} workers claimed {len(returned)}/{storm} in {elapsed:.2f}s "
        f"({rounds} rounds) = {rate:.0f} claims/s; per worker {per_worker}; double={double} "
        f"(returned twice {dup_returned}, two claim events {dup_events}, owner mismatch "
        f"{wrong_owner}) lost={lost} (left {left}, no event {no_event}, errors {len(errors)})")
    if peer is None:
        return rate, double, lost, None, 0, None
    peer_rate = len(peer_ids) / peer_elapsed if peer_elapsed else 0.0
    log(f"peer storm: {workers} workers fetched {len(peer_ids)}/{storm} in "
        f"{peer_elapsed:.2f}s ({rounds} rounds, alternating with ours) = {peer_rate:.0f} "
        f"claims/s")
    floor_rate = len(floor_ids) / floor_elapsed if floor_elapsed else 0.0
    floor_double = len(floor_ids) - len(set(floor_ids))
    log(f"floor storm (a bare job-queue claim on our cases table: no seat, eligibility, merged "
        f"queues or event): {workers} threads claimed {len(floor_ids)}/{storm} in "
        f"{floor_elapsed:.2f}s = {floor_rate:.0f} claims/s, double={floor_double}; ours is "
        f"{rate / floor_rate if floor_rate else 0:.2f}x the floor, the peer "
        f"{peer_rate / floor_rate if floor_rate else 0:.2f}x")
    return rate, double, lost, peer_rate, len(peer_ids) - len(set(peer_ids)), floor_rate


def bench_sweep(engine, now: datetime) -> None:
    with Session(engine) as s:
        t0 = time.perf_counter()
        report = sweep(s, now, warning_days=1, calendar=WorkCalendar(),
                       compose=lambda digest: ("SLA digest", ""))  # wording is not measured
        elapsed = (time.perf_counter() - t0) * 1000
    log(f"sla sweep pass: {elapsed:.1f} ms ({report.summary()})")


# -- main -----------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--sqlite-path", help="SQLite file (default bench/queue_bench.db)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--storm", type=int, default=5000)
    parser.add_argument("--storm-rounds", type=int, default=4,
                        help="rounds of the storm, alternating with the peer's")
    parser.add_argument("--routing", type=int, default=2000)
    parser.add_argument("--queue-lengths", default="1000,10000,100000",
                        help="waiting cases in one department at which to compare a claim "
                             "with one that finds nothing")
    parser.add_argument("--no-peer", action="store_true", help="skip the procrastinate peer")
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    url, cleanup = prepare_database(args)
    peer = None
    try:
        engine = configure_engine(create_engine(
            url, pool_size=args.workers + 4, max_overflow=4,
            # the portal's own pool settings (app/db.py, app/config.py)
            **({"connect_args": {"check_same_thread": False}, **sqlite_pool_options(url)}
               if url.startswith("sqlite") else {})))
        db_name = "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
        t0 = time.perf_counter()
        migrate(url)
        world = seed_world(engine, rng, args.workers)
        log(f"db={db_name} migrated and seeded in {time.perf_counter() - t0:.1f}s")

        now = datetime.now(UTC)
        t0 = time.perf_counter()
        bulk_insert(engine, case_rows(world, args.cases, now, rng))
        loaded = time.perf_counter() - t0
        t0 = time.perf_counter()
        analyze(engine)
        with Session(engine) as s:
            total = s.scalar(select(func.count(Case.id)))
            claimable = s.scalar(select(func.count(Case.id)).where(
                Case.assignee_id.is_(None), Case.state.in_((1, 2, 4))))
            max_id = s.scalar(select(func.max(Case.id)))
        log(f"loaded {total} cases in {loaded:.1f}s (+{time.perf_counter() - t0:.1f}s analyze); "
            f"{claimable} claimable ({100 * claimable / max(total, 1):.1f}%)")

        if db_name == "postgresql" and not args.no_peer:
            peer = setup_peer(url, total, claimable / max(total, 1), args.workers, args.storm)
        show_claim_plan(engine, world)
        _route_p95, decision_p95 = bench_routing(engine, world, rng, args.routing)
        raw = RawUpdate(url)
        claim_ms, pk_ms, raw_ms, peer_ms = bench_claims(engine, world, rng, args.claims,
                                                        max_id, claimable, raw, peer)
        raw.close()
        rate, double, lost, peer_rate, peer_double, floor_rate = bench_storm(
            engine, world, args.workers, args.storm, datetime.now(UTC), rng, start=args.cases,
            peer=peer, rounds=args.storm_rounds)
        peer_fields = ""
        if peer is not None:
            peer_p95 = percentile(peer_ms, 95)
            log(f"PEER procrastinate=={peer.version} procrastinate_fetch_job_v2 "
                f"rows={total + args.storm} workers={args.workers} "
                f"fetch_p95_ms={peer_p95:.3f} (interleaved with our claims) "
                f"claims_per_s={peer_rate:.0f} (storm of {args.storm}, interleaved with ours) "
                f"double={peer_double}")
            peer_fields = (f" peer_claim_p95_ms={peer_p95:.3f} "
                           f"peer_claims_per_s={peer_rate:.0f} "
                           f"floor_claims_per_s={floor_rate:.0f}")
            peer.drop()
        lengths = [int(x) for x in args.queue_lengths.split(",") if x.strip()]
        empty_p95, _lines = bench_queue_lengths(engine, world, rng, lengths,
                                                args.cases + args.storm, rounds=200)
        bench_sweep(engine, datetime.now(UTC))
        bench_lease_expiry(engine, datetime.now(UTC) + timedelta(hours=3))
        engine.dispose()

        claim_p95, pk_p95 = percentile(claim_ms, 95), percentile(pk_ms, 95)
        log(f"RESULT db={db_name} cases={args.cases} claim_p95_ms={claim_p95:.3f} "
            f"pk_update_p95_ms={pk_p95:.3f} ratio={claim_p95 / pk_p95:.2f} "
            f"claims_per_s={rate:.0f} double_assigned={double} lost={lost} "
            f"raw_update_p95_ms={percentile(raw_ms, 95):.3f} "
            f"empty_claim_p95_ms={empty_p95:.3f} routing_decision_p95_ms={decision_p95:.3f}"
            f"{peer_fields}")
        return 0 if double == 0 and lost == 0 else 1
    finally:
        if peer is not None:
            peer.drop()
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
