"""The notification outbox as residents and administrators notice it: a reset link arrives once
and does not stay readable, a text message nobody can send is not called sent, a failing mail
server is retried with backoff and then given up on, and the administrator sees what is stuck."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.models import OutboxMessage, utcnow
from app.notifications.channels import (NO_SMS_GATEWAY, ChannelConfigError, can_deliver,
                                        channels_for)
from app.notifications.outbox import (SECRET_EXPIRED, SECRET_PLACEHOLDER, DeliverySettings,
                                      DeliveryReport, claim_next, deliver_due, deliver_one, masked_recipient,
                                      queue_for_user, queue_message)
from tests.factories import make_user

LINK = "https://conglang.example/vi/account/reset-password/live-token-abc123"
RESET_BODY = f"Open this link within 30 minutes: {SECRET_PLACEHOLDER}"


class Clock:
    """The worker's time, a moment after the test queued its messages, moved by hand."""

    def __init__(self):
        self.at = utcnow() + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at += timedelta(**kwargs)


class Recorder:
    """A channel that keeps what it was asked to send, and fails on request."""
    available = True
    unavailable_reason = None

    def __init__(self, name: str = "email", fail_for: set[int] = frozenset()):
        self.name = name
        self.fail_for = set(fail_for)
        self.sent: list[tuple[int, str, str]] = []

    def send(self, message, body):
        if message.id in self.fail_for:
            raise ConnectionError("mail server said 451 try later")
        self.sent.append((message.id, message.recipient, body))


def fresh(session, message_id) -> OutboxMessage:
    session.rollback()
    session.expire_all()
    return session.get(OutboxMessage, message_id)


def test_a_reset_link_is_delivered_once_and_then_gone_from_the_outbox(session):
    user = make_user(session, email="binh@example.vn")
    message = queue_for_user(session, user, "Reset your password", RESET_BODY, secret=LINK)
    session.commit()
    stored = session.execute(text("SELECT body, secret FROM outbox_messages")).one()
    assert LINK not in stored.body and stored.secret == LINK

    email, clock = Recorder(), Clock()
    report = deliver_due(session, {"email": email}, clock=clock)
    assert report.sent == 1
    assert email.sent == [(message.id, "binh@example.vn",
                           f"Open this link within 30 minutes: {LINK}")]

    after = fresh(session, message.id)
    assert (after.status, after.secret, after.attempts) == ("sent", None, 1)
    assert after.sent_at == clock.at
    dump = session.execute(text("SELECT * FROM outbox_messages")).one()
    assert not any(LINK in str(value) for value in dump)
    # A second pass finds nothing to send.
    assert deliver_due(session, {"email": email}, clock=Clock()).sent == 0
    assert len(email.sent) == 1


def test_a_text_message_without_a_gateway_is_not_called_sent(app, session):
    resident = make_user(session, phone="0912345678")
    message = queue_for_user(session, resident, "Reset", RESET_BODY, secret=LINK)
    session.commit()
    assert not can_deliver(app.config, "sms") and can_deliver(app.config, "email")

    report = deliver_due(session, channels_for(app.config), clock=Clock())
    assert (report.sent, report.undeliverable) == (0, 1)
    after = fresh(session, message.id)
    assert (after.status, after.sent_at, after.secret) == ("undeliverable", None, None)
    assert after.last_error == NO_SMS_GATEWAY


def test_the_log_sms_gateway_is_for_demos_only(app):
    assert can_deliver({"APP_ENV": "testing", "SMS_GATEWAY": "log"}, "sms")
    production = {"APP_ENV": "production", "SMS_GATEWAY": "log", "MAIL_SERVER": "smtp.example"}
    assert not can_deliver(production, "sms")
    with pytest.raises(ChannelConfigError):
        channels_for(production)
    # Without a mail server production has no e-mail channel either (no log "delivery").
    assert not can_deliver({"APP_ENV": "production"}, "email")


GATEWAY_LOG: list[tuple[str, str]] = []


class _FakeGateway:
    def send(self, recipient: str, body: str) -> None:
        GATEWAY_LOG.append((recipient, body))


def make_gateway(config):
    return _FakeGateway()


def test_a_configured_sms_gateway_receives_the_text_with_its_link(app, session):
    GATEWAY_LOG.clear()
    config = {"APP_ENV": "production", "SMS_GATEWAY": f"{__name__}:make_gateway"}
    assert can_deliver(config, "sms")
    resident = make_user(session, phone="0912345678")
    message = queue_for_user(session, resident, "Reset", RESET_BODY, secret=LINK)
    session.commit()
    report = deliver_due(session, channels_for(config), clock=Clock())
    assert report.sent == 1
    assert GATEWAY_LOG == [("0912345678", f"Open this link within 30 minutes: {LINK}")]
    assert fresh(session, message.id).status == "sent"


def test_a_failing_mail_server_is_retried_with_backoff_then_given_up(session):
    message = queue_message(session, recipient="a@example.vn", subject="S", body=RESET_BODY,
                            secret=LINK)
    session.commit()
    settings = DeliverySettings(max_attempts=3, backoff_seconds=60, backoff_max_seconds=100)
    email, clock = Recorder(fail_for={message.id}), Clock()

    first = deliver_due(session, {"email": email}, settings, clock)
    assert (first.sent, first.retrying, first.failed) == (0, 1, 0)
    waiting = fresh(session, message.id)
    assert waiting.status == "pending" and waiting.next_attempt_at == clock.at + timedelta(seconds=60)
    assert "451" in waiting.last_error and waiting.secret == LINK

    clock.advance(seconds=59)
    assert deliver_due(session, {"email": email}, settings, clock).retrying == 0  # not yet
    clock.advance(seconds=1)
    assert deliver_due(session, {"email": email}, settings, clock).retrying == 1
    # The second wait doubles, but the cap holds it at 100 s.
    assert fresh(session, message.id).next_attempt_at == clock.at + timedelta(seconds=100)

    clock.advance(seconds=100)
    last = deliver_due(session, {"email": email}, settings, clock)
    assert (last.retrying, last.failed) == (0, 1)
    parked = fresh(session, message.id)
    assert (parked.status, parked.attempts, parked.secret) == ("failed", 3, None)
    clock.advance(days=1)
    assert deliver_due(session, {"email": email}, settings, clock).failed == 0
    assert email.sent == []


def test_one_failure_does_not_resend_what_already_went_out(session):
    for i in range(3):
        queue_message(session, recipient=f"r{i}@example.vn", subject="S", body="B")
    session.commit()
    ids = [m.id for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    email, clock = Recorder(fail_for={ids[1]}), Clock()
    report = deliver_due(session, {"email": email}, clock=clock)
    assert (report.sent, report.retrying) == (2, 1)

    email.fail_for.clear()
    clock.advance(minutes=5)
    assert deliver_due(session, {"email": email}, clock=clock).sent == 1
    assert sorted(i for i, _, _ in email.sent) == ids  # each exactly once


def test_a_message_claimed_by_a_worker_that_died_is_sent_after_its_lease(session):
    message = queue_message(session, recipient="a@example.vn", subject="S", body="B")
    session.commit()
    settings = DeliverySettings(lease_seconds=300)
    clock = Clock()
    stale = claim_next(session, clock(), settings)  # ... and the worker dies here
    assert stale is not None

    email = Recorder()
    assert deliver_due(session, {"email": email}, settings, clock).sent == 0
    clock.advance(seconds=301)
    assert deliver_due(session, {"email": email}, settings, clock).sent == 1
    assert fresh(session, message.id).attempts == 2

    # The dead worker waking up late cannot overwrite what the second attempt recorded.
    late = Recorder(fail_for={message.id})
    report = DeliveryReport()
    deliver_one(session, stale, {"email": late}, settings, report, clock)
    assert (report.sent, report.retrying, report.failed) == (0, 0, 0)
    assert fresh(session, message.id).status == "sent"


def test_a_link_too_old_to_use_is_erased_and_never_sent(session):
    message = queue_message(session, recipient="a@example.vn", subject="S", body=RESET_BODY,
                            secret=LINK)
    clock = Clock()
    message.created_at = message.next_attempt_at = clock.at - timedelta(hours=2)
    sent_long_ago = queue_message(session, recipient="b@example.vn", subject="S",
                                  body=RESET_BODY, secret=LINK)
    sent_long_ago.status, sent_long_ago.created_at = "sent", clock.at - timedelta(hours=3)
    session.commit()

    email = Recorder()
    report = deliver_due(session, {"email": email}, DeliverySettings(secret_max_age_minutes=60),
                         clock)
    assert (report.secrets_erased, report.failed, report.sent) == (2, 1, 0)
    assert email.sent == []
    parked = fresh(session, message.id)
    assert (parked.status, parked.last_error, parked.secret) == ("failed", SECRET_EXPIRED, None)
    assert session.scalar(select(OutboxMessage.secret).where(OutboxMessage.secret.is_not(None))) is None


def test_a_secret_needs_its_placeholder_in_the_body(session):
    with pytest.raises(ValueError):
        queue_message(session, recipient="a@example.vn", subject="S",
                      body=f"Open {LINK}", secret=LINK)


def test_recipients_are_shown_partly_hidden():
    assert masked_recipient("0912345678") == "09****5678"
    assert masked_recipient("binh@example.vn") == "b***@example.vn"
    assert masked_recipient("12345") == "*****"


def test_the_claim_walks_the_due_index(session):
    from app.db import is_sqlite
    from app.notifications.outbox import _claim_statement

    now = utcnow()
    stmt = _claim_statement(now, now, sqlite=is_sqlite(session))
    compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if is_sqlite(session):
        plan = " ".join(str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    else:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(r[0] for r in session.execute(text(f"EXPLAIN {compiled}")))
    session.rollback()
    assert "ix_outbox_due" in plan, plan


# -- the administrator's page --------------------------------------------------------------

@pytest.fixture
def admin_client(client, session):
    make_user(session, role="admin", email="quantri@example.vn", password="admin-pass-2026")
    session.commit()
    assert client.login("quantri@example.vn", "admin-pass-2026").status_code == 302
    return client


def test_the_administrator_sees_undeliverable_messages_and_never_the_link(admin_client, session):
    undeliverable = queue_message(session, recipient="0912345678", channel="sms",
                                  subject="Đặt lại mật khẩu", body=RESET_BODY)
    undeliverable.status, undeliverable.last_error = "undeliverable", NO_SMS_GATEWAY
    stuck = queue_message(session, recipient="chi@example.vn", subject="Kết quả hồ sơ",
                          body="Hồ sơ đã có kết quả.")
    stuck.status, stuck.attempts, stuck.last_error = "failed", 5, "mail server said 451"
    queue_message(session, recipient="dung@example.vn", subject="Pending one",
                  body=RESET_BODY, secret=LINK)  # still pending: listed only under "all"
    session.commit()

    page = admin_client.get("/en/admin/outbox").page
    words = page.get_text(" ")
    assert "09****5678" in words and "0912345678" not in words
    assert "c***@example.vn" in words and "No SMS gateway is set up" in words
    assert "Pending one" not in words  # the page opens on what needs attention
    rows = {row["id"]: row for row in page.select("tbody tr")}
    assert "Send again" in rows[f"message-{stuck.id}"].get_text()
    # A text message cannot be retried without a gateway, nor can a message whose link is gone.
    assert rows[f"message-{undeliverable.id}"].find("button") is None

    everything = admin_client.get("/en/admin/outbox?status=all")
    assert "Pending one" in everything.page.get_text(" ")
    assert LINK not in everything.get_data(as_text=True)
    assert "Cần xử lý (2)" in admin_client.get("/vi/admin/outbox").page.get_text(" ")


def test_the_administrator_can_send_a_failed_message_again(admin_client, session):
    stuck = queue_message(session, recipient="chi@example.vn", subject="Kết quả hồ sơ",
                          body="Hồ sơ đã có kết quả.")
    stuck.status, stuck.attempts, stuck.last_error = "failed", 5, "mail server said 451"
    session.commit()
    token = admin_client.csrf_token("/en/admin/outbox")
    response = admin_client.post(f"/en/admin/outbox/{stuck.id}/retry",
                                 data={"csrf_token": token})
    assert response.status_code == 302
    again = fresh(session, stuck.id)
    assert (again.status, again.attempts, again.last_error) == ("pending", 0, None)
    assert "will be sent again" in admin_client.get(response.headers["Location"]).page.get_text()


# -- the worker as an operator runs it -----------------------------------------------------

def test_the_worker_logs_what_it_sent_at_info(database, session):
    session.add(OutboxMessage(channel="email", recipient="an@example.vn", subject="Hello",
                              body="Body"))
    session.add(OutboxMessage(channel="sms", recipient="0912345678", subject="Hi", body="Text"))
    session.commit()
    session.remove()
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, APP_ENV="testing", DATABASE_URL=database, FLASK_APP="wsgi")
    result = subprocess.run([sys.executable, "-m", "flask", "worker", "--once"], cwd=root,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "sent=1 retrying=0 failed=0 undeliverable=1" in result.stdout
    assert "INFO conglang.outbox: outbox: message 1 sent by email to a***@example.vn" in result.stderr
    assert "message 2 to 09****5678 is undeliverable (no_sms_gateway)" in result.stderr
