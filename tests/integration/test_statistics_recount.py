"""The running totals agree exactly with a recount from case_events, on random histories made
through perform() (pauses, fees, transfers, apologies, withdrawals, refusals, ratings) of
dossiers, questions and petitions, and the figures read from them agree with a plain count of
the same events done here, day by day (questions and petitions each their own). Also
`flask stats rebuild`."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from app.db import write_transaction
from app.dossiers import services as dossiers
from app.models import Case, CaseEvent, CaseTally, Petition, PetitionTopic, RoutingRule
from app.petitions import services as petitions
from app.petitions.answers import draft_answer
from app.models.stats import COUNTER_COLUMNS, KEY_COLUMNS
from app.queue import tally
from app.queue.actions import apology_window, available_actions, perform
from app.queue.calendar import LOCAL_TZ, local_close, local_day
from app.queue.calendar_db import calendar_from_db
from app.queue.history import LATE, event_data, moment, timing_of
from app.queue.states import CLOCK_RUNNING_STATES, OPEN_STATES
from app.stats import figures as stats
from app.stats.rebuild import rebuild, recount
from tests.conftest import only_on
from tests.factories import make_department, make_dossier_office, make_procedure, make_user

BASE = datetime(2026, 3, 2, 8, 0, tzinfo=LOCAL_TZ)   # a Monday
FAR_LATER = datetime(2026, 12, 1, tzinfo=timezone.utc)


def stored(session) -> dict:
    rows = {}
    for row in session.scalars(select(CaseTally)):
        counters = {c: getattr(row, c) for c in COUNTER_COLUMNS if getattr(row, c)}
        if counters:
            rows[tuple(getattr(row, k) for k in KEY_COLUMNS)] = counters
    return rows


def _office(session):
    office = make_dossier_office(session, processing_days=3)
    dept, commune = office["dept"], office["commune"]
    dept.case_types = "dossier,petition"
    same_day = make_procedure(session, office["field"], processing_days=0)
    other = make_department(session, commune, case_types="dossier,petition")
    session.add(RoutingRule(case_type="petition", category="petition", unit_id=commune.id,
                            department_id=dept.id, mode="pull", active=True))
    admin = make_user(session, role="admin")
    resident = make_user(session, role="resident", commune=commune)
    topic = PetitionTopic(code="PA-THU", name_vi="Phản ánh", name_en="Feedback",
                          category="petition", sla_days=5)
    session.add(topic)
    session.commit()
    return {**office, "same_day": same_day, "other": other, "admin": admin,
            "resident": resident, "topic": topic}


FORWARD = ("receive", "start", "complete", "return_result", "request_supplement",
           "supplement_provided", "request_fees", "fees_paid", "request_apology",
           "approve_apology", "reject_apology", "submit_for_approval", "approve")
# Each step picks one of the actions the case allows at that moment (by index), after a
# pause of some minutes: histories go everywhere the state machine goes.
case_story = st.fixed_dictionaries({
    "kind": st.sampled_from(["online", "walk_in", "same_day", "question", "petition"]),
    "start": st.integers(0, 60 * 24 * 30),                       # minutes after BASE
    "steps": st.lists(st.tuples(st.integers(0, 999), st.integers(10, 60 * 24 * 6)),
                      max_size=12),
})


def _make(session, office, story, n):
    when = BASE + timedelta(minutes=story["start"])
    if story["kind"] in ("question", "petition"):
        petition = petitions.file_petition(session, None, petitions.Filing(
            kind=story["kind"], topic_id=office["topic"].id, unit_id=office["commune"].id,
            title="Phản ánh", body="Nội dung", asker_name="Nguyễn Văn Thử",
            asker_phone="0912345678", user_id=office["resident"].id,
            idempotency_key=f"h-{n}"), now=when)
        return petition.case, when
    procedure = office["same_day"] if story["kind"] == "same_day" else office["procedure"]
    dossier = dossiers.submit(session, dossiers.Submission(
        procedure_id=procedure.id, unit_id=office["commune"].id, applicant_name="Nguyễn Văn Thử",
        applicant_phone="0912345678", channel="walk_in" if story["kind"] == "walk_in" else "online",
        applicant_user_id=office["resident"].id, idempotency_key=f"h-{n}"), now=when)
    return dossier.case, when


def _play(session, office, case, when, steps):
    admin = office["admin"]
    calendar = calendar_from_db(session)
    for pick, minutes in steps:
        when = when + timedelta(minutes=minutes)
        session.expire_all()
        fresh = session.get(Case, case.id)
        if fresh.state == 10:  # handed over: all that is left is a rating, once
            if not session.scalar(select(CaseEvent.id).where(CaseEvent.case_id == case.id,
                                                             CaseEvent.action == "rated")):
                with write_transaction(session):
                    tally.record_rating(session, fresh, 1 + pick % 5, actor_id=None, at=when)
            continue
        allowed = [a.value for a in available_actions(session, fresh, admin, when)]
        if not allowed:
            continue
        # Mostly forward, sometimes anything (a withdrawal, a refusal, a transfer, a stop).
        forward = [a for a in allowed if a in FORWARD]
        choices = forward if forward and pick % 10 < 7 else allowed
        action = choices[(pick // 10) % len(choices)]
        extra = {}
        if action == "transfer":
            target = office["other"] if fresh.department_id == office["dept"].id else office["dept"]
            extra["to_department_id"] = target.id
        if action == "request_apology":
            _after, latest = apology_window(fresh.due_at, calendar, 30)
            day = local_day(max(fresh.due_at, when)) + timedelta(days=1 + minutes % 9)
            new_due = local_close(day)
            if not (new_due > when and fresh.due_at < new_due <= latest):
                continue
            extra["new_due_at"] = new_due
        if action == "submit_for_approval":  # the petition's own page: the answer with it
            draft_answer(session, case.id, admin, "Trả lời", now=when)
            continue
        perform(session, case.id, action, admin, now=when, note="Ghi chú", **extra)


# -- a plain count, day by day, straight from the events ------------------------------------

def _timeline(session):
    cases = {c.id: c for c in session.scalars(select(Case))}
    events = {}
    for e in session.scalars(select(CaseEvent).order_by(CaseEvent.id)):
        events.setdefault(e.case_id, []).append(e)
    return cases, events


def _as_at(case, events, day: date) -> tuple[bool, bool]:
    """(open, late) at the end of `day`, read by walking the events up to it."""
    state, due, paused, apology = None, None, None, False
    for e in events:
        if local_day(e.at) > day:
            break
        data = event_data(e)
        if e.from_state is None:
            state = 1
            due = next((moment(event_data(x).get("old_due_at")) for x in events
                        if "new_due_at" in event_data(x)), None) or case.due_at
            continue
        if "new_due_at" in data:
            due = moment(data["new_due_at"])
        if e.to_state == 5 and state != 5:
            paused = e.at
        if e.action == "approve_apology":
            apology = True
        state = e.to_state
    if state is None or state not in OPEN_STATES:
        return False, False
    if apology:
        return True, True
    if state == 5:
        return True, paused is not None and due < paused
    return True, state in CLOCK_RUNNING_STATES and local_day(due) <= day


def _plain_answered(session, start: date, end: date) -> dict:
    """Questions and petitions received, answered on time and answered late in the window."""
    cases, events = _timeline(session)
    kind_of = dict(session.execute(select(Petition.case_id, Petition.kind)).all())
    counts = {}
    for case_id, case in cases.items():
        if case.case_type != "petition":
            continue
        mine = counts.setdefault(kind_of[case_id], dict(received=0, on_time=0, late=0))
        story = events.get(case_id, [])
        due = next((moment(event_data(x).get("old_due_at")) for x in story
                    if "new_due_at" in event_data(x)), None) or case.due_at
        apology = False
        for e in story:
            due = moment(event_data(e).get("new_due_at")) or due
            apology = apology or e.action == "approve_apology"
            if not start <= local_day(e.at) <= end:
                continue
            if e.from_state is None:
                mine["received"] += 1
            elif e.to_state == 9 and e.from_state in OPEN_STATES:
                late = apology or timing_of(e.at, due) == LATE
                mine["late" if late else "on_time"] += 1
    return counts


def _plain(session, start: date, end: date) -> dict:
    cases, events = _timeline(session)
    counts = dict(carried=0, received=0, early=0, on_time=0, late=0, withdrawn=0, refused=0,
                  stopped=0, open=0, overdue=0)
    for case_id, case in cases.items():
        if case.case_type != "dossier":
            continue
        mine = events.get(case_id, [])
        counts["carried"] += _as_at(case, mine, start - timedelta(days=1))[0]
        is_open, late = _as_at(case, mine, end)
        counts["open"] += is_open
        counts["overdue"] += late
        due, apology = None, False
        for e in mine:
            data = event_data(e)
            if e.from_state is None:
                due = next((moment(event_data(x).get("old_due_at")) for x in mine
                            if "new_due_at" in event_data(x)), None) or case.due_at
                if start <= local_day(e.at) <= end:
                    counts["received"] += 1
                continue
            if "new_due_at" in data:
                due = moment(data["new_due_at"])
            apology = apology or e.action == "approve_apology"
            if not start <= local_day(e.at) <= end or e.from_state == e.to_state:
                continue
            if e.to_state == 9:
                verdict = LATE if apology else timing_of(e.at, due)
                counts[{"early": "early", "on_time": "on_time", "late": "late"}[verdict]] += 1
            elif e.to_state in (3, 7, 8) and e.from_state in OPEN_STATES:
                counts[{3: "refused", 7: "withdrawn", 8: "stopped"}[e.to_state]] += 1
    return counts


def _report(session, start: date, end: date):
    return stats.report(session, stats.resolve_scope(session),
                        stats.custom_period(start, end, date(2026, 12, 1)), now=FAR_LATER,
                        warning_days=1, calendar=calendar_from_db(session))


def _answered(report) -> dict:
    return {group: dict(received=f.received, on_time=f.answered_on_time, late=f.done_late)
            for (case_type, group), f in report.kinds if case_type == "petition"}


def _figures(report) -> dict:
    f = report.total
    return dict(carried=f.carried_over, received=f.received, early=f.done_early,
                on_time=f.done_on_time, late=f.done_late, withdrawn=f.withdrawn,
                refused=f.refused, stopped=f.stopped, open=f.in_process, overdue=f.overdue)


def test_running_totals_equal_a_recount_on_random_histories(app, session):
    office = _office(session)
    made = [0]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
              print_blob=True)
    @given(stories=st.lists(case_story, min_size=1, max_size=4),
           window=st.tuples(st.integers(0, 80), st.integers(0, 60)))
    def histories(stories, window):
        for story in stories:
            made[0] += 1
            case, when = _make(session, office, story, made[0])
            _play(session, office, case, when, story["steps"])
        assert stored(session) == recount(session)
        start = (BASE + timedelta(days=window[0])).date()
        end = start + timedelta(days=window[1])
        report = _report(session, start, end)
        assert _figures(report) == _plain(session, start, end)
        plain = {kind: counts for kind, counts in _plain_answered(session, start, end).items()
                 if any(counts.values())}
        assert {group: counts for group, counts in _answered(report).items()
                if any(counts.values())} == plain

    histories()


def test_rebuild_puts_back_what_was_lost(app, session, monkeypatch):
    from tests.integration import stats_history

    stats_history.build(session)
    before = stored(session)
    session.execute(CaseTally.__table__.delete())
    session.commit()
    assert stored(session) == {}
    report = rebuild(session)
    assert stored(session) == before
    assert report.cases == session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1))


def test_the_rebuild_command(app, session):
    from tests.integration import stats_history

    stats_history.build(session)
    before = stored(session)
    session.execute(CaseTally.__table__.delete())
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "rebuild", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "recounted" in result.output
    session.expire_all()
    assert stored(session) == before
    again = runner.invoke(args=["stats", "rebuild", "--if-empty"])
    assert "nothing to recount" in again.output
    assert runner.invoke(args=["stats", "rebuild"]).exit_code == 0
    assert stored(session) == before


@only_on("postgresql")
def test_officers_finishing_cases_at_once_count_every_one_once(app, session):
    """Four officers complete cases of one department and procedure at the same moment: they
    add to the same tally rows, in key order, with no deadlock and no lost count."""
    import threading

    from sqlalchemy.orm import Session as OwnSession

    from app.models import User

    office = _office(session)
    when = BASE + timedelta(days=3)
    ids = []
    for n in range(24):
        case, at = _make(session, office, {"kind": "online", "start": 0, "steps": []},
                         f"c{n}")
        for action in ("receive", "start"):
            perform(session, case.id, action, office["admin"], now=when)
        ids.append(case.id)
    engine, admin_id = session.get_bind(), office["admin"].id
    barrier, errors = threading.Barrier(4), []

    def officer(mine):
        with OwnSession(engine) as own:
            admin = own.get(User, admin_id)
            barrier.wait()
            for case_id in mine:
                try:
                    perform(own, case_id, "complete", admin, now=when + timedelta(hours=1))
                except Exception as error:  # noqa: BLE001 - reported below
                    errors.append(repr(error))

    threads = [threading.Thread(target=officer, args=(ids[k::4],)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    session.rollback()
    assert stored(session) == recount(session)
    done = session.scalar(select(func.sum(CaseTally.done_early + CaseTally.done_on_time))
                          .where(CaseTally.level == 1, CaseTally.grain == 2))
    assert done == 24
