"""The case state machine: which action moves a case where, and who may take it.

Pure on purpose: no session, no Flask. `app/queue/actions.py` reads the case and the actor from
the database, reduces them to a `CaseView` and a set of capacities, and asks this module. The
workbench asks the same questions (`allowed_actions`) to decide which buttons to show, so the UI
can never offer what `perform` would refuse.

State codes are the national public-service portal's dossier statuses, so statistics can be
reported the way the government counts them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum, IntEnum

from app.queue.errors import IllegalTransition, NotAllowed, QueueError

__all__ = [
    "State", "TERMINAL", "FINISHED", "OPEN_STATES", "CLOCK_RUNNING_STATES", "STATE_LABELS", "state_label",
    "Action", "ACTION_LABELS", "action_label", "NOTE_REQUIRED", "TRANSITIONS", "ROLES_FOR",
    "INTAKE", "OFFICER", "LEADER", "APPLICANT", "ADMIN", "ROLES",
    "CaseView", "is_overdue", "target_state", "allowed_actions", "check", "needs_note",
    "require_note", "as_action", "InvalidInput", "NoteRequired", "CaseNotFound",
    "SUPPLEMENT_ACTIONS", "FEE_ACTIONS", "APOLOGY_ACTIONS", "OPTIONAL_ACTIONS", "kind_actions",
]


class State(IntEnum):
    SUBMITTED = 1
    RECEIVED = 2
    REFUSED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    FEES_REQUESTED = 6
    WITHDRAWN = 7
    STOPPED = 8
    DONE = 9
    RETURNED = 10


# Nothing ever leaves these.
TERMINAL = frozenset({State.REFUSED, State.WITHDRAWN, State.STOPPED, State.RETURNED})
# The office's work is over (finished_at is set): the terminal states plus "done", which only
# waits for the result to be handed over.
FINISHED = TERMINAL | {State.DONE}
# Still owed work: the only states a resident may withdraw from and a deadline can be missed in.
OPEN_STATES = frozenset({State.SUBMITTED, State.RECEIVED, State.PROCESSING,
                         State.SUPPLEMENT_REQUESTED, State.FEES_REQUESTED})
# Owed work whose deadline clock runs: the office can be late on it (badges, the SLA sweep,
# statistics). State 5 is missing on purpose: while the office waits for the resident the clock
# is stopped (and is_overdue reads the moment it stopped).
CLOCK_RUNNING_STATES = OPEN_STATES - {State.SUPPLEMENT_REQUESTED}

# The portal's own wording, so lists and CSV exports read the same as the national portal
# even where Babel is not available (the worker, exports).
STATE_LABELS: dict[int, tuple[str, str]] = {
    State.SUBMITTED: ("Mới đăng ký", "Submitted"),
    State.RECEIVED: ("Được tiếp nhận", "Received"),
    State.REFUSED: ("Không được tiếp nhận", "Refused"),
    State.PROCESSING: ("Đang xử lý", "Processing"),
    State.SUPPLEMENT_REQUESTED: ("Yêu cầu bổ sung", "Supplement requested"),
    State.FEES_REQUESTED: ("Yêu cầu nghĩa vụ tài chính", "Fees requested"),
    State.WITHDRAWN: ("Công dân rút hồ sơ", "Withdrawn"),
    State.STOPPED: ("Dừng xử lý", "Stopped"),
    State.DONE: ("Đã xử lý xong", "Done"),
    State.RETURNED: ("Đã trả kết quả", "Returned"),
}


def state_label(state: int, locale: str = "vi") -> str:
    vi, en = STATE_LABELS[int(state)]
    return en if locale == "en" else vi


class Action(str, Enum):
    RECEIVE = "receive"
    REFUSE = "refuse"
    START = "start"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT_PROVIDED = "supplement_provided"
    REQUEST_FEES = "request_fees"
    FEES_PAID = "fees_paid"
    STOP = "stop"
    COMPLETE = "complete"
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    APPROVE = "approve"
    REJECT_APPROVAL = "reject_approval"
    RETURN_RESULT = "return_result"
    WITHDRAW = "withdraw"
    TRANSFER = "transfer"
    REQUEST_APOLOGY = "request_apology"
    APPROVE_APOLOGY = "approve_apology"
    REJECT_APOLOGY = "reject_apology"

    def __str__(self) -> str:  # the value is what goes into case_events.action
        return self.value


ACTION_LABELS: dict[Action, tuple[str, str]] = {
    Action.RECEIVE: ("Tiếp nhận", "Receive"),
    Action.REFUSE: ("Từ chối tiếp nhận", "Refuse"),
    Action.START: ("Bắt đầu xử lý", "Start processing"),
    Action.REQUEST_SUPPLEMENT: ("Yêu cầu bổ sung", "Request supplement"),
    Action.SUPPLEMENT_PROVIDED: ("Đã bổ sung", "Supplement provided"),
    Action.REQUEST_FEES: ("Yêu cầu nghĩa vụ tài chính", "Request fees"),
    Action.FEES_PAID: ("Đã nộp phí", "Fees paid"),
    Action.STOP: ("Dừng xử lý", "Stop processing"),
    Action.COMPLETE: ("Hoàn thành", "Complete"),
    Action.SUBMIT_FOR_APPROVAL: ("Trình lãnh đạo duyệt", "Submit for approval"),
    Action.APPROVE: ("Phê duyệt", "Approve"),
    Action.REJECT_APPROVAL: ("Trả lại, không duyệt", "Send back"),
    Action.RETURN_RESULT: ("Trả kết quả", "Return result"),
    Action.WITHDRAW: ("Rút hồ sơ", "Withdraw"),
    Action.TRANSFER: ("Chuyển phòng ban", "Transfer"),
    Action.REQUEST_APOLOGY: ("Xin lỗi và hẹn lại", "Apologise and reschedule"),
    Action.APPROVE_APOLOGY: ("Duyệt phiếu xin lỗi", "Approve apology"),
    Action.REJECT_APOLOGY: ("Không duyệt phiếu xin lỗi", "Reject apology"),
}


def action_label(action: Action | str, locale: str = "vi") -> str:
    vi, en = ACTION_LABELS[Action(action)]
    return en if locale == "en" else vi


# -- capacities ---------------------------------------------------------------------------
# What the actor is *to this case*, not their account role: the same officer is "officer" on
# the cases assigned to them and nobody on a colleague's.
INTAKE = "intake"        # the one-stop desk of the case's department
OFFICER = "officer"      # the case's assignee
LEADER = "leader"        # leads the case's department
APPLICANT = "applicant"  # the resident who submitted it
ADMIN = "admin"          # may act as any officer or leader, anywhere
ROLES = frozenset({INTAKE, OFFICER, LEADER, APPLICANT, ADMIN})

_WORKERS = frozenset({OFFICER, LEADER, ADMIN})
_LEADERS = frozenset({LEADER, ADMIN})

ROLES_FOR: dict[Action, frozenset[str]] = {
    Action.RECEIVE: frozenset({INTAKE, ADMIN}),
    Action.REFUSE: frozenset({INTAKE, ADMIN}),
    Action.START: _WORKERS,
    Action.REQUEST_SUPPLEMENT: _WORKERS,
    # The resident answers online, or brings the papers and the officer records it.
    Action.SUPPLEMENT_PROVIDED: frozenset({APPLICANT, OFFICER, ADMIN}),
    Action.REQUEST_FEES: _WORKERS,
    Action.FEES_PAID: _WORKERS,
    Action.STOP: _WORKERS,
    Action.COMPLETE: _WORKERS,
    Action.SUBMIT_FOR_APPROVAL: _WORKERS,
    Action.APPROVE: _LEADERS,
    Action.REJECT_APPROVAL: _LEADERS,
    # Results are handed over at the one-stop desk, so intake may record it too.
    Action.RETURN_RESULT: _WORKERS | {INTAKE},
    # Only the resident decides to withdraw; staff merely record it for them (with a note).
    Action.WITHDRAW: frozenset({APPLICANT, INTAKE, OFFICER, LEADER, ADMIN}),
    Action.TRANSFER: _WORKERS,
    Action.REQUEST_APOLOGY: _WORKERS,
    Action.APPROVE_APOLOGY: _LEADERS,
    Action.REJECT_APOLOGY: _LEADERS,
}

# Actions that must say why: the reason is shown to the resident or to the next official.
NOTE_REQUIRED: frozenset[Action] = frozenset({
    Action.REFUSE, Action.REQUEST_SUPPLEMENT, Action.STOP, Action.REJECT_APPROVAL,
    Action.TRANSFER, Action.REJECT_APOLOGY,
})

# -- the design table -------------------------------------------------------------------------
_S = State
# An apology re-schedules an appointment, so it only exists once intake has issued one, and
# only while the case is still owed.
_APOLOGY_STATES = (_S.RECEIVED, _S.PROCESSING, _S.SUPPLEMENT_REQUESTED, _S.FEES_REQUESTED)

TRANSITIONS: dict[tuple[State, Action], State] = {
    (_S.SUBMITTED, Action.RECEIVE): _S.RECEIVED,
    (_S.SUBMITTED, Action.REFUSE): _S.REFUSED,
    (_S.RECEIVED, Action.START): _S.PROCESSING,
    (_S.PROCESSING, Action.REQUEST_SUPPLEMENT): _S.SUPPLEMENT_REQUESTED,
    (_S.SUPPLEMENT_REQUESTED, Action.SUPPLEMENT_PROVIDED): _S.PROCESSING,
    (_S.PROCESSING, Action.REQUEST_FEES): _S.FEES_REQUESTED,
    (_S.FEES_REQUESTED, Action.FEES_PAID): _S.PROCESSING,
    # Paid and the work already finished: straight to done.
    (_S.FEES_REQUESTED, Action.COMPLETE): _S.DONE,
    (_S.PROCESSING, Action.STOP): _S.STOPPED,
    (_S.PROCESSING, Action.COMPLETE): _S.DONE,
    (_S.PROCESSING, Action.SUBMIT_FOR_APPROVAL): _S.PROCESSING,
    (_S.PROCESSING, Action.APPROVE): _S.DONE,
    (_S.PROCESSING, Action.REJECT_APPROVAL): _S.PROCESSING,
    (_S.DONE, Action.RETURN_RESULT): _S.RETURNED,
    **{(s, Action.WITHDRAW): _S.WITHDRAWN for s in sorted(OPEN_STATES)},
    **{(s, Action.TRANSFER): s for s in (_S.SUBMITTED, _S.RECEIVED, _S.PROCESSING)},
    **{(s, a): s for s in _APOLOGY_STATES
       for a in (Action.REQUEST_APOLOGY, Action.APPROVE_APOLOGY, Action.REJECT_APOLOGY)},
}

# Steps only some kinds of case have: papers the resident adds, fees paid at the desk, a result
# handed over, an apology letter for a late appointment. A dossier has them all; a kind whose
# resident has no page to add papers on, or that owes no result to collect, leaves them out
# (its CaseKind's `actions`), so the workbench never offers a step that leads nowhere.
SUPPLEMENT_ACTIONS = frozenset({Action.REQUEST_SUPPLEMENT, Action.SUPPLEMENT_PROVIDED})
FEE_ACTIONS = frozenset({Action.REQUEST_FEES, Action.FEES_PAID})
APOLOGY_ACTIONS = frozenset({Action.REQUEST_APOLOGY, Action.APPROVE_APOLOGY,
                             Action.REJECT_APOLOGY})
OPTIONAL_ACTIONS = SUPPLEMENT_ACTIONS | FEE_ACTIONS | APOLOGY_ACTIONS | {Action.RETURN_RESULT}


def kind_actions(*extra: Action) -> frozenset[Action]:
    """The actions of a kind of case without the optional steps, plus those it names."""
    return (frozenset(Action) - OPTIONAL_ACTIONS) | frozenset(extra)


# While a leader holds the case for approval the file is on the leader's desk: the officer may
# not change it under them. The resident may still withdraw, and the leader may still settle an
# apology request that was already waiting.
_WHILE_PENDING = frozenset({Action.APPROVE, Action.REJECT_APPROVAL, Action.WITHDRAW,
                            Action.APPROVE_APOLOGY, Action.REJECT_APOLOGY})


class InvalidInput(QueueError, ValueError):
    """An action was legal but its input was not (a missing department, a past date)."""
    code = "invalid_input"


class NoteRequired(InvalidInput):
    code = "note_required"


# How far an apology letter may move an appointment: it apologises for a delay of days or
# weeks, not a new deadline years away (an unbounded date once overflowed the calendar).
APOLOGY_MAX_WORKING_DAYS = 30


class ApologyDateTooEarly(InvalidInput):
    """The new appointment date is not after the current one."""
    code = "apology_too_early"


class ApologyDateTooLate(InvalidInput):
    """The new appointment date is beyond the allowed number of working days; `latest` says
    the last acceptable moment."""
    code = "apology_too_late"


class CaseNotFound(QueueError, LookupError):
    code = "case_not_found"


@dataclass(frozen=True)
class CaseView:
    """What the state machine needs to know about a case, as plain values."""

    state: int
    requires_approval: bool = False
    pending_approval: bool = False
    overdue: bool = False
    apology_requested: bool = False  # a new appointment date is waiting for a leader
    apology_used: bool = False       # a leader already approved one: never again
    # The actions the case's kind has at all (None: every action of the table).
    kind_actions: frozenset[Action] | None = None


def is_overdue(state: int, due_at: datetime, now: datetime,
               paused_at: datetime | None = None) -> bool:
    """Late right now? Only owed cases can be; a paused case's clock stopped when it paused."""
    if state not in OPEN_STATES:
        return False
    clock = paused_at if state == State.SUPPLEMENT_REQUESTED and paused_at is not None else now
    return due_at < clock


def _guard(view: CaseView, action: Action) -> str | None:
    """Why a transition that the table allows cannot happen for this particular case."""
    if view.kind_actions is not None and action not in view.kind_actions:
        return "not_for_this_kind"
    if view.pending_approval and action not in _WHILE_PENDING:
        return "pending_approval"
    if action is Action.COMPLETE and view.requires_approval:
        return "requires_approval"
    if action is Action.SUBMIT_FOR_APPROVAL and not view.requires_approval:
        return "approval_not_required"
    if action in (Action.APPROVE, Action.REJECT_APPROVAL) and not view.pending_approval:
        return "not_pending_approval"
    if action is Action.REQUEST_APOLOGY:
        if view.apology_used:
            return "apology_used"
        if view.apology_requested:
            return "apology_pending"
        if not view.overdue:
            return "not_overdue"
    if action in (Action.APPROVE_APOLOGY, Action.REJECT_APOLOGY) and not view.apology_requested:
        return "no_apology_requested"
    return None


def target_state(view: CaseView, action: Action | str) -> int:
    """The state `action` leads to from this case, or IllegalTransition."""
    action = as_action(action)
    try:
        state = State(view.state)
    except ValueError:
        raise IllegalTransition(f"unknown state {view.state!r}", state=view.state,
                                action=action.value, reason="unknown_state") from None
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise IllegalTransition(f"cannot {action.value} a case in state {int(state)}",
                                state=int(state), action=action.value, reason="no_transition")
    reason = _guard(view, action)
    if reason is not None:
        raise IllegalTransition(f"cannot {action.value} now: {reason}", state=int(state),
                                action=action.value, reason=reason)
    return int(target)


def check(view: CaseView, action: Action | str, capacities: frozenset[str]) -> int:
    """Target state if this actor may take this action now; NotAllowed or IllegalTransition.

    The role check comes first and depends on the action only, so someone with no business on
    the case learns nothing about its state from the error.
    """
    action = as_action(action)
    if not (ROLES_FOR[action] & frozenset(capacities)):
        raise NotAllowed(f"not allowed to {action.value} this case", action=action.value)
    return target_state(view, action)


def allowed_actions(view: CaseView, capacities: frozenset[str]) -> list[Action]:
    """Every action this actor could take now, in a stable order (the enum's)."""
    result = []
    for action in Action:
        try:
            check(view, action, capacities)
        except (IllegalTransition, NotAllowed):
            continue
        result.append(action)
    return result


def needs_note(action: Action | str, capacities: frozenset[str]) -> bool:
    action = as_action(action)
    if action in NOTE_REQUIRED:
        return True
    # A withdrawal recorded by staff must show why it was not the resident who pressed it.
    return action is Action.WITHDRAW and APPLICANT not in capacities


def require_note(action: Action | str, capacities: frozenset[str], note: str | None) -> str | None:
    """The note, stripped (None when empty); NoteRequired when the action needs one."""
    cleaned = (note or "").strip() or None
    if cleaned is None and needs_note(action, capacities):
        raise NoteRequired(f"{as_action(action).value} needs a note", action=str(action))
    return cleaned


def as_action(action: Action | str) -> Action:
    try:
        return Action(action)
    except ValueError:
        raise IllegalTransition(f"unknown action {action!r}", action=str(action),
                                reason="unknown_action") from None
