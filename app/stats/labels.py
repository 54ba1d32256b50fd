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
    "answered": _l("Answered on time = answered before or on the appointment day. On time (%) "
                   "is counted as for dossiers: 100 % minus (still open and overdue at the end "
                   "of the period + answered late) ÷ (carried over + received). Satisfied = "
                   "satisfied or very satisfied ÷ the askers' and reporters' ratings given in "
                   "the period."),
}

# The rows of "answered on time", by (case_type, group): see app/stats/figures.KINDS_ANSWERED.
KIND_NAMES = {
    ("petition", "question"): _l("Questions"),
    ("petition", "petition"): _l("Feedback and petitions"),
    ("petition", ""): _l("Feedback, petitions and questions"),
    ("field_report", ""): _l("Field reports"),
    ("initiative", ""): _l("Answers to community initiatives"),
    ("village_need", ""): _l("Village requests for help"),
}

PERIOD_NAMES = {"year": _l("Year"), "quarter": _l("Quarter"), "month": _l("Month"),
                "custom": _l("Your own dates")}

CRITERION_NAMES = {
    "broadband": _l("Broadband"),
    "knowledge_workforce": _l("Knowledge workforce"),
    "innovation": _l("Innovation"),
    "digital_equality": _l("Digital equality"),
    "sustainability": _l("Sustainability"),
    "advocacy": _l("Advocacy"),
}

CRITERION_HOW = {
    "broadband": _l("How well homes and villages are connected."),
    "knowledge_workforce": _l("How many people learn and use digital skills."),
    "innovation": _l("How residents' ideas become public projects."),
    "digital_equality": _l("Whether everyone can reach public services online."),
    "sustainability": _l("Whether partners deliver what they promise, and the commune's care for "
                         "its environment."),
    "advocacy": _l("How residents take part and how the commune answers them."),
}

INDICATOR_NAMES = {
    "broadband_households": _l("Households with fixed broadband (%)"),
    "mobile_coverage": _l("Villages covered by 4G or 5G (%)"),
    "digital_trainings": _l("Digital-skills training sessions held"),
    "people_trained": _l("People trained in digital skills"),
    "accounts_share": _l("Residents with a portal account, share of the population (%)"),
    "initiatives_proposed": _l("Community initiatives proposed"),
    "initiatives_accepted": _l("Community initiatives accepted"),
    "initiatives_done": _l("Community initiatives done"),
    "online_share": _l("Dossiers received online (%)"),
    "digital_team_members": _l("Members of community digital technology teams"),
    "pledges_delivered": _l("Partner pledges delivered"),
    "waste_collection": _l("Households served by waste collection (%)"),
    "participation": _l("Supports and field reports from residents"),
    "on_time_rate": _l("Dossiers handled on time (%)"),
    "public_dialogues": _l("Public dialogues between leaders and residents"),
    "population": _l("Population"),
}

INDICATOR_HOW = {
    "accounts_share": _l("Active resident accounts of the commune at the end of the year ÷ the "
                         "population staff entered for that year."),
    "initiatives_proposed": _l("Initiatives published in the year."),
    "initiatives_accepted": _l("Initiatives answered \"accepted\" in the year (including those "
                               "since under way or done)."),
    "initiatives_done": _l("Initiatives marked done, last updated in the year."),
    "online_share": _l("As in the public statistics: received online ÷ received online and at "
                       "the desk, dossiers of the commune's departments."),
    "pledges_delivered": _l("Pledges of partners marked delivered in the year, for the "
                            "commune's initiatives."),
    "participation": _l("Supports given to initiatives and village needs, plus field reports "
                        "received, in the year."),
    "on_time_rate": _l("As in the public statistics: 100 % minus the late rate of the "
                       "commune's dossiers for the year."),
}

# What a staff member reads when a figure cannot be saved, by ScorecardError code.
SCORECARD_ERRORS = {
    "not_staff": _l("You can enter figures only for a commune you work for."),
    "unknown_commune": _l("Choose a commune or ward from the list."),
    "unknown_indicator": _l("Choose an indicator from the list."),
    "bad_year": _l("Choose a year from the list."),
    "future_year": _l("That year has not started yet."),
    "bad_value": _l("Enter a number, like 87,5."),
    "not_whole": _l("This indicator counts things: enter a whole number."),
    "too_precise": _l("Use at most two decimal places."),
    "too_low": _l("The value cannot be below %(minimum)s."),
    "too_high": _l("The value cannot be above %(maximum)s."),
    "source_required": _l("Say where the figure comes from (a report, a survey, a decision)."),
    "source_too_long": _l("Keep the source under 300 characters."),
    "no_date": _l("Enter the date the figure describes."),
    "date_outside_year": _l("The date must fall in the chosen year."),
    "date_in_future": _l("The date cannot be in the future."),
}
