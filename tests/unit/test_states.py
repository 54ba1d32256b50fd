"""The case state machine, as the design table describes it (no database).

The expected tables below are written out by hand from DESIGN.md and the brief, not imported
from the module under test, so a change to the rules has to change both on purpose.
"""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from app.queue.errors import IllegalTransition, NotAllowed, QueueError
from app.queue.states import (
    NOTE_REQUIRED, OPEN_STATES, ROLES, STATE_LABELS, TERMINAL, TRANSITIONS, Action, CaseView,
    NoteRequired, State, action_label, allowed_actions, check, is_overdue, needs_note,
    require_note, state_label, target_state,
)

ALL_ROLES = frozenset({"intake", "officer", "leader", "applicant", "admin"})
APOLOGY_ACTIONS = ("request_apology", "approve_apology", "reject_apology")

# (state, action) -> state, from the design table.
LEGAL: dict[tuple[int, str], int] = {
    (1, "receive"): 2, (1, "refuse"): 3, (1, "withdraw"): 7, (1, "transfer"): 1,
    (2, "start"): 4, (2, "withdraw"): 7, (2, "transfer"): 2,
    (4, "request_supplement"): 5, (4, "request_fees"): 6, (4, "stop"): 8, (4, "complete"): 9,
    (4, "submit_for_approval"): 4, (4, "approve"): 9, (4, "reject_approval"): 4,
    (4, "withdraw"): 7, (4, "transfer"): 4,
    (5, "supplement_provided"): 4, (5, "withdraw"): 7,
    (6, "fees_paid"): 4, (6, "complete"): 9, (6, "withdraw"): 7,
    (9, "return_result"): 10,
    # An apology re-schedules the appointment issued at intake, while the case is still owed.
    **{(s, a): s for s in (2, 4, 5, 6) for a in APOLOGY_ACTIONS},
}

# Who may take each action (capacities, not account roles).
MAY: dict[str, set[str]] = {
    "receive": {"intake", "admin"},
    "refuse": {"intake", "admin"},
    "start": {"officer", "leader", "admin"},
    "request_supplement": {"officer", "leader", "admin"},
    "supplement_provided": {"applicant", "officer", "admin"},
    "request_fees": {"officer", "leader", "admin"},
    "fees_paid": {"officer", "leader", "admin"},
    "stop": {"officer", "leader", "admin"},
    "complete": {"officer", "leader", "admin"},
    "submit_for_approval": {"officer", "leader", "admin"},
    "approve": {"leader", "admin"},
    "reject_approval": {"leader", "admin"},
    "return_result": {"officer", "leader", "admin", "intake"},
    "withdraw": {"applicant", "intake", "officer", "leader", "admin"},
    "transfer": {"officer", "leader", "admin"},
    "request_apology": {"officer", "leader", "admin"},
    "approve_apology": {"leader", "admin"},
    "reject_apology": {"leader", "admin"},
}

FLAG_NAMES = ("requires_approval", "pending_approval", "overdue", "apology_requested",
              "apology_used")


def all_views(state: int):
    """Every combination of the flags, for a table-driven sweep."""
    for flags in itertools.product((False, True), repeat=len(FLAG_NAMES)):
        yield CaseView(state=state, **dict(zip(FLAG_NAMES, flags)))


def enabling_view(state: int, action: str) -> CaseView:
    """The plainest case on which the table's transition is actually possible."""
    flags = {
        "submit_for_approval": {"requires_approval": True},
        "approve": {"requires_approval": True, "pending_approval": True},
        "reject_approval": {"requires_approval": True, "pending_approval": True},
        "request_apology": {"overdue": True},
        "approve_apology": {"apology_requested": True},
        "reject_apology": {"apology_requested": True},
    }.get(action, {})
    return CaseView(state=state, **flags)


# -- the table -------------------------------------------------------------------------------

def test_module_table_is_the_design_table():
    assert {(int(s), a.value): int(t) for (s, a), t in TRANSITIONS.items()} == LEGAL


def test_every_action_has_a_role_rule():
    for action in Action:
        assert action.value in MAY


def test_state_codes_are_the_national_portal_codes():
    assert [s.value for s in State] == list(range(1, 11))
    assert TERMINAL == {3, 7, 8, 10}
    assert OPEN_STATES == {1, 2, 4, 5, 6}


@pytest.mark.parametrize(("state", "action"), sorted(LEGAL))
def test_every_legal_transition_lands_where_the_design_says(state, action):
    view = enabling_view(state, action)
    assert target_state(view, action) == LEGAL[(state, action)]
    assert check(view, Action(action), ALL_ROLES) == LEGAL[(state, action)]
    assert Action(action) in allowed_actions(view, ALL_ROLES)


ILLEGAL = sorted((s, a.value) for s in range(1, 11) for a in Action if (s, a.value) not in LEGAL)


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_pair_outside_the_table_is_illegal_whatever_the_case(state, action):
    for view in all_views(state):
        with pytest.raises(IllegalTransition) as raised:
            check(view, action, ALL_ROLES)
        assert raised.value.details["reason"] == "no_transition"


@pytest.mark.parametrize("state", sorted(TERMINAL))
def test_terminal_states_allow_nothing_to_anyone(state):
    for view in all_views(state):
        assert allowed_actions(view, ALL_ROLES) == []


def test_done_allows_only_returning_the_result():
    assert allowed_actions(CaseView(state=9), ALL_ROLES) == [Action.RETURN_RESULT]


def test_unknown_action_or_state_is_an_illegal_transition():
    with pytest.raises(IllegalTransition):
        target_state(CaseView(state=1), "teleport")
    with pytest.raises(IllegalTransition):
        target_state(CaseView(state=11), "receive")


# -- who may act -----------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "action"), sorted(LEGAL))
@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_only_the_right_capacity_may_take_each_action(state, action, role):
    view = enabling_view(state, action)
    if role in MAY[action]:
        assert check(view, action, frozenset({role})) == LEGAL[(state, action)]
    else:
        with pytest.raises(NotAllowed):
            check(view, action, frozenset({role}))


def test_a_stranger_is_refused_before_the_state_is_looked_at():
    # Someone with no link to the case must not learn its state from the error they get.
    for state in range(1, 11):
        for action in Action:
            with pytest.raises(NotAllowed):
                check(CaseView(state=state), action, frozenset())


def test_a_resident_can_only_withdraw_or_answer_a_supplement_request():
    applicant = frozenset({"applicant"})
    assert allowed_actions(CaseView(state=1), applicant) == [Action.WITHDRAW]
    assert allowed_actions(CaseView(state=5), applicant) == [Action.SUPPLEMENT_PROVIDED,
                                                             Action.WITHDRAW]
    assert allowed_actions(CaseView(state=9), applicant) == []


def test_intake_receives_and_refuses_but_does_not_process():
    intake = frozenset({"intake"})
    assert allowed_actions(CaseView(state=1), intake) == [Action.RECEIVE, Action.REFUSE,
                                                          Action.WITHDRAW]
    assert allowed_actions(CaseView(state=2), intake) == [Action.WITHDRAW]


def test_assignee_in_processing_sees_the_working_actions():
    assert allowed_actions(CaseView(state=4), frozenset({"officer"})) == [
        Action.REQUEST_SUPPLEMENT, Action.REQUEST_FEES, Action.STOP, Action.COMPLETE,
        Action.WITHDRAW, Action.TRANSFER]


def test_admin_may_do_what_officers_and_leaders_may():
    for (state, action) in LEGAL:
        view = enabling_view(state, action)
        assert check(view, action, frozenset({"admin"})) == LEGAL[(state, action)]


def test_roles_constant_names_the_five_capacities():
    assert ROLES == ALL_ROLES


# -- approval ------------------------------------------------------------------------------

def test_a_case_needing_approval_cannot_be_completed_directly():
    for state in (4, 6):
        with pytest.raises(IllegalTransition) as raised:
            check(CaseView(state=state, requires_approval=True), "complete", ALL_ROLES)
        assert raised.value.details["reason"] == "requires_approval"


def test_submitting_for_approval_only_when_the_procedure_asks_for_it():
    with pytest.raises(IllegalTransition):
        check(CaseView(state=4), "submit_for_approval", ALL_ROLES)
    assert check(CaseView(state=4, requires_approval=True), "submit_for_approval",
                 frozenset({"officer"})) == 4


def test_approve_and_reject_only_while_pending():
    for action in ("approve", "reject_approval"):
        with pytest.raises(IllegalTransition):
            check(CaseView(state=4, requires_approval=True), action, ALL_ROLES)
    pending = CaseView(state=4, requires_approval=True, pending_approval=True)
    assert check(pending, "approve", frozenset({"leader"})) == 9
    assert check(pending, "reject_approval", frozenset({"leader"})) == 4


def test_while_pending_the_officer_can_only_record_a_withdrawal():
    pending = CaseView(state=4, requires_approval=True, pending_approval=True)
    assert allowed_actions(pending, frozenset({"officer"})) == [Action.WITHDRAW]
    assert allowed_actions(pending, frozenset({"leader"})) == [
        Action.APPROVE, Action.REJECT_APPROVAL, Action.WITHDRAW]
    assert allowed_actions(pending, frozenset({"applicant"})) == [Action.WITHDRAW]
    for action in ("request_supplement", "request_fees", "stop", "transfer",
                   "submit_for_approval"):
        with pytest.raises(IllegalTransition) as raised:
            check(pending, action, ALL_ROLES)
        assert raised.value.details["reason"] == "pending_approval"


def test_an_officer_cannot_approve_their_own_work():
    pending = CaseView(state=4, requires_approval=True, pending_approval=True)
    with pytest.raises(NotAllowed):
        check(pending, "approve", frozenset({"officer", "intake"}))


# -- apology ---------------------------------------------------------------------------------

def test_apology_only_for_a_late_case():
    with pytest.raises(IllegalTransition) as raised:
        check(CaseView(state=4), "request_apology", ALL_ROLES)
    assert raised.value.details["reason"] == "not_overdue"
    assert check(CaseView(state=4, overdue=True), "request_apology", frozenset({"officer"})) == 4


def test_apology_once_only():
    used = CaseView(state=4, overdue=True, apology_used=True)
    with pytest.raises(IllegalTransition) as raised:
        check(used, "request_apology", ALL_ROLES)
    assert raised.value.details["reason"] == "apology_used"


def test_one_apology_request_at_a_time():
    waiting = CaseView(state=4, overdue=True, apology_requested=True)
    with pytest.raises(IllegalTransition) as raised:
        check(waiting, "request_apology", ALL_ROLES)
    assert raised.value.details["reason"] == "apology_pending"


def test_apology_is_approved_by_a_leader_only_when_requested():
    with pytest.raises(IllegalTransition):
        check(CaseView(state=4), "approve_apology", ALL_ROLES)
    requested = CaseView(state=4, overdue=True, apology_requested=True)
    with pytest.raises(NotAllowed):
        check(requested, "approve_apology", frozenset({"officer"}))
    assert check(requested, "approve_apology", frozenset({"leader"})) == 4
    assert check(requested, "reject_apology", frozenset({"leader"})) == 4


def test_a_leader_may_still_settle_an_apology_while_approval_is_pending():
    view = CaseView(state=4, requires_approval=True, pending_approval=True,
                    apology_requested=True)
    assert Action.APPROVE_APOLOGY in allowed_actions(view, frozenset({"leader"}))


# -- notes -----------------------------------------------------------------------------------

def test_reasons_are_required_where_someone_must_be_told_why():
    assert NOTE_REQUIRED == {Action.REFUSE, Action.REQUEST_SUPPLEMENT, Action.STOP,
                             Action.REJECT_APPROVAL, Action.TRANSFER, Action.REJECT_APOLOGY}
    for action in NOTE_REQUIRED:
        with pytest.raises(NoteRequired):
            require_note(action, ALL_ROLES, "   ")


def test_withdrawal_needs_a_note_only_when_staff_record_it():
    assert not needs_note("withdraw", frozenset({"applicant"}))
    assert needs_note("withdraw", frozenset({"officer"}))
    with pytest.raises(NoteRequired) as raised:
        require_note("withdraw", frozenset({"intake"}), None)
    assert isinstance(raised.value, (QueueError, ValueError))
    assert require_note("withdraw", frozenset({"intake"}), "  đơn rút có chữ ký  ") == \
        "đơn rút có chữ ký"


def test_a_note_is_optional_elsewhere():
    assert require_note("receive", frozenset({"intake"}), "") is None


# -- overdue and labels ----------------------------------------------------------------------

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=timezone.utc)


def test_overdue_means_owed_and_past_due():
    past = NOW - timedelta(hours=1)
    assert is_overdue(4, past, NOW)
    assert not is_overdue(4, NOW + timedelta(hours=1), NOW)
    assert not is_overdue(9, past, NOW)  # finished cases are judged on their finish time
    assert not is_overdue(7, past, NOW)


def test_a_paused_case_is_judged_when_its_clock_stopped():
    due = NOW - timedelta(days=1)
    assert not is_overdue(5, due, NOW, paused_at=due - timedelta(days=1))
    assert is_overdue(5, due, NOW, paused_at=due + timedelta(hours=1))


def test_every_state_and_action_has_a_label_in_both_languages():
    for state in State:
        vi, en = STATE_LABELS[state]
        assert vi and en
    assert state_label(1) == "Mới đăng ký"
    assert state_label(10, "en") == "Returned"
    for action in Action:
        assert action_label(action, "vi") and action_label(action, "en")


def test_a_kind_without_fees_neither_offers_nor_allows_asking_for_them():
    from app.queue.states import kind_actions
    view = CaseView(state=State.PROCESSING, kind_actions=kind_actions())
    offered = allowed_actions(view, frozenset({"officer"}))
    assert Action.REQUEST_FEES not in offered and Action.REQUEST_SUPPLEMENT not in offered
    assert Action.COMPLETE in offered
    with pytest.raises(IllegalTransition, match="not_for_this_kind"):
        check(view, Action.REQUEST_FEES, frozenset({"officer"}))
    done = CaseView(state=State.DONE, kind_actions=kind_actions(Action.RETURN_RESULT))
    assert check(done, Action.RETURN_RESULT, frozenset({"officer"})) == State.RETURNED
