"""Queue commands: `flask --app wsgi worker` and `flask --app wsgi calendar due ...`.

The worker is the only periodic process: it expires claim leases, escalates almost-due and
overdue cases, and delivers the notification outbox. Every pass re-reads the calendar, so a
holiday an administrator adds counts from the next minute on.
"""
from __future__ import annotations

import time
from datetime import datetime

import click
from flask import Flask, current_app

from app.extensions import db

_WEEKDAYS = [("Thứ Hai", "Monday"), ("Thứ Ba", "Tuesday"), ("Thứ Tư", "Wednesday"),
             ("Thứ Năm", "Thursday"), ("Thứ Sáu", "Friday"), ("Thứ Bảy", "Saturday"),
             ("Chủ Nhật", "Sunday")]


def run_pass(app: Flask, now: datetime | None = None) -> str:
    """One worker pass; returns its summary line."""
    from app.models import utcnow
    from app.notifications.outbox import deliver_pending, sender_for
    from app.queue.calendar_db import calendar_from_db
    from app.queue.sla import sweep

    session = db.session
    now = now or utcnow()
    calendar = calendar_from_db(session)
    session.commit()  # end the read so the sweep starts its own write transactions
    report = sweep(session, now, warning_days=app.config["SLA_WARNING_DAYS"], calendar=calendar)
    sent, failed = deliver_pending(session, sender_for(app.config))
    return f"worker: {report.summary()} sent={sent} failed={failed}"


@click.command("worker")
@click.option("--once", is_flag=True, help="Run one pass, print its summary and stop.")
def worker_command(once: bool):
    """Expire claim leases, escalate SLA bands, deliver notifications, every interval."""
    app = current_app._get_current_object()
    interval = app.config["WORKER_INTERVAL_SECONDS"]
    while True:
        started = time.monotonic()
        try:
            line = run_pass(app)
        except Exception:  # noqa: BLE001 - a bad pass is logged; the next one may succeed
            db.session.rollback()
            if once:
                raise
            app.logger.exception("worker pass failed")
        else:
            click.echo(line)
        finally:
            db.session.remove()
        if once:
            return
        try:
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
        except KeyboardInterrupt:
            return


@click.group("calendar")
def calendar_group():
    """The working-day calendar (public holidays plus the administrator's days)."""


@calendar_group.command("due")
@click.argument("received", metavar='"YYYY-MM-DD HH:MM"')
@click.argument("days", type=click.IntRange(min=0))
def calendar_due(received: str, days: int):
    """Appointment date for a dossier received at RECEIVED (local time) taking DAYS working days."""
    from app.queue.calendar import LOCAL_TZ
    from app.queue.calendar_db import calendar_from_db

    try:
        naive = datetime.strptime(received.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise click.BadParameter('expected "YYYY-MM-DD HH:MM"', param_hint="RECEIVED")
    calendar = calendar_from_db(db.session)
    due = calendar.add_working_days(naive.replace(tzinfo=LOCAL_TZ), days).astimezone(LOCAL_TZ)
    vi, en = _WEEKDAYS[due.weekday()]
    click.echo(f"{due:%d/%m/%Y %H:%M} ({vi} / {en})")


def register(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(calendar_group)
