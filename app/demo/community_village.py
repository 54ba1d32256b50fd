"""Demo data for the village needs board: a few needs of the demo commune's villages, one with
a support, a volunteer, a quantity received and a progress update, and the flood-relief need
asking the commune for help (called from app/demo/seed.py seed_demo), all through the board's
services."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from app.demo.units import COMMUNES
from app.models import AdminUnit, User, VillageNeed, utcnow

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
    """Posted by the commune's specialist through the board's own services; the first one has
    the demo resident's support and sign-up, a quantity received and a progress update."""
    from app.village import services

    commune = units[COMMUNES[1][0]]
    now = utcnow()
    poster, resident = people["specialist"], people["resident"]
    needs = []
    for i, (village_no, category, title, description, days, items) in enumerate(NEEDS):
        village = units[f"{commune.code}-{village_no}"]
        posted_at = now - timedelta(days=3 - i)
        needs.append(services.post_need(session, poster, services.NeedInput(
            title=title, description=description, place_key=f"village:{village.id}",
            category=category, needed_by=(now + timedelta(days=days)).date(),
            items=[(d, q, u) for d, q, u in items]), now=posted_at))
    first = needs[0]
    services.support(session, resident, first)
    services.volunteer(session, resident, first, "Sáng thứ Bảy")
    services.record_received(session, poster, first, first.items[0].id, 45, now=now)
    services.post_update(session, poster, first, "Đã nhận 45 bao xi măng do bà con đóng góp.",
                         now=now)
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
