"""Several `flask worker` processes on several nodes share one database: each message goes out
once, each escalation happens once, each lapsed lease is returned once.

Two workers run their pass at the same moment (threads released by one barrier, each with its
own app context, session and connection: the database locks are what keep them apart, as
between nodes), on SQLite and PostgreSQL; on PostgreSQL two real `flask worker --once`
processes also run against each other.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, CaseEvent, OutboxMessage, utcnow
from app.notifications.outbox import DeliverySettings, deliver_due, queue_message
from app.queue import claims
from app.queue.calendar import LOCAL_TZ, WorkCalendar
from app.queue.sla import ALMOST_DUE, OVERDUE, sweep
from app.queue_cli import compose_digest
from tests.conftest import only_on
from tests.factories import make_department, make_case, make_officer, make_user

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ)  # Monday morning


def together(app, work, workers: int = 2) -> list:
    """Run `work(session)` in `workers` threads released at the same instant."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[i] = work(db.session)
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


class SlowRecorder:
    """A thread-safe recording e-mail channel that takes a moment per message, like SMTP."""
    name = "email"
    available = True
    unavailable_reason = None

    def __init__(self):
        self.lock = threading.Lock()
        self.sent: list[tuple[int, str]] = []

    def send(self, message, body):
        time.sleep(0.002)
        with self.lock:
            self.sent.append((message.id, threading.current_thread().name))


def test_two_workers_send_each_message_exactly_once(app, session):
    for i in range(60):
        queue_message(session, recipient=f"dan{i}@example.vn", subject=f"Tin {i}", body="B")
    session.commit()
    ids = sorted(session.scalars(select(OutboxMessage.id)))
    email = SlowRecorder()

    reports = together(app, lambda s: deliver_due(s, {"email": email},
                                                  DeliverySettings(batch=1000)))
    delivered = Counter(message_id for message_id, _ in email.sent)
    assert sorted(delivered) == ids
    assert set(delivered.values()) == {1}
    assert sum(r.sent for r in reports) == 60
    session.rollback()
    assert session.scalar(select(func.count()).where(OutboxMessage.status == "sent",
                                                     OutboxMessage.attempts == 1)) == 60


def test_two_sla_sweeps_escalate_each_case_once(app, session):
    departments = []
    for _ in range(3):
        leader = make_user(session, role="leader")
        departments.append(make_department(session, leader=leader))
    expected = {}
    for i in range(45):
        dept = departments[i % 3]
        if i % 2:
            c = make_case(session, dept, state=4, due_at=NOW - timedelta(days=1, minutes=i))
            expected[c.id] = OVERDUE
        else:
            c = make_case(session, dept, state=4, due_at=NOW + timedelta(hours=2, minutes=i))
            expected[c.id] = ALMOST_DUE
    session.commit()

    reports = together(app, lambda s: sweep(s, NOW, warning_days=1, calendar=WorkCalendar(),
                                            compose=compose_digest, batch=4))
    session.rollback()
    events = Counter(
        (case_id, data["band"]) for case_id, data in session.execute(
            select(CaseEvent.case_id, CaseEvent.data).where(CaseEvent.action == "escalated")))
    assert events == Counter(expected.items())  # each case once, in its own band
    assert sum(r.overdue for r in reports) == 22 and sum(r.almost_due for r in reports) == 23
    digests = session.scalar(select(func.count(OutboxMessage.id)))
    assert digests == sum(r.notifications for r in reports)
    bands = dict(session.execute(select(Case.id, Case.sla_band)).all())
    assert bands == expected


def test_two_workers_return_each_lapsed_lease_once(app, session):
    dept = make_department(session)
    officer = make_officer(session, dept, skills=["civil_status"])
    now = utcnow()
    lapsed = [make_case(session, dept, state=4, assignee=officer,
                        lease_until=now - timedelta(minutes=1 + i)).id for i in range(30)]
    session.commit()

    counts = together(app, lambda s: claims.expire_leases(s, now, batch=4))
    assert sum(counts) == 30
    session.rollback()
    events = Counter(session.scalars(select(CaseEvent.case_id)
                                     .where(CaseEvent.action == "lease_expired")))
    assert events == Counter({case_id: 1 for case_id in lapsed})
    assert session.scalar(select(func.count(Case.id)).where(Case.assignee_id.is_not(None))) == 0


@only_on("postgresql")
def test_two_worker_processes_share_the_outbox_and_the_sweep(database, session):
    """Two real `flask worker --once` processes, started together against one PostgreSQL."""
    leader = make_user(session, role="leader", email="truongphong@example.vn")
    dept = make_department(session, leader=leader)
    late = [make_case(session, dept, state=4, due_at=utcnow() - timedelta(days=1, minutes=i)).id
            for i in range(10)]
    for i in range(300):  # under the two passes' 2 x 200 batch
        queue_message(session, recipient=f"dan{i}@example.vn", subject=f"Tin {i}", body="B")
    session.commit()
    session.remove()

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, APP_ENV="testing", DATABASE_URL=database, FLASK_APP="wsgi")
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "worker", "--once"], cwd=root,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs

    sent_lines = Counter()
    per_worker = []
    for _, stderr in outputs:
        ids = re.findall(r"outbox: message (\d+) sent by email", stderr)
        per_worker.append(len(ids))
        sent_lines.update(ids)
    assert len(sent_lines) == 301 and set(sent_lines.values()) == {1}, per_worker  # + digest
    events = Counter(session.scalars(select(CaseEvent.case_id)
                                     .where(CaseEvent.action == "escalated")))
    assert events == Counter({case_id: 1 for case_id in late})
    assert session.scalar(select(func.count(OutboxMessage.id))
                          .where(OutboxMessage.status != "sent")) == 0
