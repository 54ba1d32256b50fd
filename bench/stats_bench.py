#!/usr/bin/env python
"""Statistics benchmark: the province's public statistics for a year, at N cases of history,
against the same page on an empty database; and what counting costs perform().

    .venv/bin/python bench/stats_bench.py [--cases N] [--database-url URL]

Builds two fresh databases through the Alembic migrations (SQLite files under bench/ by
default; with --database-url two dedicated PostgreSQL databases `<name>_bench` and
`<name>_empty_bench`, dropped afterwards), each with the same province (--communes communes
with villages, three departments each, --procedures procedures, routing rules). Into the first
it loads N cases received over the last --years years with the histories perform() would have
written (receipt, start, pauses for papers with the due date moved on, fees, apology letters,
results handed over and rated, withdrawals, refusals, stops; about 3 % still open), in bulk,
then recounts the statistics from those events with `rebuild` (timed: it is what
`flask stats rebuild` does). Then it measures, interleaved:

* the province page for this year, `/vi/statistics/?period=year`, through the Flask test client
  (the whole request: view, queries, template, charts), on the full and on the empty database;
  the baseline is the empty one;
* perform() on fresh cases of the full database, with the counting hook on and off (a no-op
  patched in), alternating case by case: receive and start (which count nothing: no statement
  added) and complete (one upsert, plus the case's pauses and the calendar; for a question
  also the petition kind's lookup of its group at commit).

The last line is machine-readable:
RESULT db=<sqlite|postgresql> cases=<N> stats_p95_ms=<x> baseline_p95_ms=<y> ratio=<x/y>
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.db import configure_engine  # noqa: E402
from app.models import (AdminUnit, Case, CaseTally, Department, Petition,  # noqa: E402
                        PetitionTopic, Procedure, ProcedureField, RoutingRule, User)
from app.queue.calendar import LOCAL_TZ, WorkCalendar, local_close, local_day  # noqa: E402
from queue_bench import (_sqlite_value, analyze, log, migrate, percentile,  # noqa: E402
                         prepare_database)

UTC = timezone.utc
CATEGORIES = {  # category -> department suffix of a commune
    "civil_status": "MC", "residence": "MC", "certification": "MC", "social_support": "MC",
    "land": "DC", "construction": "DC"}
SLAS = (0, 1, 3, 5, 7, 10, 15)
CASE_COLUMNS = ("code", "case_type", "category", "procedure_id", "title", "unit_id",
                "department_id", "assignee_id", "applicant_id", "state", "priority", "sla_days",
                "received_at", "due_at", "finished_at", "paused_at", "claimed_at", "lease_until",
                "requires_approval", "pending_approval", "apology_due_at",
                "apology_approved_at", "sla_band", "version", "created_at", "updated_at")
EVENT_COLUMNS = ("case_id", "at", "actor_id", "action", "from_state", "to_state", "data")
DOSSIER_COLUMNS = ("case_id", "procedure_id", "channel", "applicant_name", "applicant_phone",
                   "form_data", "created_at")
PETITION_COLUMNS = ("case_id", "code", "source", "kind", "status", "topic_id", "unit_id",
                    "title", "body", "asker_locale", "public", "search_text", "created_at",
                    "updated_at")


# -- the province ----------------------------------------------------------------------------

def seed_world(url: str, communes: int, procedures: int) -> dict:
    engine = configure_engine(create_engine(url))
    world = {"communes": [], "villages": {}, "departments": {}, "procedures": []}
    with Session(engine) as s:
        province = AdminUnit(code="19", level="province", name_vi="Tỉnh Thái Nguyên",
                             name_en="Thai Nguyen Province")
        s.add(province)
        s.flush()
        admin = User(full_name="Quản trị", email="admin@bench.test", password_hash="!",
                     role="admin")
        s.add(admin)
        topic = PetitionTopic(code="HA-TANG", name_vi="Hạ tầng", name_en="Infrastructure",
                              category="petition", sla_days=10)
        s.add(topic)
        fields = {}
        for category in CATEGORIES:
            fields[category] = ProcedureField(code=f"f-{category}", name_vi=category,
                                              name_en=category, category=category)
            s.add(fields[category])
        s.flush()
        for p in range(procedures):
            category = list(CATEGORIES)[p % len(CATEGORIES)]
            procedure = Procedure(code=f"1.{p:06d}", name_vi=f"Thủ tục hành chính số {p}",
                                  name_en=f"Procedure {p}", field_id=fields[category].id,
                                  level="commune", agency_vi="UBND xã", agency_en="Commune",
                                  processing_days=SLAS[p % len(SLAS)], online_level="partial",
                                  fee_in_person=0, form_schema=[], search_text=f"thu tuc {p}")
            s.add(procedure)
            s.flush()
            world["procedures"].append((procedure.id, category, procedure.processing_days))
        for c in range(communes):
            commune = AdminUnit(code=f"19{c:03d}", level="commune", name_vi=f"Xã Số {c}",
                                name_en=f"Commune {c}", parent_id=province.id)
            s.add(commune)
            s.flush()
            world["communes"].append(commune.id)
            villages = []
            for v in range(6):
                village = AdminUnit(code=f"19{c:03d}-{v}", level="village",
                                    name_vi=f"Thôn {v} xã {c}", name_en=f"Village {v}",
                                    parent_id=commune.id)
                s.add(village)
                s.flush()
                villages.append(village.id)
            world["villages"][commune.id] = villages
            for suffix, types in (("MC", "dossier"), ("DC", "dossier,field_report"),
                                  ("VHXH", "petition,initiative,village_need")):
                d = Department(unit_id=commune.id, code=f"19{c:03d}-{suffix}",
                               name_vi=f"Phòng {suffix} xã {c}", name_en=f"{suffix} {c}",
                               case_types=types)
                s.add(d)
                s.flush()
                world["departments"][(commune.id, suffix)] = d.id
            for category, suffix in CATEGORIES.items():
                s.add(RoutingRule(case_type="dossier", category=category, unit_id=commune.id,
                                  department_id=world["departments"][(commune.id, suffix)],
                                  mode="pull"))
            s.add(RoutingRule(case_type="petition", category="petition", unit_id=commune.id,
                              department_id=world["departments"][(commune.id, "VHXH")],
                              mode="pull"))
        s.commit()
        world["admin"] = admin.id
        world["topic"] = topic.id
    engine.dispose()
    return world


# -- histories -------------------------------------------------------------------------------

CALENDAR = WorkCalendar()


@lru_cache(maxsize=None)
def _due(day: date, late_in_day: bool, sla: int) -> datetime:
    moment = datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ) + timedelta(
        hours=16 if late_in_day else 9)
    return CALENDAR.add_working_days(moment, sla)


def due_for(received: datetime, sla: int) -> datetime:
    local = received.astimezone(LOCAL_TZ)
    return _due(local.date(), local.hour >= 15, sla)


def _iso(value: datetime) -> str:
    return value.isoformat()


def histories(world: dict, n: int, now: datetime, years: float, rng: random.Random):
    """(case row, [event rows], dossier row or None, petition row or None) for n cases,
    ids 1..n; of the petitions (phản ánh, kiến nghị) about two in three are questions."""
    span = timedelta(days=365 * years)
    communes = world["communes"]
    for i in range(1, n + 1):
        commune = rng.choice(communes)
        kind = rng.random()
        if kind < 0.75:
            procedure_id, category, sla = rng.choice(world["procedures"])
            case_type, unit = "dossier", commune
            dept = world["departments"][(commune, CATEGORIES[category])]
        elif kind < 0.85:
            procedure_id, category, sla = None, "petition", 10
            case_type, unit = "petition", rng.choice(world["villages"][commune])
            dept = world["departments"][(commune, "VHXH")]
        else:
            procedure_id, category, sla = None, "field_report", 5
            case_type, unit = "field_report", rng.choice(world["villages"][commune])
            dept = world["departments"][(commune, "DC")]
        received = now - span * rng.random() ** 0.9
        received = received.replace(microsecond=0)
        first_due = due = due_for(received, sla)
        events = [(i, received, None, "submitted", None, 1, None)]
        t = received + timedelta(minutes=rng.randint(5, 240))
        state, finished, paused, apology_due, apology_at = 1, None, None, None, None
        recent = now - received < timedelta(days=sla * 1.6 + 4)
        fate = rng.random()
        if fate < 0.03 and not recent:
            events.append((i, t, None, "refuse", 1, 3, None))
            state, finished = 3, t
        else:
            events.append((i, t, None, "receive", 1, 2,
                           {"old_due_at": _iso(due), "new_due_at": _iso(due), "sla_days": sla}))
            state = 2
            t += timedelta(minutes=rng.randint(10, 600))
            if recent and rng.random() < 0.3:
                pass  # waits to be started
            elif fate < 0.06 and not recent:
                events.append((i, t, None, "withdraw", 2, 7, None))
                state, finished = 7, t
            else:
                events.append((i, t, None, "start", 2, 4, None))
                state = 4
                if rng.random() < 0.15:
                    t += timedelta(hours=rng.randint(2, 48))
                    events.append((i, t, None, "request_supplement", 4, 5, None))
                    pause_start = t
                    t += timedelta(hours=rng.randint(20, 200))
                    if recent and t > now:
                        state, paused, t = 5, pause_start, pause_start
                    else:
                        days = CALENDAR.working_days_between(pause_start, t)
                        old, due = due, CALENDAR.extend_for_pause(due, pause_start, t)
                        events.append((i, t, None, "supplement_provided", 5, 4, {
                            "paused_at": _iso(pause_start), "paused_working_days": days,
                            "old_due_at": _iso(old), "new_due_at": _iso(due)}))
                if state == 4 and not (recent and rng.random() < 0.6):
                    late = rng.random() < 0.08
                    if late and rng.random() < 0.3 and due + timedelta(hours=2) < now:
                        apology_at = due + timedelta(hours=2)
                        new = local_close(local_day(due) + timedelta(days=7))
                        events.append((i, apology_at, None, "request_apology", 4, 4,
                                       {"due_at": _iso(due), "apology_due_at": _iso(new)}))
                        events.append((i, apology_at + timedelta(hours=1), None,
                                       "approve_apology", 4, 4,
                                       {"old_due_at": _iso(due), "new_due_at": _iso(new)}))
                        apology_due, due = new, new
                        t = max(t, apology_at + timedelta(hours=2))
                    done = (due + timedelta(hours=rng.randint(2, 72)) if late and not apology_due
                            else max(t, due - timedelta(hours=rng.randint(1, 24 * 4))))
                    done = max(done, t + timedelta(minutes=30))
                    if done < now:
                        ending = "stop" if rng.random() < 0.02 else "complete"
                        events.append((i, done, None, ending, 4, 8 if ending == "stop" else 9,
                                       None))
                        state, finished, t = (8 if ending == "stop" else 9), done, done
                        if state == 9 and rng.random() < 0.85:
                            t += timedelta(hours=rng.randint(1, 96))
                            if t < now:
                                events.append((i, t, None, "return_result", 9, 10, None))
                                state = 10
                                if case_type == "dossier" and rng.random() < 0.25:
                                    events.append((i, t + timedelta(minutes=5), None, "rated",
                                                   10, 10, {"rating": rng.choice(
                                                       (5, 5, 5, 4, 4, 3, 2, 1))}))
        code = f"BS-{i:08d}"
        case = (code, case_type, category, procedure_id, "Hồ sơ thử nghiệm", unit, dept, None,
                None, state, 0, sla, received, due, finished, paused, None, None, False, False,
                apology_due, apology_at + timedelta(hours=1) if apology_at else None,
                0, 1, received, t)
        dossier = ((i, procedure_id, "online" if rng.random() < 0.6 else "walk_in",
                    "Người nộp thử", "0912345678", "{}", received)
                   if case_type == "dossier" else None)
        petition = ((i, code, "online", "question" if rng.random() < 0.65 else "petition",
                     "filed", world["topic"], commune, "Câu hỏi thử nghiệm", "Nội dung", "vi",
                     False, "", received, t)
                    if case_type == "petition" else None)
        _ = first_due
        yield case, events, dossier, petition


def bulk_load(url: str, rows) -> tuple[int, int]:
    """Cases, their events, dossier and petition rows, in bulk (executemany on SQLite, COPY on
    PostgreSQL); returns (cases, events)."""
    import json

    engine = configure_engine(create_engine(url))
    cases = events = 0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("BEGIN")
            insert = {t: f"INSERT INTO {t} ({', '.join(cols)}) VALUES "
                         f"({', '.join('?' for _ in cols)})"
                      for t, cols in (("cases", CASE_COLUMNS), ("case_events", EVENT_COLUMNS),
                                      ("dossiers", DOSSIER_COLUMNS),
                                      ("petitions", PETITION_COLUMNS))}
            batch = {"cases": [], "case_events": [], "dossiers": [], "petitions": []}

            def flush():
                for table in ("cases", "case_events", "dossiers", "petitions"):
                    if batch[table]:
                        cur.executemany(insert[table], batch[table])
                        batch[table].clear()

            for case, evs, dossier, petition in rows:
                batch["cases"].append(tuple(_sqlite_value(v) for v in case))
                for e in evs:
                    batch["case_events"].append(tuple(
                        json.dumps(v) if isinstance(v, dict) else _sqlite_value(v) for v in e))
                if dossier:
                    batch["dossiers"].append(tuple(_sqlite_value(v) for v in dossier))
                if petition:
                    batch["petitions"].append(tuple(_sqlite_value(v) for v in petition))
                cases += 1
                events += len(evs)
                if len(batch["case_events"]) > 100_000:
                    flush()
            flush()
            cur.execute("COMMIT")
            cur.execute("PRAGMA synchronous = NORMAL")
        else:
            from psycopg.types.json import Json

            pending_events, pending_dossiers, pending_petitions = [], [], []
            with cur.copy(f"COPY cases ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
                for case, evs, dossier, petition in rows:
                    copy.write_row(case)
                    pending_events.extend(evs)
                    if dossier:
                        pending_dossiers.append(dossier)
                    if petition:
                        pending_petitions.append(petition)
                    cases += 1
            with cur.copy(f"COPY case_events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
                for e in pending_events:
                    copy.write_row(tuple(Json(v) if isinstance(v, dict) else v for v in e))
            events = len(pending_events)
            with cur.copy(f"COPY dossiers ({', '.join(DOSSIER_COLUMNS)}) FROM STDIN") as copy:
                for d in pending_dossiers:
                    copy.write_row(d)
            with cur.copy(f"COPY petitions ({', '.join(PETITION_COLUMNS)}) FROM STDIN") as copy:
                for p in pending_petitions:
                    copy.write_row(p)
            cur.execute("SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                        "(SELECT max(id) FROM cases))")
            raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return cases, events


# -- measurements ----------------------------------------------------------------------------

def make_app(url: str):
    from app import create_app

    return create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                       "RATELIMIT_ENABLED": False, "SERVER_NAME": None})


def bench_page(full_app, empty_app, rounds: int, path: str) -> tuple[list, list]:
    clients = {"full": full_app.test_client(), "empty": empty_app.test_client()}
    apps = {"full": full_app, "empty": empty_app}
    times = {"full": [], "empty": []}
    for name in ("full", "empty"):  # warm: templates compiled, catalogues, holidays
        with apps[name].app_context():
            for _ in range(3):
                assert clients[name].get(path).status_code == 200
    for _ in range(rounds):
        for name in ("full", "empty"):
            with apps[name].app_context():
                t0 = time.perf_counter()
                response = clients[name].get(path)
                times[name].append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
    return times["full"], times["empty"]


def bench_perform(app, world: dict, count: int, rng: random.Random) -> dict:
    """perform() with the counting hook on and off, alternating case by case, on dossiers and
    on questions (whose counted changes also ask the petition kind for their group at
    commit), two cases of each in turn; times keyed (kind, action, hooked)."""
    from app.extensions import db
    from app.queue import tally
    from app.queue.actions import perform
    from app.queue.routing import create_case

    real = tally.record_change
    times: dict[tuple[str, bool], list[float]] = {}
    with app.app_context():
        session = db.session
        admin = session.get(User, world["admin"])
        now = datetime.now(UTC)
        for i in range(count):
            hooked = i % 2 == 0
            kind = "petition" if (i // 2) % 2 else "dossier"
            procedure_id, category, sla = rng.choice(world["procedures"])
            commune = rng.choice(world["communes"])
            if kind == "dossier":
                case = create_case(session, case_type="dossier", category=category,
                                   title="Đo perform", unit_id=commune, sla_days=sla,
                                   received_at=now, procedure_id=procedure_id)
            else:
                case = create_case(session, case_type="petition", category="petition",
                                   title="Đo perform", unit_id=commune, sla_days=10,
                                   received_at=now)
                session.add(Petition(case_id=case.id, code=case.code, kind="question",
                                     topic_id=world["topic"], unit_id=commune,
                                     title="Đo perform", body="Nội dung", created_at=now,
                                     updated_at=now))
            session.commit()
            tally.record_change = real if hooked else (lambda *a, **k: None)
            try:
                for action in ("receive", "start", "complete"):
                    t0 = time.perf_counter()
                    perform(session, case.id, action, admin, now=now)
                    times.setdefault((kind, action, hooked), []).append(
                        (time.perf_counter() - t0) * 1000)
            finally:
                tally.record_change = real
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--sqlite-path", help="SQLite file (default bench/stats_bench.db)")
    parser.add_argument("--communes", type=int, default=30)
    parser.add_argument("--procedures", type=int, default=40)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=60, help="page requests on each side")
    parser.add_argument("--performs", type=int, default=400, help="cases moved by perform()")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    full_args = argparse.Namespace(**vars(args))
    full_args.sqlite_path = args.sqlite_path or str(ROOT / "bench" / "stats_bench.db")
    empty_args = argparse.Namespace(**vars(args))
    empty_args.sqlite_path = str(Path(full_args.sqlite_path).with_name("stats_bench_empty.db"))
    if args.database_url:
        from sqlalchemy.engine import make_url

        base = make_url(args.database_url)
        empty_args.database_url = base.set(
            database=f"{base.database or 'conglang'}_empty").render_as_string(hide_password=False)
    full_url, full_cleanup = prepare_database(full_args)
    empty_url, empty_cleanup = prepare_database(empty_args)
    try:
        db_name = "sqlite" if full_url.startswith("sqlite") else "postgresql"
        t0 = time.perf_counter()
        for url in (full_url, empty_url):
            migrate(url)
        world = seed_world(full_url, args.communes, args.procedures)
        seed_world(empty_url, args.communes, args.procedures)
        log(f"db={db_name} migrated and seeded ({args.communes} communes, "
            f"{args.procedures} procedures) in {time.perf_counter() - t0:.1f}s")

        now = datetime.now(UTC)
        t0 = time.perf_counter()
        cases, events = bulk_load(full_url, histories(world, args.cases, now, args.years, rng))
        log(f"loaded {cases} cases and {events} events in {time.perf_counter() - t0:.1f}s")

        full_app, empty_app = make_app(full_url), make_app(empty_url)
        from app.extensions import db
        from app.stats.rebuild import rebuild

        with full_app.app_context():
            t0 = time.perf_counter()
            report = rebuild(db.session)
            log(f"rebuild (flask stats rebuild): {report.summary()} in "
                f"{time.perf_counter() - t0:.1f}s")
            db.engine.dispose()
        analyze(configure_engine(create_engine(full_url)))
        analyze(configure_engine(create_engine(empty_url)))
        with full_app.app_context():
            s = db.session
            open_cases = s.scalar(select(func.count(Case.id)).where(Case.state.in_((1, 2, 4, 5, 6))))
            rows = s.scalar(select(func.count()).select_from(CaseTally))
            log(f"open cases {open_cases} ({100 * open_cases / max(cases, 1):.1f}%), "
                f"tally rows {rows}")
            s.remove()

        path = "/vi/statistics/?period=year"
        full_ms, empty_ms = bench_page(full_app, empty_app, args.rounds, path)
        p95, base95 = percentile(full_ms, 95), percentile(empty_ms, 95)
        log(f"province page, year: p50={percentile(full_ms, 50):.1f} p95={p95:.1f} ms; "
            f"empty database p50={percentile(empty_ms, 50):.1f} p95={base95:.1f} ms")

        times = bench_perform(full_app, world, args.performs, rng)
        for kind in ("dossier", "petition"):
            for action in ("receive", "start", "complete"):
                on, off = times[(kind, action, True)], times[(kind, action, False)]
                log(f"perform {kind:8s} {action:8s} hook on p50={percentile(on, 50):.2f} "
                    f"p95={percentile(on, 95):.2f} ms | off p50={percentile(off, 50):.2f} "
                    f"p95={percentile(off, 95):.2f} ms | added p50="
                    f"{percentile(on, 50) - percentile(off, 50):+.2f} ms")
        on_all = [t for (_k, _a, h), ts in times.items() if h for t in ts]
        off_all = [t for (_k, _a, h), ts in times.items() if not h for t in ts]
        log(f"perform all actions: hook on p50={percentile(on_all, 50):.2f} "
            f"p95={percentile(on_all, 95):.2f} ms, off p50={percentile(off_all, 50):.2f} "
            f"p95={percentile(off_all, 95):.2f} ms")
        for app_ in (full_app, empty_app):
            with app_.app_context():
                db.session.remove()
                db.engine.dispose()
        log(f"RESULT db={db_name} cases={args.cases} stats_p95_ms={p95:.3f} "
            f"baseline_p95_ms={base95:.3f} ratio={p95 / base95:.2f}")
        return 0
    finally:
        full_cleanup()
        empty_cleanup()


if __name__ == "__main__":
    sys.exit(main())
