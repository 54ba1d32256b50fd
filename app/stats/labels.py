"""The words of the statistics pages: what each figure is and, in one line, how it is counted
(the page shows both, so a figure can be checked by anyone)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

HOW = {
    "to_process": _l("Carried over from before the period plus received in it."),
    "received": _l("Dossiers that entered the portal in the period: sent online or registered "
                   "at the one-stop desk."),
    "carried_over": _l("Dossiers still open at the end of the day before the period began."),
    "done": _l("Results ready in the period: early (before the appointment day), on the "
               "appointment day, or late (after the appointed time)."),
    "in_process": _l("Still open at the end of the period, or now while it runs: not yet due, "
                     "almost due (due by the end of the next working day, shown for now only) "
                     "or overdue."),
    "withdrawn": _l("Withdrawn by the applicant in the period."),
    "refused": _l("Not accepted at the one-stop desk in the period, with a reason."),
    "stopped": _l("Processing stopped in the period, with a reason."),
    "on_time_rate": _l("100 % minus the late rate; late rate = (overdue in process + done "
                       "late) ÷ dossiers to process. A dossier that needed an apology letter "
                       "counts as late."),
    "online_share": _l("Received online ÷ received online and at the desk."),
    "average_days": _l("Working days from receipt to the result, for dossiers done in the "
                       "period; days waiting for the applicant and days off do not count."),
    "satisfaction": _l("Ratings given in the period on the 5-level scale; satisfied = "
                       "satisfied or very satisfied ÷ all ratings."),
    "answered": _l("Answered in the period; on time = before or on the appointment day. Still "
                   "open and overdue: at the end of the period."),
}

KIND_NAMES = {
    "petition": _l("Feedback, petitions and questions"),
    "field_report": _l("Field reports"),
    "initiative": _l("Answers to community initiatives"),
    "village_need": _l("Village requests for help"),
}

PERIOD_NAMES = {"year": _l("Year"), "quarter": _l("Quarter"), "month": _l("Month"),
                "custom": _l("Your own dates")}
