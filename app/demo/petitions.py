"""Demo data for petitions and questions, voters' meetings and citizen reception in the demo
commune (Xã Đại Phúc), made through the features' own services, the way real ones are: topics,
published questions answered by the justice office and approved by its leader (a few rated),
one private answer, one waiting for the leader, one just sent, one held for a moderator; a
voters' meeting with its published answer sheet (one answer late); a past reception with its
record and a coming one with a registration.

`seed_topics` runs before the queue demo (whose petition cases get their petition rows from
`queue_petition`); `seed_petitions` after the demo's first commit.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.units import COMMUNES
from app.models import (AdminUnit, Case, Department, OfficerMembership, Petition, PetitionTopic,
                        RoutingRule, User, utcnow)
from app.queue.calendar import LOCAL_TZ, local_day
from app.queue.calendar_db import calendar_from_db
from app.text import fold

# (code, Vietnamese, English, queue category, working days to answer)
TOPICS = [
    ("thu-tuc-hanh-chinh", "Thủ tục hành chính", "Administrative procedures", "petition", 10),
    ("ho-tich-cu-tru", "Hộ tịch, cư trú", "Civil status and residence", "civil_status", 7),
    ("dat-dai", "Đất đai", "Land", "land", 15),
    ("xay-dung-trat-tu", "Xây dựng, trật tự đô thị", "Construction and public order",
     "construction", 15),
    ("chinh-sach-xa-hoi", "Chính sách xã hội", "Social policy", "social_support", 10),
    ("moi-truong", "Môi trường, vệ sinh", "Environment and sanitation", "petition", 10),
]
# Petitions of these categories go to the office that knows them (the general rule sends the
# rest to the justice office, app/demo/queue_seed.py RULES).
RULES = [("construction", "DC"), ("social_support", "VHXH")]

# (topic code, kind, title, question, answer, asker: "resident" or a phone, public, rating)
ANSWERED = [
    ("ho-tich-cu-tru", "question", "Đăng ký khai sinh quá 60 ngày có bị phạt không?",
     "Con tôi sinh được 75 ngày, do gia đình ở xa nên chưa đăng ký khai sinh. Khi đăng ký "
     "bây giờ có bị xử phạt không, cần mang những giấy tờ gì?",
     "Việc đăng ký khai sinh quá hạn không bị xử phạt; UBND xã nhắc nhở gia đình. Anh/chị "
     "mang Giấy chứng sinh và giấy tờ tùy thân của cha, mẹ đến Bộ phận Một cửa, hoặc nộp "
     "trực tuyến thủ tục Đăng ký khai sinh trên Cổng Làng.", "resident", True, 5),
    ("thu-tuc-hanh-chinh", "question", "Chứng thực bản sao có cần mang bản chính không?",
     "Tôi cần chứng thực bản sao sổ hộ khẩu cũ và căn cước. Có bắt buộc mang bản chính đến "
     "không, lệ phí bao nhiêu?",
     "Có: chứng thực bản sao từ bản chính phải xuất trình bản chính để đối chiếu. Lệ phí "
     "2.000 đồng/trang, từ trang thứ ba 1.000 đồng/trang, tối đa 200.000 đồng/bản.",
     "0388000201", True, 4),
    ("moi-truong", "petition", "Rác thải tập kết sai nơi ở đầu thôn Tân Lập",
     "Nhiều hộ đổ rác tại bãi đất trống đầu thôn Tân Lập, bốc mùi, ảnh hưởng học sinh đi "
     "học. Đề nghị xã bố trí điểm tập kết và lịch thu gom.",
     "UBND xã đã làm việc với tổ thu gom: từ tháng này xe thu gom qua thôn Tân Lập vào sáng "
     "thứ Ba và thứ Sáu; điểm tập kết mới đặt cạnh nhà văn hóa thôn. Bãi đất trống đã được "
     "dọn và cắm biển cấm đổ rác.", "resident", True, None),
    ("chinh-sach-xa-hoi", "question", "Người 75 tuổi có được trợ cấp hằng tháng không?",
     "Bố tôi 76 tuổi, không có lương hưu. Gia đình có được hưởng trợ cấp xã hội hằng tháng "
     "không và làm thủ tục ở đâu?",
     "Người từ đủ 75 tuổi trở lên không có lương hưu, trợ cấp bảo hiểm xã hội hằng tháng "
     "được hưởng trợ cấp xã hội hằng tháng. Gia đình làm tờ khai theo mẫu, nộp tại Bộ phận "
     "Một cửa của xã hoặc trực tuyến.", "0388000202", True, 5),
    ("dat-dai", "question", "Thủ tục tách thửa đất để cho con",
     "Gia đình tôi muốn tách một phần thửa đất ở thôn Đồng Bầu cho con trai. Diện tích tối "
     "thiểu được tách là bao nhiêu?",
     "Diện tích tối thiểu được tách thửa đối với đất ở tại xã là 60 m², cạnh mặt tiền từ "
     "4 m trở lên, theo quyết định của UBND tỉnh. Gia đình liên hệ công chức địa chính để "
     "được hướng dẫn đo đạc.", "0388000203", True, None),
    ("thu-tuc-hanh-chinh", "question", "Xin cấp lại giấy xác nhận tình trạng hôn nhân",
     "Tôi bị mất giấy xác nhận tình trạng hôn nhân cấp tháng trước. Xin cấp lại thì làm thế "
     "nào?", "Anh làm lại thủ tục Xác nhận tình trạng hôn nhân; trong tờ khai ghi rõ lý do "
     "cấp lại. Kết quả trả trong 3 ngày làm việc.", "resident", False, None),
]
PENDING = ("moi-truong", "petition", "Đèn đường hỏng ở ngã ba Na Mao",
           "Ba cột đèn ở ngã ba Na Mao hỏng hơn một tháng, buổi tối rất tối.",
           "UBND xã đã giao tổ điện kiểm tra và thay bóng trong tuần này.")
JUST_SENT = ("xay-dung-trat-tu", "petition", "Công trình xây dựng lấn hành lang đường",
             "Một hộ đang xây tường rào lấn ra hành lang đường liên thôn Khuôn Ngục.")
HELD = ("thu-tuc-hanh-chinh", "petition", "Cán bộ làm việc chậm",
        "Cán bộ một cửa làm việc như đồ ngu, hẹn mãi không xong.")

MEETING = ("Tiếp xúc cử tri trước kỳ họp thứ 10, HĐND xã khóa XXI", "Nhà văn hóa thôn Đồng Bầu",
           "Ông Nguyễn Văn Bình, đại biểu HĐND xã\nBà Lê Thị Hoa, đại biểu HĐND xã")
# (topic code, agency suffix, title, petition, answer, late)
VOTER_PETITIONS = [
    ("dat-dai", "DC", "Sớm cấp giấy chứng nhận quyền sử dụng đất cho các hộ thôn Na Mao",
     "Cử tri thôn Na Mao phản ánh hồ sơ cấp giấy chứng nhận nộp từ năm trước chưa có kết quả.",
     "Đã rà soát 12 hồ sơ: 9 hồ sơ đã trình cấp giấy, 3 hồ sơ cần bổ sung, đã thông báo cho "
     "các hộ.", False),
    ("thu-tuc-hanh-chinh", "TP", "Kéo dài giờ làm việc của Bộ phận Một cửa",
     "Cử tri đề nghị Bộ phận Một cửa làm việc sáng thứ Bảy để người lao động làm thủ tục.",
     "Từ tháng tới, Bộ phận Một cửa tiếp nhận hồ sơ sáng thứ Bảy hằng tuần.", False),
    ("chinh-sach-xa-hoi", "VHXH", "Hỗ trợ học sinh nghèo đầu năm học",
     "Cử tri đề nghị xã vận động hỗ trợ sách vở cho học sinh hộ nghèo.",
     "Xã đã phối hợp với nhà trường trao 60 bộ sách và vở cho học sinh hộ nghèo.", True),
]


def _commune(session: Session) -> AdminUnit:
    return session.scalar(select(AdminUnit).where(AdminUnit.code == COMMUNES[1][0]))


def _department(session: Session, commune: AdminUnit, suffix: str) -> Department:
    return session.scalar(select(Department).where(Department.code == f"{commune.code}-{suffix}"))


def _seat(session: Session, department: Department, desk: str) -> User:
    return session.scalar(select(User).join(OfficerMembership, OfficerMembership.user_id == User.id)
                          .where(OfficerMembership.department_id == department.id,
                                 OfficerMembership.desk == desk)
                          .order_by(OfficerMembership.id))


def seed_topics(session: Session) -> dict[str, PetitionTopic]:
    from app.petitions.topics import TopicInput, save_topic

    return {code: save_topic(session, TopicInput(code, vi, en, category, days))
            for code, vi, en, category, days in TOPICS}


def queue_petition(session: Session, case: Case, commune_id: int, asker: str,
                   phone: str) -> Petition | None:
    """The petition row of one of the queue demo's petition cases (its case_id is set by the
    caller after the flush, as for dossiers). Private: those cases have no published answer."""
    topic = session.scalar(select(PetitionTopic).where(PetitionTopic.category == case.category,
                                                       PetitionTopic.active.is_(True))
                           .order_by(PetitionTopic.id))
    if topic is None:
        return None
    title = case.title.split(" – ")[0]
    body = f"{case.title}. Đề nghị xã xem xét, giải quyết và trả lời."
    answer = ("UBND xã đã kiểm tra thực tế, xử lý và trả lời trực tiếp cho người phản ánh."
              if case.state in (9, 10) else None)
    petition = Petition(code=case.code, source="online", kind="petition", status="filed",
                        topic_id=topic.id, unit_id=commune_id, title=title[:200], body=body,
                        asker_name=asker, asker_phone=phone, public=False, answer=answer,
                        created_at=case.received_at, updated_at=case.received_at)
    petition.search_text = fold(f"{title} {body} {answer or ''}")
    return petition


def _working_days_ago(calendar, now: datetime, days: int, hour: int) -> datetime:
    day = local_day(now)
    while days > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL_TZ)


def _answer(session: Session, petition: Petition, staff: dict, text: str, start: datetime, *,
            approve: bool = True, late: bool = False) -> None:
    """The office's path through its own services: the desk receives, the leader hands it to
    the specialist, who starts and drafts; the leader approves."""
    from app.petitions.answers import draft_answer
    from app.queue.actions import perform
    from app.queue.assignment import reassign

    case = session.get(Case, petition.case_id)
    steps = [start + timedelta(hours=h) for h in (1, 2, 3, 20, 26)]
    if late:  # answered after its due date
        steps[3:] = [case.due_at + timedelta(hours=2), case.due_at + timedelta(hours=5)]
    perform(session, case.id, "receive", staff["intake"], now=steps[0])
    reassign(session, case.id, staff["officer"].id, staff["leader"], now=steps[1])
    perform(session, case.id, "start", staff["officer"], now=steps[2])
    draft_answer(session, case.id, staff["officer"], text, now=steps[3])
    if approve:
        perform(session, case.id, "approve", staff["leader"], now=steps[4])


def _staff(session: Session, department: Department) -> dict:
    return {"intake": _seat(session, department, "intake") or _seat(session, department, "leader"),
            "officer": _seat(session, department, "specialist"),
            "leader": _seat(session, department, "leader")}


def seed_petitions(session: Session, people: dict[str, User]) -> dict[str, int]:
    from app.petitions import services, voters
    from app.petitions.services import Filing

    commune = _commune(session)
    topics = {t.code: t for t in session.scalars(select(PetitionTopic))}
    for category, suffix in RULES:
        session.add(RoutingRule(case_type="petition", category=category, unit_id=commune.id,
                                department_id=_department(session, commune, suffix).id,
                                mode="pull"))
    session.commit()
    calendar = calendar_from_db(session)
    now = utcnow()
    resident = people["resident"]

    def filing(topic_code, kind, title, body, asker, public, when):
        mine = asker == "resident"
        return services.file_petition(session, None, Filing(
            kind=kind, topic_id=topics[topic_code].id, unit_id=commune.id, title=title,
            body=body, asker_name=resident.full_name if mine else "Người dân thôn Tân Lập",
            asker_phone=resident.phone if mine else asker, public=public,
            user_id=resident.id if mine else None), now=when)

    count = 0
    for index, (code, kind, title, body, answer, asker, public, rating) in enumerate(ANSWERED):
        when = _working_days_ago(calendar, now, 20 - 3 * index, 9)
        petition = filing(code, kind, title, body, asker, public, when)
        department = session.get(Case, petition.case_id).department
        _answer(session, petition, _staff(session, department), answer, when)
        if rating:
            services.rate(session, petition.id, rating, None, now=when + timedelta(days=2))
        count += 1
    code, kind, title, body, answer = PENDING
    petition = filing(code, kind, title, body, "resident", True,
                      _working_days_ago(calendar, now, 3, 10))
    department = session.get(Case, petition.case_id).department
    _answer(session, petition, _staff(session, department), answer,
            _working_days_ago(calendar, now, 3, 10), approve=False)
    code, kind, title, body = JUST_SENT
    filing(code, kind, title, body, "0388000204", True, now - timedelta(hours=2))
    code, kind, title, body = HELD
    filing(code, kind, title, body, "0388000205", False, now - timedelta(hours=1))

    # A voters' meeting, its petitions answered by three agencies, the sheet published.
    title, place, deputies = MEETING
    held_on = local_day(_working_days_ago(calendar, now, 25, 8))
    secretary = _staff(session, _department(session, commune, "TP"))["officer"]
    meeting = voters.create_meeting(session, secretary, voters.MeetingInput(
        unit_id=commune.id, title=title, held_on=held_on, place=place, deputies=deputies),
        now=now)
    recorded = _working_days_ago(calendar, now, 22, 9)
    for code, suffix, p_title, p_body, p_answer, late in VOTER_PETITIONS:
        agency = _department(session, commune, suffix)
        petition = voters.add_petition(session, secretary, meeting, voters.VoterPetitionInput(
            topic_id=topics[code].id, department_id=agency.id, title=p_title, body=p_body),
            now=recorded)
        _answer(session, petition, _staff(session, agency), p_answer, recorded, late=late)
    voters.publish(session, secretary, meeting, now=now - timedelta(hours=3))
    receptions = _seed_reception(session, commune, people, topics, calendar, now)
    # The answered ones, the pending, the just sent and the held one, the voters', the
    # reception's.
    return {"petitions": count + 3 + len(VOTER_PETITIONS) + 1, "voter_meetings": 1,
            "reception_sessions": receptions}


def _seed_reception(session: Session, commune: AdminUnit, people: dict[str, User],
                    topics: dict[str, PetitionTopic], calendar, now: datetime) -> int:
    """A past reception (published before it, recorded on the day, one matter made a
    petition) and a coming one the demo resident registered for."""
    from app.reception import services as reception

    leader = people["leader"]  # Lê Hoàng Nam, leader of the commune's one-stop desk
    past_day = local_day(_working_days_ago(calendar, now, 6, 8))
    published = datetime.combine(past_day - timedelta(days=7), time(9, 0), tzinfo=LOCAL_TZ)
    past = reception.publish_session(session, leader, reception.SessionInput(
        unit_id=commune.id, day=past_day, starts_at=time(7, 30), ends_at=time(11, 0),
        place="Phòng tiếp công dân, UBND xã Đại Phúc",
        receiver="Ông Lê Hoàng Nam, Phó Chủ tịch UBND xã", topics_vi="Đất đai, xây dựng",
        topics_en="Land, construction", capacity=10), now=published)
    neighbour = session.scalar(select(User).where(User.phone == "0388000101")) or people["resident"]
    registration = reception.register(session, neighbour, past.id,
                                      "Tranh chấp lối đi chung với hộ bên cạnh",
                                      now=published + timedelta(days=1))
    on_the_day = datetime.combine(past_day, time(9, 30), tzinfo=LOCAL_TZ)
    reception.add_record(session, leader, past, reception.RecordInput(
        citizen_name=neighbour.full_name, registration_id=registration.id,
        citizen_phone=neighbour.phone,
        content="Hộ bên cạnh xây tường chắn lối đi chung đã dùng hơn 20 năm.",
        response="Giao công chức địa chính – xây dựng kiểm tra hiện trạng, trả lời trong 15 "
                 "ngày làm việc.", make_petition=True, topic_id=topics["dat-dai"].id,
        subject="Tường xây chắn lối đi chung"), now=on_the_day)
    coming_day = local_day(now) + timedelta(days=3)
    while not calendar.is_working_day(coming_day):
        coming_day += timedelta(days=1)
    coming = reception.publish_session(session, leader, reception.SessionInput(
        unit_id=commune.id, day=coming_day, starts_at=time(8, 0), ends_at=time(11, 30),
        place="Phòng tiếp công dân, UBND xã Đại Phúc",
        receiver="Ông Lê Hoàng Nam, Phó Chủ tịch UBND xã",
        topics_vi="Đất đai, chính sách xã hội, thủ tục hành chính",
        topics_en="Land, social policy, administrative procedures", capacity=20), now=now)
    reception.register(session, people["resident"], coming.id,
                       "Hỏi về hỗ trợ sửa nhà cho hộ cận nghèo", now=now)
    return 2
