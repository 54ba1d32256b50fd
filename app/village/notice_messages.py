"""The words of the messages subscribers receive: a new announcement, an emergency alert, the
daily digest. Each is written in the recipient's own language (Babel's force_locale, whatever
language the request or the worker runs in) with absolute links from PUBLIC_URL, and ends with
the one-step unsubscribe link.

A text message (an account with no e-mail) gets the short form: a phone screen, and every
160 characters cost the commune money; the link leads to the whole text.
"""
from __future__ import annotations

from typing import Sequence

from flask_babel import force_locale, gettext as _, ngettext

from app.links import public_url
from app.models import Alert, Announcement, User
from app.queue.calendar import LOCAL_TZ
from app.templating import format_day
from app.village.notice_labels import category_name, hazard_name, severity_name

# How much of an announcement's text an e-mail quotes before "read the rest".
EMAIL_TEXT_LIMIT = 1500
DIGEST_LINES = 20
SMS_TITLES = 3


def _lang(user: User) -> str:
    return "en" if user.locale == "en" else "vi"


def _moment(value) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def unsubscribe_links(user: User) -> tuple[str, str]:
    """(the confirmation page for the body, the one-click address for the List-Unsubscribe
    header)."""
    from app.village.subscriptions import unsubscribe_token

    token = unsubscribe_token(user.id)
    return (public_url("village.unsubscribe", token=token, lang_code=_lang(user)),
            public_url("village.unsubscribe_one_click", token=token, lang_code=_lang(user)))


def _footer(page: str) -> str:
    return "\n".join(["", "—", _("You receive this because you follow your village on Cổng "
                                 "Làng. To stop these messages, open: %(url)s", url=page)])


def announcement_message(user: User, announcement: Announcement, place: str, *,
                         sms: bool, unsubscribe_page: str) -> tuple[str, str]:
    lang = _lang(user)
    link = public_url("village.announcement", announcement_id=announcement.id, lang_code=lang)
    with force_locale(lang):
        title = announcement.title(lang)
        subject = _("[Cổng Làng] %(place)s: %(title)s", place=place, title=title)
        if sms:
            return subject, _("%(place)s: %(title)s. Read it: %(url)s. Stop: %(stop)s",
                              place=place, title=title, url=link, stop=unsubscribe_page)
        when = format_day(announcement.valid_from)
        if announcement.valid_until:
            when = _("%(start)s to %(end)s", start=when,
                     end=format_day(announcement.valid_until))
        lines = [title, "", _("%(category)s · %(place)s · %(when)s",
                              category=category_name(announcement.category), place=place,
                              when=when), "",
                 _cut(announcement.body(lang), EMAIL_TEXT_LIMIT), "",
                 _("Read it on the village board: %(url)s", url=link)]
        if announcement.attachment_key:
            lines.append(_("It has an attached file, on the same page."))
        return subject, "\n".join(lines) + _footer(unsubscribe_page)


def alert_message(user: User, alert: Alert, places: str, *, sms: bool,
                  unsubscribe_page: str) -> tuple[str, str]:
    lang = _lang(user)
    link = public_url("village.alert", alert_id=alert.id, lang_code=lang)
    with force_locale(lang):
        title = alert.title(lang)
        level = severity_name(alert.severity).upper()
        subject = _("[%(level)s] %(hazard)s: %(title)s", level=level,
                    hazard=hazard_name(alert.hazard), title=title)
        until = _moment(alert.expires_at)
        if sms:
            return subject, _("%(level)s – %(hazard)s, %(places)s: %(title)s. Until %(until)s. "
                              "%(url)s", level=level, hazard=hazard_name(alert.hazard),
                              places=places, title=title, until=until, url=link)
        lines = [_("%(level)s – %(hazard)s", level=level, hazard=hazard_name(alert.hazard)),
                 title, "", _("For: %(places)s", places=places),
                 _("Until: %(until)s", until=until), "", alert.body(lang), "",
                 _("Details: %(url)s", url=link)]
        return subject, "\n".join(lines) + _footer(unsubscribe_page)


def digest_message(user: User, announcements: Sequence[Announcement], places: dict[int, str],
                   *, sms: bool, unsubscribe_page: str) -> tuple[str, str]:
    """One message for the day's announcements; `places` names each one's place."""
    lang = _lang(user)
    board = public_url("village.announcements", lang_code=lang)
    count = len(announcements)
    with force_locale(lang):
        subject = ngettext("[Cổng Làng] %(num)d new announcement in your village",
                           "[Cổng Làng] %(num)d new announcements in your village", count)
        if sms:
            titles = "; ".join(_cut(a.title(lang), 60) for a in announcements[:SMS_TITLES])
            if count > SMS_TITLES:
                titles += "; …"
            return subject, _("%(subject)s: %(titles)s. Read them: %(url)s. Stop: %(stop)s",
                              subject=subject, titles=titles, url=board,
                              stop=unsubscribe_page)
        lines = [_("New on your village board today:"), ""]
        for item in announcements[:DIGEST_LINES]:
            link = public_url("village.announcement", announcement_id=item.id, lang_code=lang)
            lines.append(_("- %(title)s (%(category)s, %(place)s): %(url)s",
                           title=item.title(lang), category=category_name(item.category),
                           place=places.get(item.id, ""), url=link))
        more = count - DIGEST_LINES
        if more > 0:
            lines.append(ngettext("… and %(num)d more.", "… and %(num)d more.", more))
        lines += ["", _("Every announcement: %(url)s", url=board)]
        return subject, "\n".join(lines) + _footer(unsubscribe_page)
