"""What the workbench calls states, actions, case types and due bands, through Babel.

app/queue/states.py keeps the national portal's wording for code that runs without a request
(worker, exports); pages use these, so translators see every word a user reads.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.labels import category_name  # noqa: F401  (templates use it from here)
from app.queue.states import Action

STATE_NAMES = {
    1: _l("Submitted"), 2: _l("Received"), 3: _l("Refused"), 4: _l("Processing"),
    5: _l("Supplement requested"), 6: _l("Fees requested"), 7: _l("Withdrawn"),
    8: _l("Stopped"), 9: _l("Done"), 10: _l("Returned"),
}

ACTION_NAMES = {
    Action.RECEIVE: _l("Receive"),
    Action.REFUSE: _l("Refuse at intake"),
    Action.START: _l("Start processing"),
    Action.REQUEST_SUPPLEMENT: _l("Request a supplement"),
    Action.SUPPLEMENT_PROVIDED: _l("Supplement provided"),
    Action.REQUEST_FEES: _l("Request fees"),
    Action.FEES_PAID: _l("Fees paid"),
    Action.STOP: _l("Stop processing"),
    Action.COMPLETE: _l("Complete"),
    Action.SUBMIT_FOR_APPROVAL: _l("Submit for approval"),
    Action.APPROVE: _l("Approve"),
    Action.REJECT_APPROVAL: _l("Send back without approval"),
    Action.RETURN_RESULT: _l("Return the result"),
    Action.WITHDRAW: _l("Record withdrawal"),
    Action.TRANSFER: _l("Transfer to another department"),
    Action.REQUEST_APOLOGY: _l("Apologise and set a new date"),
    Action.APPROVE_APOLOGY: _l("Approve the apology letter"),
    Action.REJECT_APOLOGY: _l("Reject the apology letter"),
}

# Events that are not state actions.
EVENT_NAMES = {
    "submitted": _l("Submitted"),
    "claim": _l("Claimed"),
    "release": _l("Released to the queue"),
    "lease_expired": _l("Returned to the queue (claim expired)"),
    "hand_back": _l("Returned to the queue (officer on leave)"),
    "reassign": _l("Reassigned"),
    "assign": _l("Assigned by routing"),
    "routing_warning": _l("Routing warning"),
    "escalated": _l("Escalated to the leader"),
    "rated": _l("Rated by the applicant"),
}

CASE_TYPE_NAMES = {
    "dossier": _l("Procedure dossier"),
    "petition": _l("Feedback or petition"),
    "field_report": _l("Field report"),
    "initiative": _l("Initiative answer"),
    "village_need": _l("Village request"),
}

DUE_BANDS = {
    "overdue": _l("Overdue"),
    "almost": _l("Almost due"),
    "on_time": _l("On time"),
}

PRIORITY_NAMES = {0: _l("Normal"), 1: _l("High"), 2: _l("Urgent")}


def state_name(code: int) -> str:
    return str(STATE_NAMES.get(int(code), code))


def event_name(action: str) -> str:
    try:
        return str(ACTION_NAMES[Action(action)])
    except ValueError:
        return str(EVENT_NAMES.get(action, action))

