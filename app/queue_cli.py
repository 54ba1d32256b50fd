"""Queue commands: `flask --app wsgi worker` and `flask --app wsgi calendar due ...`.

The worker is the only periodic process: it expires claim leases, escalates almost-due and
overdue cases, queues the desk appointments' reminders and the village announcements' daily
digests, and delivers the notification outbox. Every pass re-reads the calendar, so a holiday an
administrator adds counts from the next minute on.
"""
from __future__ import annotations

import logging
import sys
import time
from datetime import datetime
from typing import Mapping

import click
from flask import Flask, current_app

from app.extensions import db
from app.notifications.channels import Channel
from app.queue.sla import Digest

log = logging.getLogger("conglang.worker")

_WEEKDAYS = [("Thứ Hai", "Monday"), ("Thứ Ba", "Tuesday"), ("Thứ Tư", "Wednesday"),
             ("Thứ Năm", "Thursday"), ("Thứ Sáu", "Friday"), ("Thứ Bảy", "Saturday"),
             ("Chủ Nhật", "Sunday")]


def compose_digest(digest: Digest) -> tuple[str, str]:
    """The leader's SLA digest (subject, body), worded by the catalogues in the leader's own
    language whatever language the worker runs in."""
    from flask_babel import force_locale, gettext as _, ngettext

    from app.queue.calendar import LOCAL_TZ
    from app.queue.sla import OVERDUE

    def when(value: datetime) -> str:
        return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")

    with force_locale(digest.locale):
        if digest.band == OVERDUE:
            subject = ngettext("[Cổng Làng] %(num)d case overdue – %(department)s",
                               "[Cổng Làng] %(num)d cases overdue – %(department)s",
                               digest.total, department=digest.department)
            intro = _("These cases of %(department)s are overdue:", department=digest.department)
        else:
            subject = ngettext("[Cổng Làng] %(num)d case almost due – %(department)s",
                               "[Cổng Làng] %(num)d cases almost due – %(department)s",
                               digest.total, department=digest.department)
            intro = _("These cases of %(department)s are almost due:",
                      department=digest.department)
        lines = [intro, ""]
        for line in digest.lines:
            lines.append(_("- %(code)s: %(title)s (due %(due)s)", code=line.code,
                           title=line.title, due=when(line.due_at)))
        more = digest.total - len(digest.lines)
        if more > 0:
            lines.append(ngettext("… and %(num)d more case.", "… and %(num)d more cases.", more))
        lines += ["", _("Review and reassign them in the Cổng Làng workbench.")]
    return subject, "\n".join(lines)


def run_pass(app: Flask, now: datetime | None = None,
             channels: Mapping[str, Channel] | None = None) -> str:
    """One worker pass; returns its summary line."""
    from app.models import utcnow
    from app.notifications.channels import channels_for
    from app.notifications.outbox import DeliverySettings, deliver_due
    from app.queue.calendar_db import calendar_from_db
    from app.queue.sla import sweep

    session = db.session
    now = now or utcnow()
    calendar = calendar_from_db(session)
    session.commit()  # end the read so the sweep starts its own write transactions
    report = sweep(session, now, warning_days=app.config["SLA_WARNING_DAYS"], calendar=calendar,
                   compose=compose_digest)
    # Before delivery, so what they queue goes out in this same pass.
    from app.appointments.reminders import send_reminders
    from app.community.initiatives_service import open_waiting_cases
    from app.village.subscriptions import send_digests

    reminders = _side_step(session, "desk reminders", lambda: send_reminders(session, now))
    digests = _side_step(session, "village digests", lambda: send_digests(
        session, now, hour=app.config["VILLAGE_DIGEST_HOUR"]))
    initiatives = _side_step(session, "initiative cases",
                             lambda: open_waiting_cases(session, now))
    delivery = deliver_due(session, channels if channels is not None else channels_for(app.config),
                           DeliverySettings.from_config(app.config))
    return (f"worker: {report.summary()} reminders={reminders} village_digests={digests} "
            f"initiative_cases={initiatives} {delivery.summary()}")


def _side_step(session, name: str, step) -> str:
    """A pass's step whose failure must not hold back the outbox (an alert waiting in it):
    logged, rolled back, and reported as failed in the summary line."""
    try:
        return str(step())
    except Exception:  # noqa: BLE001 - any failure of the step; logged with its traceback
        session.rollback()
        log.exception("%s failed; delivering the outbox anyway", name)
        return "failed"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record is emitted, so a handler installed once
    keeps working when something (click's test runner) swaps the stream."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _show_worker_logs() -> None:
    """The app configures no logging; without this the worker's INFO lines go nowhere."""
    logger = logging.getLogger("conglang")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run one pass, print its summary and stop.")
def worker_command(once: bool):
    """Expire claim leases, escalate SLA bands, remind appointments, deliver notifications,
    every interval.

    Any number of workers may run at once, on any number of nodes sharing the database."""
    from app.notifications.channels import ChannelConfigError, channels_for

    app = current_app._get_current_object()
    _show_worker_logs()
    try:
        channels = channels_for(app.config)
    except ChannelConfigError as error:
        raise click.ClickException(str(error))
    for name, channel in channels.items():
        if not channel.available:
            log.warning("no %s channel (%s): such messages are marked undeliverable",
                        name, channel.unavailable_reason)
    interval = app.config["WORKER_INTERVAL_SECONDS"]
    while True:
        started = time.monotonic()
        try:
            line = run_pass(app, channels=channels)
        except Exception:  # noqa: BLE001 - a bad pass is logged; the next one may succeed
            db.session.rollback()
            if once:
                raise
            log.exception("worker pass failed")
        else:
            if once:
                click.echo(line)
            else:
                log.info("%s", line)
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
