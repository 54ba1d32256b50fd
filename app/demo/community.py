"""Demo community initiatives in Xã Đại Phúc: one gathering support, one that reached the
commune's threshold and waits in the queue for its answer, one accepted with its needs and a
first progress update, and the demo resident's own draft. Built through the same services the
pages use, so the demo's cases, events and messages are what real use would leave behind.

Other parts of the participation side add their demo rows from their own modules
(app/demo/community_<part>.py), each with one call in seed_demo."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.community import initiatives_service as svc
from app.db import write_transaction
from app.models import AdminUnit, CommunitySettings, User, utcnow
from app.passwords import hash_password
from app.queue.actions import perform

DEMO_THRESHOLD = 5
NEIGHBOURS = [("Đỗ Thị Hoa", "0388000101", "vi"), ("Vũ Văn Bình", "0388000102", "vi"),
              ("Ngô Thị Mai", "0388000103", "vi"), ("Bùi Văn Cường", "0388000104", "vi"),
              ("Mark Taylor", "0388000105", "en"), ("Đinh Thị Thu", "0388000106", "vi")]


def seed_community(session: Session, units: dict[str, AdminUnit], people: dict[str, User],
                   password: str) -> dict[str, int]:
    """Returns counts; commits (each step is a write transaction of its own)."""
    commune = session.scalar(select(AdminUnit).where(AdminUnit.code == "05600"))
    villages = {v.name_vi: v for v in svc.villages_of(session, commune.id)}
    resident, admin = people["resident"], people["admin"]
    with write_transaction(session):
        session.add(CommunitySettings(unit_id=commune.id, support_threshold=DEMO_THRESHOLD,
                                      allow_self_support=False, flag_threshold=3))
        hashed = hash_password(password)
        neighbours = [User(full_name=name, phone=phone, role="resident", locale=locale,
                           password_hash=hashed, commune_id=commune.id)
                      for name, phone, locale in NEIGHBOURS]
        session.add_all(neighbours)
    now = utcnow()

    def propose(author, title, description, village, category, cost, needs, days_ago,
                publish=True):
        return svc.propose(session, author, svc.InitiativeInput(
            title=title, description=description, unit_id=commune.id,
            village_id=villages[village].id, category=category, estimated_cost=cost,
            needs=[svc.NeedInput(*n) for n in needs]), publish=publish,
            now=now - timedelta(days=days_ago))

    lamps = propose(resident, "Lắp đèn đường liên thôn Đồng Bầu – Tân Lập",
                    "Đoạn đường 800 m giữa hai thôn không có đèn; học sinh và người đi làm "
                    "về muộn rất nguy hiểm. Đề xuất lắp 20 cột đèn năng lượng mặt trời.",
                    "Thôn Đồng Bầu", "safety", "60.000.000",
                    [("money", "Mua đèn năng lượng mặt trời", "60.000.000", ""),
                     ("labour", "Đào hố, dựng cột", "15", "ngày công")], 12)
    for person in neighbours[:3]:
        svc.support(session, lamps.id, person, now=now - timedelta(days=10))

    ditch = propose(neighbours[0], "Nạo vét mương thoát nước Thôn Tân Lập",
                    "Mương dọc đường chính bị bồi lấp, mưa to là ngập sân các nhà. Cần nạo vét "
                    "và làm nắp đậy đoạn qua trường mầm non.",
                    "Thôn Tân Lập", "water", "35.000.000",
                    [("labour", "Nạo vét mương", "40", "ngày công"),
                     ("materials", "Tấm đan bê tông", "60", "tấm")], 20)
    for person in [resident, *neighbours[1:5]]:  # the fifth support makes it a case
        svc.support(session, ditch.id, person, now=now - timedelta(days=6))

    playground = propose(neighbours[2], "Xây sân chơi cho trẻ em Thôn Na Mao",
                         "Thôn có hơn 80 trẻ em nhưng chưa có chỗ chơi an toàn. Đề xuất dùng "
                         "khoảng đất trống cạnh nhà văn hóa làm sân chơi có xích đu, cầu trượt.",
                         "Thôn Na Mao", "culture", "120.000.000",
                         [("money", "Mua thiết bị sân chơi", "80.000.000", ""),
                          ("materials", "Cát, xi măng làm nền", "50", "bao xi măng"),
                          ("labour", "San nền, lắp đặt", "30", "ngày công"),
                          ("expertise", "Thiết kế sân chơi an toàn", "", "")], 40)
    for person in [resident, neighbours[0], neighbours[1], *neighbours[3:]]:
        svc.support(session, playground.id, person, now=now - timedelta(days=35))
    session.refresh(playground)
    answered_at = now - timedelta(days=20)
    perform(session, playground.case_id, "receive", admin, now=answered_at - timedelta(days=5))
    perform(session, playground.case_id, "start", admin, now=answered_at - timedelta(days=4))
    svc.answer(session, playground.case_id, admin, accepted=True,
               text="UBND xã chấp thuận. Xã hỗ trợ 40.000.000 đồng từ ngân sách văn hóa; phần "
                    "còn lại vận động nhân dân và các đối tác. Khởi công trong tháng 12.",
               now=answered_at)
    svc.post_update(session, playground.id, admin,
                    "Đã san phẳng nền và đổ 30 bao xi măng. Thiết bị đang được đặt mua.",
                    now=now - timedelta(days=5))

    propose(resident, "Trồng cây xanh dọc đường vào trường tiểu học",
            "Bản nháp: cần hỏi thêm ý kiến thôn.", "Thôn Đồng Bầu", "environment", "", [], 1,
            publish=False)
    return {"initiatives": 4}
