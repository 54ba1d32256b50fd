"""Who may use which route: a small world with one person per role, and the table of answers.

The table lists every endpoint of the app's URL map with the answer each role gets, so a new
route cannot ship without someone deciding who may use it (tests/integration/
test_access_matrix.py fails until it has a row here). The fuzzer (test_fuzz_routes.py) builds
the same world and uses the table to spend most of its examples on roles that get past the
gate.

Outcomes:
  ok         2xx, or a redirect that stays on the site (not to the login page)
  login      a redirect to the login page
  forbidden  403
  not_found  404
  allowed    past the access gate: ok, or the empty request is refused (400/409) — used for
             POST-only routes probed with a valid CSRF token and an empty body, where "refused
             for lack of input" and "done" both prove the role was let in
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

from tests.checked_client import CheckedClient

PASSWORD = "matrix-password-1"
ROLES = ("anonymous", "resident", "officer_same_dept", "officer_other_dept", "leader", "admin")
OUTCOMES = {"ok", "login", "forbidden", "not_found", "allowed"}


@dataclass
class World:
    """Ids of the rows a URL argument can point at, and how each role logs in."""

    province_id: int
    commune_id: int
    village_id: int
    dept_a_id: int
    dept_b_id: int
    case_id: int              # department A, processing, held by officer_same_dept
    waiting_case_id: int      # department A, submitted, unassigned (something to claim)
    apology_case_id: int      # department A, with an approved apology letter
    rule_id: int
    day_id: int
    seat_id: int              # officer_same_dept's seat in department A
    procedure_code: str       # an active procedure in the catalogue
    procedure_id: int
    document_id: int          # one of its documents (no blank form attached)
    field_id: int             # its field of law
    message_id: int           # an undeliverable notification in the outbox
    logins: dict[str, str] = field(default_factory=dict)  # role -> identifier
    user_ids: dict[str, int] = field(default_factory=dict)
    draft_id: int = 0         # the resident's online draft of the procedure
    file_id: int = 0          # a PDF the resident sent with `case_id` (in their papers too)
    refused_case_id: int = 0  # department A, a dossier refused at the desk (Mẫu 03)
    # "Ba Nhà": the resident's verified partner, its pledge to an accepted initiative of the
    # commune, and a partner of the commune waiting for verification.
    partner_id: int = 0
    pending_partner_id: int = 0
    pledge_id: int = 0
    pledge_initiative_id: int = 0
    need_id: int = 0          # an open village need of the commune's village, with one item
    initiative_id: int = 0    # the resident's published initiative in the commune (a photo)
    # Desk appointments: the commune desk's opening (weekdays 08:00–11:00) and a closure ahead,
    # and the resident's booking ten days ahead.
    appointment_id: int = 0
    opening_id: int = 0
    closure_id: int = 0
    # Village notices (issue 10): an announcement of the commune's village with a PDF, a flood
    # alert in force there (posted by officer_same_dept), and the resident's unsubscribe link.
    announcement_id: int = 0
    alert_id: int = 0
    unsubscribe_token: str = ""
    # Field reports (issue 10): the resident's report with one photo, a case of department A
    # being processed by officer_same_dept; a category with a question and a route; an
    # Open311 API key.
    report_id: int = 0
    report_code: str = ""
    category_id: int = 0
    attribute_id: int = 0
    report_route_id: int = 0
    api_key_id: int = 0
    api_key: str = ""         # the key itself (its hash is stored), for the fuzzer's posts
    commune_code: str = ""
    # Petitions (issue 11): the resident's public question in department A, answered and
    # approved, with a PDF; another being answered by officer_same_dept; one held for a
    # moderator; a topic; a published voters' meeting; a coming reception session.
    petition_id: int = 0
    petition_case_id: int = 0
    held_petition_id: int = 0
    attachment_id: int = 0
    topic_id: int = 0
    meeting_id: int = 0
    reception_id: int = 0

    def url_args(self, endpoint: str) -> dict[str, object]:
        """A value for every URL argument a route of the app can take."""
        args = {
            "case_id": self.case_id, "department_id": self.dept_a_id,
            "user_id": self.user_ids["officer_same_dept"], "membership_id": self.seat_id,
            "rule_id": self.rule_id, "day_id": self.day_id, "unit_id": self.commune_id,
            "token": "not-a-real-token", "action": "approve", "filename": "css/app.css",
            "code": self.procedure_code, "procedure_id": self.procedure_id,
            "document_id": self.document_id, "field_id": self.field_id,
            "message_id": self.message_id, "direction": "down", "draft_id": self.draft_id,
            "file_id": self.file_id, "need_id": self.need_id, "initiative_id": self.initiative_id,
        }
        if endpoint == "workbench.apology_letter":
            args["case_id"] = self.apology_case_id
        if endpoint == "desk.refusal_slip":
            args["case_id"] = self.refused_case_id
        args.update(petition_id=self.petition_id, attachment_id=self.attachment_id,
                    topic_id=self.topic_id, meeting_id=self.meeting_id,
                    session_id=self.reception_id)
        if endpoint == "petitions.answer":
            args["case_id"] = self.petition_case_id
        if endpoint == "petitions.moderate":
            args["petition_id"] = self.held_petition_id
        args.update(partner_id=self.partner_id, pledge_id=self.pledge_id)
        args.update(appointment_id=self.appointment_id, opening_id=self.opening_id,
                    closure_id=self.closure_id)
        args.update(report_id=self.report_id, position=1, category_id=self.category_id,
                    attribute_id=self.attribute_id, route_id=self.report_route_id,
                    key_id=self.api_key_id, service_code="cay-do",
                    service_request_id=self.report_code, fmt="json")
        if endpoint in ("reports.answer", "reports.merge"):
            args["case_id"] = self.report_id
        args.setdefault("initiative_id", self.pledge_initiative_id)
        if endpoint in ("community.verify_partner", "community.refuse_partner"):
            args["partner_id"] = self.pending_partner_id
        args.update(announcement_id=self.announcement_id, alert_id=self.alert_id)
        if endpoint.startswith("village.unsubscribe"):
            args["token"] = self.unsubscribe_token
        return args


def build_world(session) -> World:
    """A province, a commune with a village, two departments each with an officer, a leader of
    department A, an administrator and a resident with a case in department A."""
    from sqlalchemy import select

    from app.models import (CalendarDay, CaseEvent, OfficerMembership, OutboxMessage,
                            ProcedureDocument, RoutingRule)
    from tests.factories import (make_case, make_department, make_officer, make_procedure,
                                 make_unit, make_user)

    province = make_unit(session, level="province")
    commune = make_unit(session, level="commune", parent=province)
    village = make_unit(session, level="village", parent=commune)
    dept_a = make_department(session, commune, case_types="dossier,petition")
    dept_b = make_department(session, commune, case_types="dossier,petition")
    skills = ["civil_status", "residence", "petition"]
    officer_a = make_officer(session, dept_a, desk="specialist", skills=skills, password=PASSWORD)
    officer_b = make_officer(session, dept_b, desk="specialist", skills=skills, password=PASSWORD)
    leader = make_officer(session, dept_a, desk="leader", lead=True, password=PASSWORD)
    admin = make_user(session, role="admin", password=PASSWORD)
    resident = make_user(session, role="resident", password=PASSWORD, commune=commune)
    case = make_case(session, dept_a, state=4, assignee=officer_a, applicant=resident,
                     due_at=datetime.now(timezone.utc) + timedelta(days=30))
    waiting = make_case(session, dept_a, state=1, applicant=resident,
                        due_at=datetime.now(timezone.utc) + timedelta(days=10))
    old_due = datetime(2026, 3, 9, 10, 0, tzinfo=timezone.utc)
    approved_at = datetime(2026, 3, 6, 3, 0, tzinfo=timezone.utc)
    apology = make_case(session, dept_a, state=4, assignee=officer_a, applicant=resident,
                        due_at=old_due + timedelta(days=7), apology_approved_at=approved_at)
    session.add_all([
        CaseEvent(case_id=apology.id, actor_id=officer_a.id, action="request_apology",
                  from_state=4, to_state=4, note="Chờ xác minh",
                  at=approved_at - timedelta(hours=2)),
        CaseEvent(case_id=apology.id, actor_id=leader.id, action="approve_apology",
                  from_state=4, to_state=4, data={"old_due_at": old_due.isoformat()},
                  at=approved_at),
    ])
    rule = RoutingRule(case_type="dossier", category="civil_status", unit_id=commune.id,
                       department_id=dept_a.id, mode="assign", active=True)
    day = CalendarDay(day=date(2026, 12, 24), kind="holiday", name_vi="Nghỉ thử",
                      name_en="Test day off")
    procedure = make_procedure(session)
    document = ProcedureDocument(procedure_id=procedure.id, position=1, name_vi="Tờ khai",
                                 name_en="Declaration", original_or_copy="original", copies=1,
                                 upload_required=True)
    from app.models import Dossier

    session.add(Dossier(case_id=case.id, procedure_id=procedure.id, channel="online",
                        applicant_name="Người Nộp Thử", applicant_phone="0912000111"))
    # The dossier was once sent back for papers (Mẫu 02); another was refused at the desk (Mẫu 03).
    asked_at = datetime.now(timezone.utc) - timedelta(days=3)
    session.add_all([
        CaseEvent(case_id=case.id, actor_id=officer_a.id, action="request_supplement",
                  from_state=4, to_state=5, note="Bản sao giấy khai sinh", at=asked_at),
        CaseEvent(case_id=case.id, actor_id=officer_a.id, action="supplement_provided",
                  from_state=5, to_state=4, at=asked_at + timedelta(days=1))])
    refused = make_case(session, dept_a, state=3, applicant=resident,
                        due_at=datetime.now(timezone.utc) + timedelta(days=5))
    session.add_all([
        Dossier(case_id=refused.id, procedure_id=procedure.id, channel="online",
                applicant_name="Người Nộp Thử", applicant_phone="0912000111"),
        CaseEvent(case_id=refused.id, actor_id=leader.id, action="refuse", from_state=1,
                  to_state=3, note="Thiếu tờ khai", at=asked_at)])
    message = OutboxMessage(channel="sms", recipient="0912345678", subject="Thử", body="Thử",
                            status="undeliverable", last_error="no SMS gateway")
    session.add_all([rule, day, document, message])
    session.flush()
    from app.models import DossierDraft

    draft = DossierDraft(user_id=resident.id, procedure_id=procedure.id, unit_id=commune.id,
                         applicant_name="Người Nộp Thử", applicant_phone="0912000111",
                         form_data={}, idempotency_key="matrix-draft-key")
    session.add(draft)
    from app.dossiers.files import Upload, file_row, store_uploads
    from app.storage import file_store

    stored = store_uploads(file_store(), [Upload(b"%PDF-1.4 world", "Căn cước.pdf")])[0]
    paper = file_row(stored, purpose="submission", uploaded_by_id=resident.id,
                     owner_id=resident.id, case_id=case.id, paper_type="cccd")
    session.add(paper)
    session.flush()
    from app.models import VillageNeed, VillageNeedItem

    need = VillageNeed(unit_id=commune.id, village_id=village.id, posted_by_id=officer_a.id,
                       title="Sửa cầu tre", description="Cầu tre bị gãy", category="roads",
                       search_text="sua cau tre")
    need.items = [VillageNeedItem(description="Tre", quantity=50, unit_label="cây")]
    session.add(need)
    from app.models import Initiative

    initiative = Initiative(author_id=resident.id, unit_id=commune.id, village_id=village.id,
                            category="roads", title="Sửa đường thôn", description="Đường hỏng.",
                            status="published", search_text="sua duong thon duong hong",
                            photo_key=file_store().save(b"\x89PNG\r\n\x1a\n world", "community"),
                            photo_kind="png", published_at=datetime.now(timezone.utc))
    session.add(initiative)
    session.flush()
    seat_id = session.scalar(select(OfficerMembership.id).where(
        OfficerMembership.user_id == officer_a.id, OfficerMembership.department_id == dept_a.id))
    partners = _partners_world(session, commune, resident)
    partners.update(_appointments_world(session, commune, resident, procedure))
    notices = _notices_world(session, commune, village, officer_a, resident)
    reports = _reports_world(session, commune, dept_a, officer_a, resident)
    partners.update(_petitions_world(session, commune, dept_a, officer_a, leader, resident))
    session.commit()
    people = {"resident": resident, "officer_same_dept": officer_a,
              "officer_other_dept": officer_b, "leader": leader, "admin": admin}
    return World(
        province_id=province.id, commune_id=commune.id, village_id=village.id,
        dept_a_id=dept_a.id, dept_b_id=dept_b.id, case_id=case.id, waiting_case_id=waiting.id,
        apology_case_id=apology.id, rule_id=rule.id, day_id=day.id, seat_id=seat_id,
        procedure_code=procedure.code, procedure_id=procedure.id, document_id=document.id,
        field_id=procedure.field_id, message_id=message.id, draft_id=draft.id,
        logins={role: (u.phone or u.email) for role, u in people.items()},
        user_ids={role: u.id for role, u in people.items()}, file_id=paper.id,
        refused_case_id=refused.id, need_id=need.id, initiative_id=initiative.id,
        **partners, **notices, **reports)


def _notices_world(session, commune, village, officer, resident) -> dict:
    """An announcement with a PDF and a flood alert for the village, and the resident's
    subscription with its unsubscribe link."""
    from app.models import Alert, AlertArea, Announcement, VillageSubscription
    from app.storage import file_store
    from app.village.subscriptions import unsubscribe_token

    now = datetime.now(timezone.utc)
    announcement = Announcement(
        unit_id=commune.id, village_id=village.id, posted_by_id=officer.id, category="meeting",
        title_vi="Họp thôn", body_vi="Họp lúc 19 giờ.", valid_from=now.date(),
        search_text="hop thon", attachment_key=file_store().save(b"%PDF-1.4 world",
                                                                 "announcements"),
        attachment_kind="pdf", attachment_name="lich-hop.pdf")
    alert = Alert(hazard="flood", severity="warning", title_vi="Lũ", body_vi="Tránh xa sông.",
                  issued_by_id=officer.id, issued_at=now, expires_at=now + timedelta(days=1))
    alert.areas = [AlertArea(unit_id=village.id, ends_at=alert.expires_at)]
    session.add_all([announcement, alert,
                     VillageSubscription(user_id=resident.id, unit_id=commune.id)])
    session.flush()
    return {"announcement_id": announcement.id, "alert_id": alert.id,
            "unsubscribe_token": unsubscribe_token(resident.id)}


def _reports_world(session, commune, dept, officer, resident) -> dict:
    """A fallen-tree category (one question, a route to department A in the commune), an
    Open311 key, and the resident's report with a photo, being processed by the officer."""
    from app.models import (ApiKey, FieldReport, FieldReportPhoto, ReportAttribute,
                            ReportCategory, ReportRoute)
    from app.storage import file_store
    from tests.factories import make_case

    category = ReportCategory(code="cay-do", name_vi="Cây đổ", name_en="Fallen tree",
                              sla_days=2)
    category.attributes = [ReportAttribute(
        code="blocking", datatype="singlevaluelist", required=True, position=1,
        description_vi="Có chắn lối đi không?", description_en="Does it block the way?",
        choices=[{"key": "co", "name_vi": "Có", "name_en": "Yes"},
                 {"key": "khong", "name_vi": "Không", "name_en": "No"}])]
    session.add(category)
    session.flush()
    route = ReportRoute(category_id=category.id, unit_id=commune.id, department_id=dept.id)
    import hashlib

    secret = "cl_matrix-world-key-0123456789abcdefghijklmnopqrstuv"
    key = ApiKey(name="Ứng dụng Thử", key_hash=hashlib.sha256(secret.encode()).hexdigest(),
                 prefix=secret[:10])
    case = make_case(session, dept, state=4, assignee=officer, applicant=resident,
                     case_type="field_report", category="field_report", code="HT-261101-ABCDEF",
                     due_at=datetime.now(timezone.utc) + timedelta(days=5))
    report = FieldReport(case_id=case.id, category_id=category.id, commune_id=commune.id,
                         reporter_id=resident.id, description="Cây đổ chắn đường.",
                         lat=21.5862, lng=105.8141, location_source="typed",
                         attributes={"blocking": "co"}, search_text="cay do chan duong")
    report.photos = [FieldReportPhoto(position=1, key=file_store().save(
        b"\xff\xd8\xff world photo", "reports"), width=10, height=10, size=20)]
    session.add_all([route, key, report])
    session.flush()
    return {"report_id": case.id, "report_code": case.code, "category_id": category.id,
            "attribute_id": category.attributes[0].id, "report_route_id": route.id,
            "api_key_id": key.id, "api_key": secret, "commune_code": commune.code}


def _partners_world(session, commune, resident) -> dict[str, int]:
    """The resident's verified partner has pledged money to an accepted initiative of the
    commune; another organisation of the commune waits for verification."""
    from app.models import Initiative, InitiativeNeed, Partner, Pledge

    initiative = Initiative(author_id=resident.id, unit_id=commune.id, category="other",
                            title="Đèn đường thôn Thử", description="Lắp đèn đường.",
                            status="accepted", search_text="den duong thon thu")
    initiative.needs = [InitiativeNeed(kind="money", description="Mua đèn", quantity=10_000_000)]
    verified = Partner(name="Công ty Thử", kind="business", unit_id=commune.id,
                       contact_user_id=resident.id, contact_phone="0912000111",
                       verified_at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    pending = Partner(name="Trường Thử", kind="school", unit_id=commune.id,
                      contact_user_id=resident.id, contact_phone="0912000111")
    session.add_all([initiative, verified, pending])
    session.flush()
    pledge = Pledge(partner_id=verified.id, initiative_id=initiative.id,
                    need_id=initiative.needs[0].id, kind="money", quantity=2_000_000)
    session.add(pledge)
    session.flush()
    return {"partner_id": verified.id, "pending_partner_id": pending.id, "pledge_id": pledge.id,
            "pledge_initiative_id": initiative.id}


def _appointments_world(session, commune, resident, procedure) -> dict[str, int]:
    """The commune desk's hours, a closure ahead, and the resident's booking ten days ahead."""
    from app.models import Appointment, DeskClosure, DeskOpening, DeskSlot
    from app.queue.calendar import local_day

    now = datetime.now(timezone.utc)
    openings = [DeskOpening(unit_id=commune.id, weekday=d, start_minute=480, end_minute=660,
                            slot_minutes=30, capacity=2) for d in range(5)]
    closure = DeskClosure(unit_id=commune.id, day=(now + timedelta(days=40)).date(),
                          reason="Họp giao ban")
    starts = now.replace(microsecond=0) + timedelta(days=10)
    slot = DeskSlot(unit_id=commune.id, starts_at=starts, booked=1)
    session.add_all(openings + [closure, slot])
    session.flush()
    booking = Appointment(code="LH-MATRIX", user_id=resident.id, unit_id=commune.id,
                          slot_id=slot.id, procedure_id=procedure.id, day=local_day(starts),
                          starts_at=starts, ends_at=starts + timedelta(minutes=30))
    session.add(booking)
    session.flush()
    return {"appointment_id": booking.id, "opening_id": openings[0].id, "closure_id": closure.id}
def _petitions_world(session, commune, dept_a, officer_a, leader, resident) -> dict[str, int]:
    from app.models import (Petition, PetitionFile, PetitionTopic, ReceptionSession,
                            VoterMeeting)
    from app.queue.calendar_db import calendar_from_db
    from app.storage import file_store
    from tests.factories import make_case

    now = datetime.now(timezone.utc)
    topic = PetitionTopic(code="thu-tuc", name_vi="Thủ tục hành chính",
                          name_en="Administrative procedures", category="petition", sla_days=10)
    meeting = VoterMeeting(unit_id=commune.id, title="Tiếp xúc cử tri thử",
                           held_on=date(2026, 11, 2), place="Nhà văn hóa",
                           deputies="Ông Thử", published_at=now)
    session.add_all([topic, meeting])
    session.flush()
    answered = make_case(session, dept_a, state=9, assignee=officer_a, applicant=resident,
                         case_type="petition", category="petition", requires_approval=True,
                         finished_at=now, due_at=now + timedelta(days=5))
    working = make_case(session, dept_a, state=4, assignee=officer_a, applicant=resident,
                        case_type="petition", category="petition", requires_approval=True,
                        due_at=now + timedelta(days=5))
    voter_case = make_case(session, dept_a, state=9, assignee=officer_a, case_type="petition",
                           category="petition", requires_approval=True, finished_at=now,
                           due_at=now + timedelta(days=5))

    def petition(case, **values):
        row = Petition(code=case.code if case is not None else "PA-HELD-1", case_id=case and case.id,
                       topic_id=topic.id, unit_id=commune.id, title="Hỏi thử",
                       body="Nội dung thử", search_text="hoi thu noi dung thu", **values)
        session.add(row)
        return row

    public = petition(answered, user_id=resident.id, asker_name="Người Hỏi Thử",
                      asker_phone="0912000111", public=True, answer="Trả lời thử")
    petition(working, user_id=resident.id, asker_name="Người Hỏi Thử")
    held = petition(None, status="held", asker_name="Người Hỏi Thử", asker_phone="0912000111")
    petition(voter_case, source="voter", kind="petition", meeting_id=meeting.id,
             department_id=dept_a.id, answer="Trả lời cử tri")
    session.flush()
    attachment = PetitionFile(petition_id=public.id, kind="pdf", filename="Thư.pdf", size=14,
                              sha256="0" * 64,
                              storage_key=file_store().save(b"%PDF-1.4 world", "petitions"))
    day = date.today() + timedelta(days=7)
    calendar = calendar_from_db(session)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    from datetime import time

    reception = ReceptionSession(unit_id=commune.id, day=day, starts_at=time(8, 0),
                                 ends_at=time(11, 0), place="Phòng tiếp dân",
                                 receiver="Chủ tịch UBND xã", topics_vi="Đất đai", capacity=10,
                                 created_by_id=leader.id)
    session.add_all([attachment, reception])
    session.flush()
    return {"petition_id": public.id, "petition_case_id": working.id,
            "held_petition_id": held.id, "attachment_id": attachment.id, "topic_id": topic.id,
            "meeting_id": meeting.id, "reception_id": reception.id}


class PersonClient(CheckedClient):
    """A CheckedClient whose every request runs in an application context of its own, as on a
    real server.

    The `app` fixture keeps one application context open for the whole test, and a request
    reuses the context it finds, so without this what one request leaves in `g` (Flask-Login's
    user, Flask-WTF's CSRF token) and the database session it used would carry into the next
    request of another client (another person)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def client_for(app, world: World, role: str) -> CheckedClient:
    """A browser of its own (its own cookies), logged in as `role` unless anonymous."""
    app.test_client_class = PersonClient
    client = app.test_client()
    if role != "anonymous":
        response = client.login(world.logins[role], PASSWORD)
        assert response.status_code == 302, f"{role} could not log in ({response.status_code})"
    return client


def url_for_endpoint(app, endpoint: str, args: dict[str, object], lang: str = "vi") -> str:
    """The URL of `endpoint` with the arguments its rule takes (and the language)."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {name: args[name] for name in rule.arguments if name != "lang_code"}
    if "lang_code" in rule.arguments:
        values["lang_code"] = lang
    adapter = app.url_map.bind("localhost")
    return adapter.build(endpoint, values, force_external=False)


def is_same_site(location: str) -> bool:
    """Does a Location header keep the browser on this site?

    Browsers drop tabs and newlines anywhere in a URL, trim leading control characters and
    spaces, and read a backslash as a slash, so `/\\t/evil.example` is `//evil.example`: judge
    the URL as the browser will read it."""
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r").strip("".join(
        chr(c) for c in range(0x21))).replace("\\", "/")
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.hostname == "localhost"
    return cleaned.startswith("/") and not cleaned.startswith("//")


def outcome_of(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        if not is_same_site(location):
            return f"off-site redirect to {location!r}"
        return "login" if urlsplit(location).path.endswith("/account/login") else "ok"
    if 200 <= status < 300:
        return "ok"
    return {403: "forbidden", 404: "not_found", 400: "refused", 409: "refused"}.get(
        status, str(status))


def matches(expected: str, actual: str) -> bool:
    if expected == "allowed":
        return actual in ("ok", "refused")
    return expected == actual


# The table. Columns: method probed, then the answer for
#   anonymous, resident, officer of the case's department, officer of another department,
#   leader of the case's department, administrator.
# GET routes are fetched; POST-only routes get a valid CSRF token and an empty body.
LOGIN, OK, NO, GONE, IN = "login", "ok", "forbidden", "not_found", "allowed"
ADMIN_GET = ("GET", LOGIN, NO, NO, NO, NO, OK)
ADMIN_POST = ("POST", LOGIN, NO, NO, NO, NO, IN)
STAFF_GET = ("GET", LOGIN, NO, OK, OK, OK, OK)
EVERYONE_GET = ("GET", OK, OK, OK, OK, OK, OK)
SIGNED_IN_GET = ("GET", LOGIN, OK, OK, OK, OK, OK)

MATRIX: dict[str, tuple[str, str, str, str, str, str, str]] = {
    #                                method  anon   res  same other leader admin
    "static":                       EVERYONE_GET,
    "root.pick_language":           EVERYONE_GET,
    "root.healthz":                 EVERYONE_GET,
    "main.home":                    EVERYONE_GET,
    "auth.login":                   EVERYONE_GET,
    "auth.register":                EVERYONE_GET,
    "auth.forgot_password":         EVERYONE_GET,
    "auth.reset_password":          EVERYONE_GET,
    "auth.account":                 SIGNED_IN_GET,
    "auth.change_password":         SIGNED_IN_GET,
    "auth.logout":                  ("POST", LOGIN, OK, OK, OK, OK, OK),
    "admin.index":                  ADMIN_GET,
    "admin.units":                  ADMIN_GET,
    "admin.new_unit":               ADMIN_GET,
    "admin.edit_unit":              ADMIN_GET,
    "admin.departments":            ADMIN_GET,
    "admin.new_department":         ADMIN_GET,
    "admin.edit_department":        ADMIN_GET,
    "admin.officers":               ADMIN_GET,
    "admin.officer":                ADMIN_GET,
    "admin.new_officer":            ADMIN_GET,
    "admin.new_membership":         ADMIN_GET,
    "admin.edit_membership":        ADMIN_GET,
    "admin.toggle_duty":            ADMIN_POST,
    "admin.remove_membership":      ADMIN_POST,
    "admin.rules":                  ADMIN_GET,
    "admin.new_rule":               ADMIN_GET,
    "admin.edit_rule":              ADMIN_GET,
    "admin.toggle_rule":            ADMIN_POST,
    "admin.calendar":               ADMIN_GET,
    "admin.delete_calendar_day":    ADMIN_POST,
    "admin.outbox":                 ADMIN_GET,
    "admin.retry_outbox_message":   ADMIN_POST,
    "admin.procedures":             ADMIN_GET,
    "admin.new_procedure":          ADMIN_GET,
    "admin.edit_procedure":         ADMIN_GET,
    "admin.toggle_procedure":       ADMIN_POST,
    "admin.procedure_documents":    ADMIN_GET,
    "admin.new_procedure_document": ADMIN_GET,
    "admin.edit_procedure_document": ADMIN_GET,
    "admin.remove_procedure_document": ADMIN_POST,
    "admin.move_procedure_document": ADMIN_POST,
    "admin.procedure_fields":       ADMIN_GET,
    "admin.new_procedure_field":    ADMIN_GET,
    "admin.edit_procedure_field":   ADMIN_GET,
    # The catalogue is public; a document without a blank form has nothing to download.
    "procedures.catalogue":         EVERYONE_GET,
    "procedures.detail":            EVERYONE_GET,
    "procedures.document_template": ("GET", GONE, GONE, GONE, GONE, GONE, GONE),
    "dossiers.track":               EVERYONE_GET,
    # The village needs board (app/village): the world's need is in the commune where both
    # officers and the leader hold seats, so all three are its staff.
    "village.board":                EVERYONE_GET,
    "village.need":                 EVERYONE_GET,
    "village.new_need":             STAFF_GET,
    "village.edit_need":            STAFF_GET,
    "village.support":              ("POST", LOGIN, IN, NO, NO, NO, NO),
    "village.volunteer":            ("POST", LOGIN, IN, NO, NO, NO, NO),
    "village.withdraw":             ("POST", LOGIN, IN, NO, NO, NO, NO),
    "village.post_update":          ("POST", LOGIN, NO, IN, IN, IN, IN),
    "village.record_received":      ("POST", LOGIN, NO, IN, IN, IN, IN),
    "village.set_status":           ("POST", LOGIN, NO, IN, IN, IN, IN),
    "village.ask_for_help":         ("POST", LOGIN, NO, IN, IN, IN, IN),
    "village.heads":                ADMIN_GET,
    "village.remove_head":          ADMIN_POST,
    # Announcements and alerts (issue 10): public to read (an attachment too); staff of the
    # place publish, edit, withdraw and issue (the world's are in the commune where every
    # officer and the leader hold seats; staff of another commune and village heads are
    # tested in tests/integration/test_announcements.py and test_alerts.py). Following a
    # village needs an account; the unsubscribe link (the resident's, valid) works for anyone,
    # and its one-click twin refuses an empty body.
    "village.announcements":        EVERYONE_GET,
    "village.announcement":         EVERYONE_GET,
    "village.announcement_attachment": EVERYONE_GET,
    "village.new_announcement":     STAFF_GET,
    "village.edit_announcement":    STAFF_GET,
    "village.withdraw_announcement": STAFF_GET,
    "village.manage":               STAFF_GET,
    "village.alert":                EVERYONE_GET,
    "village.new_alert":            STAFF_GET,
    "village.withdraw_alert":       STAFF_GET,
    "village.subscription":         SIGNED_IN_GET,
    "village.stop_subscription":    ("POST", LOGIN, IN, IN, IN, IN, IN),
    "village.unsubscribe":          EVERYONE_GET,
    "village.unsubscribe_one_click": ("POST", IN, IN, IN, IN, IN, IN),
    "dossiers.mine":                SIGNED_IN_GET,
    # Only the applicant (the world's resident) may withdraw their own dossier.
    "dossiers.withdraw":            ("GET", LOGIN, OK, GONE, GONE, GONE, GONE),
    # The world's dossier is still being processed: its applicant is sent back to the list.
    "dossiers.rate":                ("GET", LOGIN, OK, GONE, GONE, GONE, GONE),
    # Online submission: resident accounts only (staff register paper dossiers at the desk);
    # a draft is its owner's alone, a receipt its applicant's alone (others: no such page).
    "dossiers.start":               ("POST", LOGIN, IN, NO, NO, NO, NO),
    "dossiers.edit_draft":          ("GET", LOGIN, OK, NO, NO, NO, NO),
    "dossiers.remove_draft_file":   ("POST", LOGIN, IN, NO, NO, NO, NO),
    "dossiers.delete_draft":        ("GET", LOGIN, OK, NO, NO, NO, NO),
    "dossiers.receipt":             ("GET", LOGIN, OK, GONE, GONE, GONE, GONE),
    # A dossier's page and files: its applicant, and staff who may see the case (its
    # department, its assignee, administrators); everyone else is told there is none.
    "dossiers.detail":              ("GET", LOGIN, OK, GONE, GONE, GONE, GONE),
    "dossiers.file":                ("GET", LOGIN, OK, OK, GONE, OK, OK),
    # The world's dossier is being processed, not waiting for a supplement: its applicant is
    # let in and told so (409).
    "dossiers.supplement":          ("POST", LOGIN, IN, GONE, GONE, GONE, GONE),
    "dossiers.papers":              SIGNED_IN_GET,
    "dossiers.remove_paper":        ("POST", LOGIN, IN, GONE, GONE, GONE, GONE),
    # The desk: any staff may open the walk-in form (the service refuses a desk that does not
    # receive the procedure); a receipt follows the case's own access rule.
    "desk.walk_in":                 STAFF_GET,
    "desk.receipt":                 ("GET", LOGIN, NO, OK, NO, OK, OK),
    # The fee and result pages follow the state machine's roles for request_fees, fees_paid
    # and return_result; the world's case is being processed, so the payment and result pages
    # send those who may use them back to the case (a redirect on the site: ok).
    "desk.request_fee":             ("GET", LOGIN, NO, OK, NO, OK, OK),
    "desk.record_payment":          ("GET", LOGIN, NO, OK, NO, OK, OK),
    "desk.result":                  ("GET", LOGIN, NO, OK, NO, OK, OK),
    "desk.hand_over":               ("GET", LOGIN, NO, OK, NO, OK, OK),
    # The electronic result: only the applicant's own, once there is one (the world has none).
    "dossiers.result_file":         ("GET", LOGIN, GONE, GONE, GONE, GONE, GONE),
    # Scans: staff who see the case AND work it at the desk (intake or leader seat, assignee,
    # administrator); the world's officer of department A is its assignee.
    "desk.add_scans":               ("POST", LOGIN, NO, IN, NO, IN, IN),
    # The desk's other forms follow the receipt's rule; the log book shows each officer only
    # their own departments' dossiers, so every member of staff may open it.
    "desk.supplement_slip":         ("GET", LOGIN, NO, OK, NO, OK, OK),
    "desk.refusal_slip":            ("GET", LOGIN, NO, OK, NO, OK, OK),
    "desk.control_sheet":           ("GET", LOGIN, NO, OK, NO, OK, OK),
    "desk.log_book":                STAFF_GET,
    "desk.log_book_csv":            STAFF_GET,
    # The workbench: staff only; a department's queue and cases only to its own people (and
    # administrators); the leader's overview only to its leader (and administrators).
    "workbench.my_cases":           STAFF_GET,
    "workbench.queue_home":         STAFF_GET,
    "workbench.queue":              ("GET", LOGIN, NO, OK, NO, OK, OK),
    "workbench.leader":             ("GET", LOGIN, NO, NO, NO, OK, OK),
    "workbench.case_detail":        ("GET", LOGIN, NO, OK, NO, OK, OK),
    "workbench.apology_letter":     ("GET", LOGIN, NO, OK, NO, OK, OK),
    "workbench.act":                ("POST", LOGIN, NO, IN, NO, IN, IN),
    "workbench.release":            ("POST", LOGIN, NO, IN, NO, IN, IN),
    "workbench.reassign_case":      ("POST", LOGIN, NO, IN, NO, IN, IN),
    # An administrator without a seat sees every queue but has no desk to claim at.
    "workbench.claim_next":         ("POST", LOGIN, NO, IN, NO, IN, NO),
    # Community initiatives (the world's is published, by the resident, with a photo): anyone
    # reads; only the author edits, publishes, withdraws (the author's own support is refused
    # with a message); the answer page is for initiative cases only (the world's case is a
    # dossier); progress for staff of the commune (both departments sit in it).
    "community.initiatives":        EVERYONE_GET,
    "community.initiative":         EVERYONE_GET,
    "community.initiative_photo":   EVERYONE_GET,
    "community.propose":            SIGNED_IN_GET,
    "community.edit":               ("GET", LOGIN, OK, NO, NO, NO, NO),
    "community.publish":            ("POST", LOGIN, IN, NO, NO, NO, NO),
    "community.withdraw":           ("GET", LOGIN, OK, NO, NO, NO, NO),
    "community.support":            ("POST", LOGIN, IN, IN, IN, IN, IN),
    "community.answer":             ("GET", LOGIN, NO, GONE, NO, GONE, GONE),
    "community.progress":           ("GET", LOGIN, NO, OK, OK, OK, OK),
    "community.settings":           ADMIN_GET,
    # The JSON API: the catalogue and its document are public; the status lookup is public
    # too (an empty POST is a 400 naming the missing fields).
    "api.procedures":               EVERYONE_GET,
    "api.procedure":                EVERYONE_GET,
    "api.fields":                   EVERYONE_GET,
    "api.openapi":                  EVERYONE_GET,
    "api.dossier_status":           ("POST", IN, IN, IN, IN, IN, IN),
    # "Ba Nhà" partners: the list and a verified partner's page are public; anyone signed in
    # may register an organisation and pledge (the page explains who may: verified partners);
    # staff of the commune verify partners and mark pledges (both of the world's departments
    # are in its commune; staff of another commune get 403, tests/integration/test_partners.py).
    "community.partners":           EVERYONE_GET,
    "community.partner":            EVERYONE_GET,
    "community.register_partner":   SIGNED_IN_GET,
    "community.my_partners":        SIGNED_IN_GET,
    "community.partners_pending":   STAFF_GET,
    "community.verify_partner":     ("POST", LOGIN, NO, IN, IN, IN, IN),
    "community.refuse_partner":     ("POST", LOGIN, NO, IN, IN, IN, IN),
    "community.pledge":             SIGNED_IN_GET,
    "community.deliver_pledge":     ("POST", LOGIN, NO, IN, IN, IN, IN),
    "community.cancel_pledge":      ("POST", LOGIN, NO, IN, IN, IN, IN),
    # Withdrawing a pledge: only its partner's contact person (the world's resident).
    "community.withdraw_pledge":    ("POST", LOGIN, IN, NO, NO, NO, NO),
    # Comments and moderation (issue 9): the comments page names its target in the query
    # string (none: no such page); posting a comment or a report needs an account; the
    # moderators' queue and log are staff pages, each showing only the staff's own communes.
    "community.comments":           ("GET", GONE, GONE, GONE, GONE, GONE, GONE),
    "community.add_comment":        ("POST", LOGIN, IN, IN, IN, IN, IN),
    "community.flag":               ("POST", LOGIN, IN, IN, IN, IN, IN),
    "community.moderation":         STAFF_GET,
    "community.moderation_log":     STAFF_GET,
    "community.moderation_restore": ("POST", LOGIN, NO, IN, IN, IN, IN),
    "community.moderation_remove":  ("POST", LOGIN, NO, IN, IN, IN, IN),
    # Desk appointments (app/appointments): residents book at their own commune's desk and see
    # and cancel only their own bookings; a booking's page is its resident's and the desk's
    # (every staff account of the world sits in its commune; staff of another commune get 403
    # or 404, tests/integration/test_appointments.py). The desk's pages are staff of the
    # commune's: an empty POST is refused for lack of input, or (arrival ten days early,
    # a removal already done) sent back with a message.
    "appointments.mine":            SIGNED_IN_GET,   # staff: to their desk's day list
    "appointments.book":            ("GET", LOGIN, OK, NO, NO, NO, NO),
    "appointments.detail":          SIGNED_IN_GET,
    "appointments.cancel":          ("GET", LOGIN, OK, NO, NO, NO, NO),
    "appointments.desk_home":       STAFF_GET,
    "appointments.day_list":        STAFF_GET,
    "appointments.schedule_page":   STAFF_GET,
    "appointments.add_opening":     ("POST", LOGIN, NO, IN, IN, IN, IN),
    "appointments.remove_opening":  ("POST", LOGIN, NO, IN, IN, IN, IN),
    "appointments.add_closure":     ("POST", LOGIN, NO, IN, IN, IN, IN),
    "appointments.remove_closure":  ("POST", LOGIN, NO, IN, IN, IN, IN),
    "appointments.mark_arrived":    ("POST", LOGIN, NO, IN, IN, IN, IN),
    "appointments.mark_no_show":    ("POST", LOGIN, NO, IN, IN, IN, IN),
    # Field reports (issue 10). The world's report is the resident's, with a photo and no photo
    # of a fix yet, not answered (its reporter is sent back from the rating page; no one else
    # has one), processed in department A: answering and merging follow the case's access
    # (the administrator may do all; others in the department are sent back to the case when
    # they may not act now). Supporting one's own report is refused with a message (409).
    "reports.index":                EVERYONE_GET,
    "reports.detail":               EVERYONE_GET,
    "reports.photo":                EVERYONE_GET,
    "reports.fix_photo":            ("GET", GONE, GONE, GONE, GONE, GONE, GONE),
    "reports.mine":                 SIGNED_IN_GET,
    "reports.new":                  SIGNED_IN_GET,
    "reports.support":              ("POST", LOGIN, IN, IN, IN, IN, IN),
    "reports.rate":                 ("GET", LOGIN, OK, GONE, GONE, GONE, GONE),
    "reports.answer":               ("GET", LOGIN, NO, OK, NO, OK, OK),
    "reports.merge":                ("GET", LOGIN, NO, OK, NO, OK, OK),
    "admin.report_categories":      ADMIN_GET,
    "admin.new_report_category":    ADMIN_GET,
    "admin.edit_report_category":   ADMIN_GET,
    "admin.toggle_report_category": ADMIN_POST,
    "admin.new_report_attribute":   ADMIN_GET,
    "admin.edit_report_attribute":  ADMIN_GET,
    "admin.remove_report_attribute": ADMIN_POST,
    "admin.save_report_route":      ADMIN_POST,
    "admin.remove_report_route":    ADMIN_POST,
    "admin.api_keys":               ADMIN_GET,
    "admin.revoke_api_key":         ADMIN_POST,
    # Open311: reading is public; posting needs an API key, which no browser here has (403).
    "open311.discovery":            EVERYONE_GET,
    "open311.services_list":        EVERYONE_GET,
    "open311.service_definition":   EVERYONE_GET,
    "open311.requests":             EVERYONE_GET,
    "open311.request_detail":       EVERYONE_GET,
    "open311.create_request":       ("POST", NO, NO, NO, NO, NO, NO),
    # Petitions and questions (issue 11). Published answers, asking and looking up are public;
    # a petition's own page, its rating and its files are its asker's (the world's resident;
    # anyone else is told there is none), and its files also the case's office; the answer page
    # follows the state machine's roles for "submit for approval" on the petition being worked
    # in department A; held petitions are for staff of their commune (all of the world's);
    # topics for administrators.
    "petitions.index":              EVERYONE_GET,
    "petitions.detail":             EVERYONE_GET,
    "petitions.ask":                EVERYONE_GET,
    "petitions.lookup":             EVERYONE_GET,
    "petitions.own":                ("GET", GONE, OK, GONE, GONE, GONE, GONE),
    "petitions.rate":               ("POST", GONE, IN, GONE, GONE, GONE, GONE),
    "petitions.mine":               SIGNED_IN_GET,
    "petitions.attachment":         ("GET", GONE, OK, OK, GONE, OK, OK),
    "petitions.answer":             ("GET", LOGIN, NO, OK, NO, OK, OK),
    "petitions.held":               STAFF_GET,
    "petitions.moderate":           ("GET", LOGIN, NO, OK, OK, OK, OK),
    "petitions.topic_list":         ADMIN_GET,
    "petitions.new_topic":          ADMIN_GET,
    "petitions.edit_topic":         ADMIN_GET,
    # Voters' meetings: a published answer sheet is public; staff of the commune record
    # meetings and their petitions and publish (the world's sheet is already published: adding
    # or publishing again is refused with a message).
    "petitions.meetings":           EVERYONE_GET,
    "petitions.meeting":            EVERYONE_GET,
    "petitions.new_meeting":        STAFF_GET,
    "petitions.add_voter_petition": ("POST", LOGIN, NO, IN, IN, IN, IN),
    "petitions.publish_sheet":      ("POST", LOGIN, NO, IN, IN, IN, IN),
    "api.questions":                EVERYONE_GET,
    "api.question":                 EVERYONE_GET,
    # Citizen reception: the schedule is public; residents register; leaders of the commune
    # publish hours; staff of the commune keep the record.
    "reception.schedule":           EVERYONE_GET,
    "reception.session_page":       EVERYONE_GET,
    "reception.register":           ("POST", LOGIN, IN, NO, NO, NO, NO),
    "reception.new_session":        ("GET", LOGIN, NO, NO, NO, OK, OK),
    "reception.manage":             ("GET", LOGIN, NO, OK, OK, OK, OK),
    "reception.add_record":         ("POST", LOGIN, NO, IN, IN, IN, IN),
    # Transparency and operations (issue 12): the statistics, their CSV and the scorecard are
    # public; one commune's card and its CSV name the commune in the query string (none: no
    # such page); the operations dashboard and the cases behind its figures are for leaders
    # and administrators; staff of a commune enter its scorecard figures (the world's officers
    # and leader all sit in its commune).
    "stats.overview":               EVERYONE_GET,
    "stats.export_csv":             EVERYONE_GET,
    "stats.scorecard":              EVERYONE_GET,
    "stats.scorecard_commune":      ("GET", GONE, GONE, GONE, GONE, GONE, GONE),
    "stats.scorecard_commune_csv":  ("GET", GONE, GONE, GONE, GONE, GONE, GONE),
    "stats.scorecard_entry":        STAFF_GET,
    "stats.dashboard":              ("GET", LOGIN, NO, NO, NO, OK, OK),
    "stats.dashboard_cases":        ("GET", LOGIN, NO, NO, NO, OK, OK),
}


def expected(endpoint: str) -> tuple[str, dict[str, str]]:
    method, *answers = MATRIX[endpoint]
    return method, dict(zip(ROLES, answers))


def roles_let_in(endpoint: str) -> list[str]:
    """The roles that get past the access gate of `endpoint` (where fuzzing finds most)."""
    _method, answers = expected(endpoint)
    return [role for role, answer in answers.items() if answer in ("ok", "allowed")]
