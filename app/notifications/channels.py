"""Delivery channels for the outbox: e-mail, and SMS through a pluggable gateway. No Flask here;
everything is read from the config mapping.

A channel that cannot reach anyone says so (`available` is False) rather than pretending: the
worker then marks the message undeliverable for the administrator to see, and a page can ask
`can_deliver(config, "sms")` before promising a text message.

* E-mail: SMTP when MAIL_SERVER is set; without it, development and testing write the message
  to the log (and count it as sent, for demos); production has no e-mail channel then.
* SMS: SMS_GATEWAY = "" (none, the default: nothing is sent), "log" (development and testing
  only, like e-mail's log), or "package.module:factory", a callable taking the config mapping
  and returning an object with `send(recipient, text)`, for a real gateway.
"""
from __future__ import annotations

import importlib
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Mapping, Protocol

log = logging.getLogger("conglang.outbox")

CHANNELS = ("email", "sms")
# What `last_error` says when no channel could take the message (translated on the admin page).
NO_MAIL_SERVER = "no_mail_server"
NO_SMS_GATEWAY = "no_sms_gateway"
_DEMO_ENVIRONMENTS = ("development", "testing")


class ChannelConfigError(ValueError):
    """SMS_GATEWAY names something we refuse to use (e.g. "log" in production)."""


@dataclass(frozen=True)
class Outgoing:
    """A claimed message as a channel sees it; the body, with its secret, is passed apart."""
    id: int
    channel: str
    recipient: str
    subject: str
    attempt: int
    unsubscribe_url: str | None = None


class Channel(Protocol):
    name: str
    available: bool
    unavailable_reason: str | None

    def send(self, message: Outgoing, body: str) -> None:
        """Deliver or raise; any exception counts as a failed attempt to be retried."""


class SmsGateway(Protocol):
    def send(self, recipient: str, text: str) -> None: ...


def _demo(config: Mapping) -> bool:
    return config.get("APP_ENV") in _DEMO_ENVIRONMENTS


class LogChannel:
    """Development and testing: the message, link included, goes to the log and counts as sent."""
    available = True
    unavailable_reason = None

    def __init__(self, name: str):
        self.name = name

    def send(self, message: Outgoing, body: str) -> None:
        log.info("[%s to %s] %s\n%s", self.name, message.recipient, message.subject, body)


class UnavailableChannel:
    """No way to reach anyone on this channel; the worker parks its messages as undeliverable."""
    available = False

    def __init__(self, name: str, reason: str):
        self.name = name
        self.unavailable_reason = reason

    def send(self, message: Outgoing, body: str) -> None:
        raise RuntimeError(self.unavailable_reason)


class SmtpChannel:
    name = "email"
    available = True
    unavailable_reason = None

    def __init__(self, config: Mapping):
        self.config = config

    def send(self, message: Outgoing, body: str) -> None:
        config = self.config
        mail = EmailMessage()
        mail["From"] = config["MAIL_SENDER"]
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        if message.unsubscribe_url:
            # RFC 8058: mail programs offer an "unsubscribe" button that POSTs here at once.
            mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail.set_content(body)
        # The timeout must stay well under the claim lease (OUTBOX_LEASE_SECONDS), or a slow
        # server could let a second worker send the same message.
        with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 587), timeout=20) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(mail)


class GatewayChannel:
    """SMS through a gateway object; the subject is dropped, a text message has none."""
    name = "sms"
    available = True
    unavailable_reason = None

    def __init__(self, gateway: SmsGateway):
        self.gateway = gateway

    def send(self, message: Outgoing, body: str) -> None:
        self.gateway.send(message.recipient, body)


def sms_gateway_setting(config: Mapping) -> str:
    """The SMS_GATEWAY setting, checked: "" (none), "log", or "module.path:factory"."""
    setting = (config.get("SMS_GATEWAY") or "").strip()
    if setting == "log" and not _demo(config):
        raise ChannelConfigError('SMS_GATEWAY="log" is for development and testing only')
    if setting and setting != "log" and ":" not in setting:
        raise ChannelConfigError('SMS_GATEWAY must be "", "log" or "package.module:factory"')
    return setting


def _load_gateway(setting: str, config: Mapping) -> SmsGateway:
    module_name, _, attribute = setting.partition(":")
    factory = getattr(importlib.import_module(module_name), attribute)
    return factory(config)


def email_channel(config: Mapping) -> Channel:
    if config.get("MAIL_SERVER"):
        return SmtpChannel(config)
    if _demo(config):
        return LogChannel("email")
    return UnavailableChannel("email", NO_MAIL_SERVER)


def sms_channel(config: Mapping) -> Channel:
    setting = sms_gateway_setting(config)
    if not setting:
        return UnavailableChannel("sms", NO_SMS_GATEWAY)
    if setting == "log":
        return LogChannel("sms")
    return GatewayChannel(_load_gateway(setting, config))


def channels_for(config: Mapping) -> dict[str, Channel]:
    """The worker's channels, built once per worker start (a gateway may hold a connection)."""
    return {"email": email_channel(config), "sms": sms_channel(config)}


def can_deliver(config: Mapping, channel: str) -> bool:
    """Whether a message queued now on `channel` can go out, without building any gateway:
    cheap enough for a view to ask on every request."""
    if channel == "email":
        return bool(config.get("MAIL_SERVER")) or _demo(config)
    if channel == "sms":
        try:
            return bool(sms_gateway_setting(config))
        except ChannelConfigError:
            return False
    return False
