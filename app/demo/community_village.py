"""Demo data for the village needs board: a few needs of the demo commune's villages, one with
a support, a volunteer and a progress update (called once from app/demo/seed.py seed_demo)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from app.demo.units import COMMUNES
from app.models import (AdminUnit, NeedSupport, NeedUpdate, User, VillageNeed, VillageNeedItem,
                        Volunteer, utcnow)
from app.text import fold

NEEDS = [
    ("01", "roads", "Bê tông hóa đường ngõ xóm 3",
     "Đoạn đường 200 m lầy lội mỗi mùa mưa; bà con góp công, cần thêm vật liệu.", 45,
     [("Xi măng", 120, "bao"), ("Đá dăm", 30, "m³"), ("Ngày công", 60, "ngày")]),
    ("02", "school", "Đồ dùng học tập cho học sinh khó khăn",
     "Hai mươi em học sinh cần sách vở trước năm học mới.", 20,
     [("Bộ sách giáo khoa", 20, "bộ"), ("Vở", 200, "quyển")]),
    ("01", "disaster_relief", "Hỗ trợ gia đình bà Lò Thị Mai sau lũ",
     "Nhà bị tốc mái sau trận lũ tháng 10.", 10,
     [("Tấm lợp", 40, "tấm"), ("Ngày công", 10, "ngày")]),
]


def seed_village_needs(session: Session, units: dict[str, AdminUnit],
                       people: dict[str, User]) -> int:
    commune = units[COMMUNES[1][0]]
    now = utcnow()
    poster = people["specialist"]
    needs = []
    for i, (village_no, category, title, description, days, items) in enumerate(NEEDS):
        village = units[f"{commune.code}-{village_no}"]
        need = VillageNeed(unit_id=commune.id, village_id=village.id, posted_by_id=poster.id,
                           category=category, title=title, description=description,
                           needed_by=(now + timedelta(days=days)).date(),
                           created_at=now - timedelta(days=3 - i),
                           updated_at=now - timedelta(days=3 - i))
        need.items = [VillageNeedItem(description=d, quantity=q, unit_label=u)
                      for d, q, u in items]
        need.search_text = fold(" ".join([title, description, commune.name_vi, village.name_vi]
                                         + [d for d, _q, _u in items]))
        session.add(need)
        needs.append(need)
    session.flush()
    first = needs[0]
    first.items[0].received = 45
    resident = people["resident"]
    session.add_all([
        NeedSupport(need_id=first.id, user_id=resident.id),
        Volunteer(need_id=first.id, user_id=resident.id, availability="Sáng thứ Bảy"),
        NeedUpdate(need_id=first.id, author_id=poster.id,
                   body="Đã nhận 45 bao xi măng do bà con đóng góp.", created_at=now),
    ])
    first.support_count, first.volunteer_count = 1, 1
    session.flush()
    return len(needs)


def seed_village_help(session: Session, people: dict[str, User]) -> int:
    """The flood-relief need asks the commune for help: a 'village_need' case in its queue,
    made by the same service the need page uses. Runs after the demo's first commit."""
    from sqlalchemy import select

    from app.village.services import ask_for_help

    need = session.scalar(select(VillageNeed).where(VillageNeed.category == "disaster_relief"))
    if need is None:
        return 0
    ask_for_help(session, people["leader"], need)
    return 1
