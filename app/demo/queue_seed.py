"""Demo work for the case queue: the demo commune's departments, officers, routing rules and
about 300 cases of every type, in every state and due band, each with the event history that
leads to its state, all dated relative to now so the demo never goes stale.

Cases are routed by the same rules the portal uses (app/queue/routing.route), and their events
are written with record_event exactly as perform() would write them, so the history replays:
each event starts in the state the previous one ended in, and the last ends in the case's state.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.seed import DEMO_PASSWORD
from app.demo.units import COMMUNES
from app.models import (AdminUnit, Case, Department, Dossier, OfficerMembership, OfficerSkill,
                        Procedure, Role, RoutingRule, User, utcnow)
from app.passwords import hash_password
from app.queue.calendar import LOCAL_TZ, WorkCalendar, local_day
from app.queue.calendar_db import calendar_from_db
from app.queue.events import record_event
from app.queue import kinds
from app.queue.routing import new_case_code, route
from app.text import fold

# (code suffix, vi, en, case types, leader, [(name, desk, skills, status)])
# status: "" on duty, "leave" on leave this week, "off" not on duty.
DEPARTMENTS = [
    ("TP", "Tư pháp – Hộ tịch", "Justice & Civil Status", "dossier,petition",
     "Đỗ Thị Hương",
     [("Bùi Quang Huy", "intake", ["civil_status", "certification", "petition"], ""),
      ("Vũ Minh Tuấn", "specialist", ["civil_status", "certification", "petition"], ""),
      ("Ngô Thị Thu", "specialist", ["civil_status", "residence", "petition"], "leave")]),
    ("DC", "Địa chính – Xây dựng", "Land & Construction", "dossier,petition,field_report",
     "Phan Văn Đức",
     [("Hoàng Thị Mai", "intake", ["land", "construction", "field_report"], ""),
      ("Đặng Văn Long", "specialist", ["land", "construction", "petition"], ""),
      ("Lý Văn Thắng", "specialist", ["construction", "field_report"], ""),
      ("Trương Thị Loan", "specialist", ["land", "field_report"], "off")]),
    ("VHXH", "Văn hóa – Xã hội", "Culture & Social", "dossier,initiative,village_need,petition",
     "Trịnh Thị Ngọc",
     [("Mai Thị Hạnh", "intake", ["social_support", "initiative", "village_need"], ""),
      ("Dương Văn Khoa", "specialist", ["social_support", "village_need", "initiative"], "")]),
]

# (case type, category, department code suffix or None for the one-stop desk, mode)
RULES = [
    ("dossier", None, None, "assign"),  # the one-stop desk takes every dossier by default
    ("dossier", "land", "DC", "pull"),
    ("dossier", "construction", "DC", "pull"),
    ("dossier", "social_support", "VHXH", "assign"),
    ("petition", None, "TP", "pull"),
    ("petition", "land", "DC", "pull"),
    ("field_report", None, "DC", "pull"),
    ("initiative", None, "VHXH", "pull"),
    ("village_need", None, "VHXH", "pull"),
]

# category -> (titles, processing times in working days)
CATALOGUE = {
    "civil_status": (["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử",
                      "Cấp bản sao trích lục hộ tịch", "Xác nhận tình trạng hôn nhân",
                      "Đăng ký nhận cha, mẹ, con"], (0, 1, 3, 5)),
    "residence": (["Đăng ký thường trú", "Đăng ký tạm trú", "Xóa đăng ký thường trú",
                   "Điều chỉnh thông tin về cư trú"], (3, 5, 7)),
    "certification": (["Chứng thực bản sao từ bản chính", "Chứng thực chữ ký",
                       "Chứng thực hợp đồng, giao dịch"], (0, 1, 2)),
    "land": (["Đăng ký biến động đất đai", "Xác nhận nguồn gốc sử dụng đất",
              "Hòa giải tranh chấp đất đai"], (10, 15, 30)),
    "construction": (["Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xác nhận hiện trạng công trình",
                      "Thông báo khởi công xây dựng"], (7, 15)),
    "social_support": (["Trợ cấp xã hội hằng tháng cho người cao tuổi",
                        "Hỗ trợ hộ nghèo sửa chữa nhà ở", "Cấp thẻ BHYT cho trẻ em dưới 6 tuổi",
                        "Hỗ trợ chi phí mai táng"], (7, 10, 20)),
    "petition": (["Phản ánh việc giải quyết hồ sơ chậm", "Kiến nghị về thu phí chợ",
                  "Phản ánh tiếng ồn karaoke ban đêm", "Kiến nghị mở rộng giờ tiếp dân"],
                 (10, 15)),
    "field_report": (["Ổ gà lớn trên đường liên thôn", "Cống thoát nước bị tắc sau mưa",
                      "Đèn đường hỏng ở ngã ba", "Rác thải đổ trộm ven suối",
                      "Cây đổ chắn đường vào trường"], (3, 5)),
    "initiative": (["Trả lời sáng kiến: tủ sách thiếu nhi ở nhà văn hóa",
                    "Trả lời sáng kiến: tuyến đường hoa thôn Tân Lập",
                    "Trả lời sáng kiến: lớp bơi an toàn mùa hè"], (15,)),
    "village_need": (["Đề nghị hỗ trợ sửa nhà văn hóa thôn", "Đề nghị hỗ trợ máy bơm chống hạn",
                      "Đề nghị lắp camera an ninh đầu thôn"], (10,)),
}

# How many cases of each kind; the states are dealt round-robin from STATE_CYCLE so every
# state shows up for every kind of work that has enough cases.
# Dossiers only in the fields the demo catalogue has procedures for: every dossier case gets
# its procedure and its `dossiers` row, as a real submission would.
# Initiatives and village needs reach the queue through their own demo (app/demo/community*.py),
# the way real ones do: an initiative past its threshold, a need that asked for help.
MIX = [("dossier", "civil_status", 80), ("dossier", "residence", 30),
       ("dossier", "certification", 30), ("dossier", "social_support", 30),
       ("petition", "petition", 45), ("petition", "land", 25)]
# Field reports reach the queue through their own demo (app/demo/reports.py), made the way a
# resident makes one, so each has its report, its place and its public page.
STATE_CYCLE = [2, 4, 10, 1, 4, 9, 5, 2, 10, 6, 4, 3, 10, 1, 7, 8, 4, 10, 2, 9]
BANDS = ["overdue", "almost", "fine", "fine"]

_OPEN = (1, 2, 4, 5, 6)
# Applicants who came to the desk without an account.
_NAMES = ["Nguyễn Văn Hùng", "Trần Thị Hoa", "Lê Văn Tám", "Phạm Thị Lan", "Hoàng Văn Sơn",
          "Vũ Thị Thu", "Đặng Văn Long", "Bùi Thị Mai", "Đỗ Văn Khánh", "Ngô Thị Hằng"]
_NOTES = {
    "refuse": "Hồ sơ không thuộc thẩm quyền giải quyết của xã.",
    "request_supplement": "Đề nghị bổ sung bản sao giấy tờ tùy thân còn hiệu lực.",
    "stop": "Người dân đề nghị dừng để hoàn thiện giấy tờ khác.",
    "withdraw": "Công dân đến Bộ phận Một cửa xin rút hồ sơ.",
}


@dataclass
class _Desk:
    department: Department
    mode_by_rule: dict = field(default_factory=dict)
    intake: list[User] = field(default_factory=list)
    specialists: list[tuple[User, set[str]]] = field(default_factory=list)
    leader: User | None = None
    away: set[int] = field(default_factory=set)  # on leave: their queue work was handed back

    def specialist_for(self, category: str, rng: random.Random, *, present: bool) -> User:
        able = [u for u, skills in self.specialists
                if category in skills and not (present and u.id in self.away)]
        return rng.choice(able) if able else (self.leader or self.intake[0])

    def intake_officer(self, rng: random.Random) -> User:
        return rng.choice(self.intake) if self.intake else self.specialist_for("", rng,
                                                                                 present=True)


def _email(name: str) -> str:
    """'Vũ Minh Tuấn' -> 'tuan.vm@conglang.demo', the way commune staff addresses look."""
    parts = fold(name).split()
    return f"{parts[-1]}.{''.join(p[0] for p in parts[:-1])}@conglang.demo"


def _seed_departments(session: Session, commune: AdminUnit, people: dict[str, User],
                      today: date) -> dict[str | None, _Desk]:
    password = hash_password(DEMO_PASSWORD)  # once: Argon2 is slow on purpose
    desks: dict[str | None, _Desk] = {}
    for suffix, vi, en, case_types, leader_name, staff in DEPARTMENTS:
        leader = User(full_name=leader_name, email=_email(leader_name), role=Role.LEADER.value,
                      password_hash=password, commune_id=commune.id)
        session.add(leader)
        session.flush()
        dept = Department(unit_id=commune.id, code=f"{commune.code}-{suffix}", name_vi=vi,
                          name_en=en, case_types=case_types, leader_id=leader.id)
        session.add(dept)
        session.flush()
        session.add(OfficerMembership(user_id=leader.id, department_id=dept.id, desk="leader"))
        desk = _Desk(dept, leader=leader)
        for name, seat, skills, status in staff:
            user = User(full_name=name, email=_email(name), role=Role.OFFICER.value,
                        password_hash=password, commune_id=commune.id)
            session.add(user)
            session.flush()
            membership = OfficerMembership(
                user_id=user.id, department_id=dept.id, desk=seat, on_duty=status != "off",
                leave_from=today - timedelta(days=1) if status == "leave" else None,
                leave_until=today + timedelta(days=5) if status == "leave" else None)
            membership.skills = [OfficerSkill(skill=s) for s in skills]
            session.add(membership)
            if status == "leave":
                desk.away.add(user.id)
            if seat == "intake":
                desk.intake.append(user)
            else:
                desk.specialists.append((user, set(skills)))
        desks[suffix] = desk

    one_stop = _one_stop(session, commune)
    desks[None] = _Desk(one_stop, intake=[people["intake"]],
                        specialists=[(people["specialist"],
                                      {"civil_status", "residence", "certification"})],
                        leader=people["leader"])
    session.flush()
    return desks


def _one_stop(session: Session, commune: AdminUnit) -> Department:
    return session.scalar(select(Department).where(Department.code == f"{commune.code}-MC"))


def _seed_rules(session: Session, commune: AdminUnit, desks: dict) -> int:
    for case_type, category, suffix, mode in RULES:
        session.add(RoutingRule(case_type=case_type, category=category, unit_id=commune.id,
                                department_id=desks[suffix].department.id, mode=mode))
    session.flush()
    return len(RULES)


# -- dates -----------------------------------------------------------------------------------

def _working_day_on_or_before(cal: WorkCalendar, day: date) -> date:
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    return day


def _back(cal: WorkCalendar, day: date, working_days: int) -> date:
    for _ in range(working_days):
        day -= timedelta(days=1)
        while not cal.is_working_day(day):
            day -= timedelta(days=1)
    return day


def _at(day: date, rng: random.Random) -> datetime:
    minutes = rng.randint(7 * 60 + 30, 16 * 60 + 30)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=LOCAL_TZ)


def _received(cal: WorkCalendar, now: datetime, sla: int, state: int, band: str,
              rng: random.Random) -> datetime:
    """A receipt time that puts the case's deadline in `band` (for open cases), or safely in
    the past (for finished ones)."""
    base = _working_day_on_or_before(cal, local_day(now))
    if state not in _OPEN:
        back = sla + rng.randint(3, 40)
    elif band == "overdue":
        back = sla + rng.randint(1, 4)
    elif band == "almost":
        back = max(sla - 1, 0)
    else:
        back = max(sla - 3 - rng.randint(0, 2), 0)
    received = _at(_back(cal, base, back), rng)
    return min(received, now - timedelta(minutes=rng.randint(20, 90)))


def _times(start: datetime, end: datetime, count: int, rng: random.Random) -> list[datetime]:
    """`count` moments after `start`, in order, none after `end`."""
    span = max((end - start).total_seconds(), 60.0)
    offsets = sorted(rng.uniform(60, span) for _ in range(count))
    return [start + timedelta(seconds=s) for s in offsets]


# -- histories --------------------------------------------------------------------------------

def _path(state: int, mode: str, requires_approval: bool, pending: bool, rng: random.Random,
          supplements: bool = True):
    """(action, to_state, who) steps after "submitted"; who is intake/officer/leader/applicant.
    Claims and releases (from == to) sit where the officer took the case or gave it back.
    `supplements`: whether the kind asks the applicant for papers at all."""
    assign = [("assign", 1, None)] if mode == "assign" else [("claim", 1, "intake")]
    received = assign + [("receive", 2, "intake")]
    # Intake hands the file on: it goes back to the queue for a specialist to claim (whether
    # routing or a claim gave it to intake), so no claim ever follows a claim.
    handed = received + [("release", 2, "intake")]
    started = handed + [("claim", 2, "officer"), ("start", 4, "officer")]
    if rng.random() < 0.25 and supplements:
        started += [("request_supplement", 5, "officer"), ("supplement_provided", 4, "applicant")]
    finished = started + ([("submit_for_approval", 4, "officer"), ("approve", 9, "leader")]
                          if requires_approval else [("complete", 9, "officer")])
    return {
        1: assign if mode == "assign" else [],
        2: handed if mode == "assign" or rng.random() < 0.5 else received,
        3: assign + [("refuse", 3, "intake")],
        4: started + ([("submit_for_approval", 4, "officer")] if pending else []),
        5: started + [("request_supplement", 5, "officer")],
        6: started + [("request_fees", 6, "officer")],
        7: handed + [("withdraw", 7, "applicant")],
        8: started + [("stop", 8, "officer")],
        9: finished,
        10: finished + [("return_result", 10, "intake")],
    }[state]


@dataclass
class _Plan:
    case_type: str
    category: str
    state: int
    band: str


def _reachable(case_type: str, state: int) -> int:
    """The state dealt, or the nearest one the kind can reach: a petition never waits for
    papers or fees (5, 6: still processing) and ends when its answer is done (10: 9)."""
    allowed = kinds.actions_for(case_type)
    if allowed is None:
        return state
    if state in (5, 6) and not {"request_supplement", "request_fees"} <= allowed:
        return 4
    if state == 10 and "return_result" not in allowed:
        return 9
    return state


def _plans(rng: random.Random) -> list[_Plan]:
    plans, n = [], 0
    for case_type, category, count in MIX:
        for _ in range(count):
            plans.append(_Plan(case_type, category,
                               _reachable(case_type, STATE_CYCLE[n % len(STATE_CYCLE)]),
                               BANDS[(n // len(STATE_CYCLE)) % len(BANDS)]))
            n += 1
    # Every open state in every band, whatever the mix above happens to deal.
    for state in _OPEN:
        for band in ("overdue", "almost", "fine"):
            plans.append(_Plan("dossier", "civil_status", state, band))
    # The one-stop desk's specialist always finds received dossiers to claim, overdue first.
    for band in ("overdue", "overdue", "almost", "fine", "fine", "fine"):
        plans.append(_Plan("dossier", rng.choice(["civil_status", "certification",
                                                  "residence"]), 2, band))
    return plans


def seed_queue(session: Session, units: dict[str, AdminUnit], people: dict[str, User],
               *, now: datetime | None = None, seed: int = 2026) -> dict[str, int]:
    """Departments, staff, rules and cases for the demo commune; returns counts. No commit."""
    rng = random.Random(seed)
    now = now or utcnow()
    commune = units[COMMUNES[1][0]]
    villages = [u for code, u in units.items() if code.startswith(commune.code + "-")]
    session.flush()
    cal = calendar_from_db(session)
    today = local_day(now)
    desks = _seed_departments(session, commune, people, today)
    rules = _seed_rules(session, commune, desks)
    by_department = {d.department.id: d for d in desks.values()}
    resident = people.get("resident")
    procedures: dict[str, list[Procedure]] = {}
    for procedure in session.scalars(select(Procedure).where(Procedure.active)
                                     .order_by(Procedure.code)):
        procedures.setdefault(procedure.field.category, []).append(procedure)

    planned: list[tuple[Case, list]] = []
    codes: set[str] = set()
    for plan in _plans(rng):
        titles, slas = CATALOGUE[plan.category]
        sla = rng.choice(slas)
        if plan.band == "almost" and sla == 0:
            sla = 1  # a same-day procedure cannot be "due tomorrow"
        village = rng.choice(villages)
        decision = route(session, case_type=plan.case_type, category=plan.category,
                         unit_id=village.id)
        desk = by_department[decision.department_id]
        requires_approval = plan.case_type == "dossier" and rng.random() < 0.3
        # A petition's answer always goes through a leader (app/petitions/answers.py).
        requires_approval = requires_approval or plan.case_type == "petition"
        pending = plan.state == 4 and requires_approval and rng.random() < 0.5
        allowed = kinds.actions_for(plan.case_type)
        steps = _path(plan.state, decision.mode, requires_approval, pending, rng,
                      supplements=allowed is None or "request_supplement" in allowed)

        received_at = _received(cal, now, sla, plan.state, plan.band, rng)
        due_at = cal.add_working_days(received_at, sla)
        finished = plan.state in (3, 7, 8, 9, 10)
        if finished:
            late = rng.random() < 0.15
            end = due_at + timedelta(hours=rng.randint(2, 60)) if late else due_at
            end = min(end, now - timedelta(hours=1))
        else:
            end = now - timedelta(minutes=5)
        times = _times(received_at, end, len(steps), rng)

        code = new_case_code(plan.case_type, received_at)
        while code in codes:
            code = new_case_code(plan.case_type, received_at)
        codes.add(code)
        applicant = resident if (resident is not None and plan.case_type == "dossier"
                                 and rng.random() < 0.15) else None
        procedure = (rng.choice(procedures[plan.category]) if plan.case_type == "dossier"
                     else None)
        title = procedure.name_vi if procedure is not None else rng.choice(titles)
        case = Case(code=code, case_type=plan.case_type, category=plan.category,
                    title=f"{title} – {village.name_vi}", unit_id=village.id,
                    procedure_id=procedure.id if procedure is not None else None,
                    department_id=desk.department.id, state=1, sla_days=sla,
                    priority=rng.choices((0, 1, 2), (80, 15, 5))[0],
                    received_at=received_at, due_at=due_at, requires_approval=requires_approval,
                    applicant_id=applicant.id if applicant else None, created_at=received_at,
                    updated_at=received_at)
        history = [("submitted", case.applicant_id, None, 1, None, None, received_at)]

        intake = desk.intake_officer(rng)
        officer = desk.specialist_for(plan.category, rng, present=plan.state in (1, 2, 4))
        actors = {"intake": intake.id, "officer": officer.id,
                  "leader": (desk.leader or officer).id, "applicant": case.applicant_id}
        state, assignee, claimed_at, leased = 1, None, None, False
        for (action, to_state, who), at in zip(steps, times):
            actor_id = actors[who] if who else None
            note = _NOTES.get(action)
            data = None
            if action == "assign":
                assignee, claimed_at, leased = intake.id, at, False
                data = {"rule_id": decision.rule_id, "department_id": desk.department.id,
                        "assignee_id": intake.id}
            elif action == "claim":
                assignee, claimed_at, leased = actor_id, at, True
            elif action == "release":
                data = {"assignee_id": assignee}
                assignee, claimed_at, leased = None, None, False
            elif action == "start":
                leased = False  # the officer owns started work
            elif action == "withdraw":
                if actor_id is None:  # recorded at the desk for a resident without an account
                    data = {"on_behalf_of_applicant": True}
                    actor_id = intake.id
                else:
                    note = None
            elif action == "supplement_provided" and actor_id is None:
                actor_id = officer.id  # the resident brought the papers to the desk
            if action == "request_supplement":
                case.paused_at = at
            elif action == "supplement_provided":
                paused, old_due = case.paused_at, case.due_at
                case.due_at = cal.extend_for_pause(case.due_at, paused, at)
                # What perform() records when the clock restarts (app/queue/actions._clock).
                data = {"paused_at": paused.isoformat(),
                        "paused_working_days": cal.working_days_between(paused, at),
                        "old_due_at": old_due.isoformat(), "new_due_at": case.due_at.isoformat()}
                case.paused_at = None
            elif action == "submit_for_approval":
                case.pending_approval = True
            elif action == "approve":
                case.pending_approval = False
            if to_state in (3, 7, 8, 9) and case.finished_at is None:
                case.finished_at = at
            history.append((action, actor_id, state, to_state, note, data, at))
            state = to_state
            case.updated_at = at
        case.state = state
        case.assignee_id = assignee
        case.claimed_at = claimed_at
        # Claimed but not yet started: the lease is running. Started work, routed assignments
        # and finished cases carry none.
        if leased and assignee is not None and state in (1, 2):
            case.lease_until = now + timedelta(minutes=rng.randint(30, 110))
        dossier = None
        if procedure is not None:
            online = applicant is not None
            dossier = Dossier(procedure_id=procedure.id, channel="online" if online else "walk_in",
                              applicant_name=applicant.full_name if online else rng.choice(_NAMES),
                              applicant_phone=applicant.phone if online
                              else f"09{rng.randint(10000000, 99999999)}",
                              form_data={}, created_at=received_at)
        if plan.case_type == "petition":
            # Its petition row, as a real one has (app/demo/petitions.py); private.
            from app.demo.petitions import queue_petition

            dossier = queue_petition(session, case, village.parent_id, rng.choice(_NAMES),
                                     f"09{rng.randint(10000000, 99999999)}")
        planned.append((case, history, dossier))

    # One flush for all cases, then their histories: per-case flushes made `make test` slower
    # for every test that loads the demo.
    session.add_all(case for case, _, _ in planned)
    session.flush()
    for case, _, dossier in planned:
        if dossier is not None:
            dossier.case_id = case.id
            session.add(dossier)
    for case, history, _ in planned:
        for action, actor_id, from_state, to_state, note, data, at in history:
            record_event(session, case, action, actor_id=actor_id, from_state=from_state,
                         to_state=to_state, note=note, data=data, at=at)
    session.flush()
    cases = len(planned)
    events = sum(len(history) for _, history, _ in planned)
    officers = sum(len(staff) + 1 for *_rest, staff in DEPARTMENTS)
    return {"departments": len(DEPARTMENTS), "officers": officers, "routing_rules": rules,
            "cases": cases, "case_events": events}
