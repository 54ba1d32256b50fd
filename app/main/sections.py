"""The portal's sections as the home page lists them.

A section whose feature is not built yet still appears, described truthfully, so residents
learn what the portal is for; its link goes only where a page exists.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    endpoint: str | None

    def url(self) -> str | None:
        if self.endpoint and self.endpoint in current_app.view_functions:
            return url_for(self.endpoint)
        return None


SECTIONS = (
    Section("procedures", _l("Administrative procedures"),
            _l("Find a procedure, see the papers and fees it needs, and submit it online."),
            "procedures.catalogue"),
    Section("dossiers", _l("My dossiers"),
            _l("Track what you submitted, answer requests for more papers, rate the service."),
            "dossiers.mine"),
    Section("appointments", _l("Desk appointments"),
            _l("Book a time at your commune's one-stop desk for a procedure, and skip the "
               "queue."),
            "appointments.mine"),
    Section("initiatives", _l("Community initiatives"),
            _l("Propose an idea for your village and support the ones you like."),
            "community.initiatives"),
    Section("village", _l("Village board"),
            _l("Announcements, alerts and needs posted by your commune and village."),
            "village.board"),
    Section("questions", _l("Questions and petitions"),
            _l("Ask an office a question or send a petition, with or without an account; read "
               "the answers others chose to publish."),
            "petitions.index"),
    Section("reception", _l("Citizen reception"),
            _l("When the commune's leaders receive citizens, and the answers to voters' "
               "petitions."),
            "reception.schedule"),
    Section("report", _l("Report a problem"),
            _l("Tell the commune about a broken road, a blocked drain or a fallen tree."),
            "reports.new"),
    Section("statistics", _l("Statistics"),
            _l("How quickly and how well each office answers, in public figures."),
            "stats.overview"),
)


def portal_sections() -> tuple[Section, ...]:
    return SECTIONS
