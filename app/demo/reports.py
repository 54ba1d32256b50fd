"""Demo field reports: the categories a commune would set up (with their questions and one
per-category route), and a handful of reports in Xã Đại Phúc in every public state, each made,
received, answered, merged and rated through the services the pages use, dated over the last
two weeks. Also an Open311 client's key (not printed: an administrator makes a usable one)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AdminUnit, Department, OfficerMembership, User, utcnow
from app.open311.keys import create_key
from app.queue.actions import perform
from app.reports import categories as cats, services

# code, vi, en, description vi, description en, group vi, group en, keywords, sla days
CATEGORIES = [
    ("cong-ranh-tac", "Cống rãnh tắc, ngập nước", "Blocked drain or flooding",
     "Cống, rãnh, mương thoát nước bị tắc hoặc nước đọng ngập đường.",
     "A drain, gutter or ditch is blocked, or water floods the road.",
     "Hạ tầng", "Infrastructure", "cống, rãnh, mương, ngập, drain, flood", 3),
    ("den-duong-hong", "Đèn đường hỏng", "Broken street light",
     "Đèn chiếu sáng công cộng không sáng, chập chờn hoặc sáng cả ban ngày.",
     "A public light is out, flickering or on during the day.",
     "Điện chiếu sáng", "Street lighting", "đèn, chiếu sáng, cột điện, light, lamp", 5),
    ("o-ga-mat-duong", "Ổ gà, hư hỏng mặt đường", "Pothole or damaged road",
     "Ổ gà, sụt lún, nứt vỡ mặt đường, cầu cống.",
     "A pothole, subsidence or a broken road surface or bridge.",
     "Hạ tầng", "Infrastructure", "ổ gà, đường, sụt lún, pothole, road", 7),
    ("cay-do", "Cây đổ, cành gãy", "Fallen tree or branch",
     "Cây xanh đổ, cành gãy hoặc có nguy cơ gãy đổ.",
     "A tree or branch has fallen or is about to.",
     "Môi trường", "Environment", "cây, cành, bão, tree, branch", 2),
    ("rac-thai", "Rác thải, xả thải trái phép", "Illegal dumping or litter",
     "Rác đổ trộm, xả thải ra kênh mương, điểm tập kết rác quá tải.",
     "Rubbish dumped, waste into canals, an overflowing collection point.",
     "Môi trường", "Environment", "rác, xả thải, ô nhiễm, rubbish, waste", 5),
    ("lan-chiem", "Lấn chiếm lòng đường, vỉa hè", "Encroachment on road or pavement",
     "Buôn bán, vật liệu, công trình lấn chiếm lòng đường, vỉa hè, hành lang giao thông.",
     "Stalls, materials or building works taking over the road or the pavement.",
     "Trật tự", "Public order", "lấn chiếm, vỉa hè, encroachment, pavement", 10),
]

CENTRE = (21.5862, 105.8141)  # near the cultural house of Thôn Đồng Bầu (an illustration)


def _seat(session: Session, department: Department, desk: str) -> User:
    return session.scalar(select(User).join(OfficerMembership,
                                            OfficerMembership.user_id == User.id)
                          .where(OfficerMembership.department_id == department.id,
                                 OfficerMembership.desk == desk).order_by(User.id))


def seed_reports(session: Session, people: dict[str, User]) -> dict[str, int]:
    commune = session.scalar(select(AdminUnit).where(AdminUnit.code == "05600"))
    villages = {v.name_vi: v for v in session.scalars(
        select(AdminUnit).where(AdminUnit.parent_id == commune.id))}
    made = {}
    for position, (code, vi, en, dvi, den, gvi, gen, words, sla) in enumerate(CATEGORIES):
        made[code] = cats.save_category(session, cats.CategoryData(
            code=code, name_vi=vi, name_en=en, description_vi=dvi, description_en=den,
            group_vi=gvi, group_en=gen, keywords=words, sla_days=sla, position=position))
    cats.save_attribute(session, made["den-duong-hong"].id, cats.AttributeData(
        code="pole_number", datatype="string", description_vi="Số hiệu cột đèn (ghi trên cột)",
        description_en="Number of the lamp post (written on it)", position=1))
    cats.save_attribute(session, made["cay-do"].id, cats.AttributeData(
        code="blocking", datatype="singlevaluelist", required=True, position=1,
        description_vi="Cây có chắn lối đi không?", description_en="Does it block the way?",
        choices="co | Có, chắn lối đi | Yes, it blocks the way\nkhong | Không | No"))
    # Street lights in this commune go to the one-stop desk, which calls the power company;
    # everything else follows the routing rule for field reports (Địa chính – Xây dựng).
    one_stop = session.scalar(select(Department).where(Department.code == f"{commune.code}-MC"))
    cats.save_route(session, made["den-duong-hong"].id, cats.RouteData(
        unit_id=commune.id, department_id=one_stop.id, mode="pull"))

    works = session.scalar(select(Department).where(Department.code == f"{commune.code}-DC"))
    intake, leader = _seat(session, works, "intake"), works.leader
    desk_intake = people["intake"]
    neighbours = list(session.scalars(select(User).where(
        User.role == "resident", User.commune_id == commune.id, User.id != people["resident"].id)
        .order_by(User.id)).all())
    an = people["resident"]
    other = neighbours[0] if neighbours else an
    third = neighbours[1] if len(neighbours) > 1 else an
    now = utcnow()

    def report(who, code, village, text, days, *, at=None, address="", anonymous=False,
               attributes=None):
        lat, lng = at if at else (None, None)
        return services.create_report(session, who, services.ReportInput(
            category_code=code, description=text, commune_id=commune.id,
            village_id=villages[village].id, address=address, lat=lat, lng=lng,
            location_source="device" if at else "typed", anonymous=anonymous,
            attributes=attributes or {}), now=now - timedelta(days=days))

    def work(item, days, start=True, by_intake=intake, by=leader):
        perform(session, item.case_id, "receive", by_intake, now=now - timedelta(days=days))
        if start:
            perform(session, item.case_id, "start", by, now=now - timedelta(days=days, hours=-2))

    drain = report(an, "cong-ranh-tac", "Thôn Đồng Bầu",
                   "Cống thoát nước trước nhà văn hóa thôn bị rác và bùn lấp kín. Mưa to tối qua "
                   "nước tràn cả mặt đường, xe máy đi qua rất nguy hiểm.", 4, at=CENTRE,
                   address="Trước nhà văn hóa thôn Đồng Bầu")
    work(drain, 3)
    services.support(session, drain.case_id, third, now=now - timedelta(days=3))
    same_drain = report(other, "cong-ranh-tac", "Thôn Đồng Bầu",
                        "Rãnh nước cạnh nhà văn hóa bị tắc, nước ngập sang sân nhà tôi.", 2,
                        at=(CENTRE[0] + 0.0002, CENTRE[1] + 0.0002))
    services.merge(session, same_drain.case_id, drain.case.code, intake,
                   now=now - timedelta(days=1))

    light = report(an, "den-duong-hong", "Thôn Tân Lập",
                   "Cột đèn ở ngã ba vào trường tiểu học không sáng đã một tuần, tối rất tối.",
                   2, at=(21.5921, 105.8207), anonymous=True,
                   attributes={"pole_number": ["TL-07"]})
    perform(session, light.case_id, "receive", desk_intake, now=now - timedelta(days=1))

    pothole = report(other, "o-ga-mat-duong", "Thôn Khuôn Ngục",
                     "Ổ gà lớn sâu khoảng 20 cm giữa đường liên thôn, đoạn gần cầu Khuôn Ngục.",
                     12, at=(21.5788, 105.8063))
    work(pothole, 11)
    services.answer(session, pothole.case_id, leader, outcome="fixed",
                    text="Ngày hôm qua tổ duy tu đã vá ổ gà bằng bê tông nhựa nguội. Cảm ơn "
                         "bà con đã phản ánh.", now=now - timedelta(days=6))
    services.rate(session, pothole.case_id, other, 4, "Sửa nhanh, cảm ơn xã.",
                  now=now - timedelta(days=5))

    tree = report(third, "cay-do", "Thôn Na Mao",
                  "Cây bạch đàn đổ chắn ngang đường vào thôn sau cơn giông chiều nay.", 9,
                  at=(21.5975, 105.8012), attributes={"blocking": ["co"]})
    work(tree, 9)
    services.answer(session, tree.case_id, leader, outcome="fixed",
                    text="Dân quân xã đã cưa và dọn cây ngay trong tối, đường đã thông.",
                    now=now - timedelta(days=8))

    dumping = report(an, "rac-thai", "Thôn Tân Lập",
                     "Có người đổ trộm rác xây dựng ven suối cuối thôn Tân Lập.", 7,
                     at=(21.5953, 105.8260))
    work(dumping, 6)
    services.answer(session, dumping.case_id, leader, outcome="not_responsible",
                    text="Đoạn suối này thuộc địa phận xã Phú Bình. Xã đã chuyển thông tin cho "
                         "UBND xã Phú Bình để xử lý.", now=now - timedelta(days=5))

    stall = report(other, "lan-chiem", "Thôn Đồng Bầu",
                   "Quán nước dựng mái che lấn ra lề đường đoạn gần chợ.", 8,
                   address="Đường vào chợ Đồng Bầu")
    work(stall, 7)
    services.answer(session, stall.case_id, leader, outcome="closed",
                    text="Cán bộ địa chính đã kiểm tra: mái che nằm trong phần đất của hộ gia "
                         "đình, không lấn chiếm lề đường.", now=now - timedelta(days=4))

    report(third, "den-duong-hong", "Thôn Na Mao",
           "Đèn đường đầu thôn Na Mao sáng cả ban ngày.", 0)
    more = _more_reports(session, people, commune, villages, intake, leader, desk_intake, now)
    create_key(session, "Ứng dụng Zalo của xã (thử nghiệm)", people["admin"].id)
    return {"report_categories": len(CATEGORIES), "field_reports": 8 + more, "api_keys": 1}


# What residents of a rural commune write, by category: (category, text).
EVERYDAY = [
    ("cong-ranh-tac", "Rãnh thoát nước dọc đường bị lấp đất, mưa xuống nước chảy tràn vào sân."),
    ("cong-ranh-tac", "Nắp cống bị vỡ, trẻ con đi học qua rất dễ sụt chân."),
    ("den-duong-hong", "Hai bóng đèn trên đường ra cánh đồng không sáng mấy hôm nay."),
    ("den-duong-hong", "Đèn đường chập chờn, lúc sáng lúc tắt cả đêm."),
    ("o-ga-mat-duong", "Mặt đường bê tông bị nứt, lún thành vệt dài gần cống qua đường."),
    ("o-ga-mat-duong", "Đoạn đường đất lầy lội sau mưa, xe máy trượt ngã."),
    ("cay-do", "Cành xà cừ to bị gãy treo lơ lửng trên đường vào chợ."),
    ("rac-thai", "Điểm tập kết rác đầu thôn quá tải, bốc mùi hai ngày nay."),
    ("rac-thai", "Bao bì thuốc bảo vệ thực vật vứt bừa bãi bên bờ mương."),
    ("lan-chiem", "Xe chở vật liệu xây dựng đổ cát tràn ra nửa lòng đường."),
]


def _more_reports(session: Session, people, commune, villages, intake, leader, desk_intake,
                  now) -> int:
    """Thirty more, spread over the commune and the last month, in every state and due band:
    the works department's queue as a real one looks."""
    import random

    rng = random.Random(2026)
    residents = list(session.scalars(select(User).where(
        User.role == "resident", User.commune_id == commune.id).order_by(User.id)))
    names = sorted(villages)
    made = 0
    for number in range(30):
        code, text = EVERYDAY[number % len(EVERYDAY)]
        days = rng.randint(0, 30)
        sent = now - timedelta(days=days, hours=rng.randint(6, 9))
        at = (CENTRE[0] + rng.uniform(-0.015, 0.015), CENTRE[1] + rng.uniform(-0.015, 0.015))
        item = services.create_report(session, rng.choice(residents), services.ReportInput(
            category_code=code, description=text, commune_id=commune.id,
            village_id=villages[names[number % len(names)]].id,
            lat=round(at[0], 6), lng=round(at[1], 6), location_source="device",
            anonymous=number % 4 == 0,
            attributes={"blocking": ["khong"]} if code == "cay-do" else {}), now=sent)
        made += 1
        stage = number % 4  # 0 waits for intake, 1 received, 2 in progress, 3 answered
        if stage == 0:
            continue
        receiver = desk_intake if code == "den-duong-hong" else intake
        worker = people["leader"] if code == "den-duong-hong" else leader
        perform(session, item.case_id, "receive", receiver, now=sent + timedelta(hours=1))
        if stage == 1:
            continue
        perform(session, item.case_id, "start", worker, now=sent + timedelta(hours=3))
        if stage == 3:
            services.answer(session, item.case_id, worker, outcome="fixed",
                            text="Tổ công tác của xã đã kiểm tra và khắc phục xong.",
                            now=sent + timedelta(hours=5))
    return made
