"""Demo data for village announcements and emergency alerts, made through their services: a
vaccination day for the whole demo commune, a power cut in one village, a village meeting, a
past notice (published weeks ago, now expired), a flood alert for Thôn Đồng Bầu (the demo
resident's village, so logging in as 0912345678 shows the banner) and the demo resident's
subscription to their village (called once from app/demo/seed.py seed_demo)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from app.demo.units import COMMUNES
from app.models import AdminUnit, User, utcnow
from app.queue.calendar import local_day
from app.village import alerts, announcements, subscriptions

# (village no. or None for the whole commune, category, title vi, title en, text vi, text en,
#  first day and last day as days from today)
ANNOUNCEMENTS = [
    (None, "vaccination", "Ngày tiêm chủng mở rộng cho trẻ dưới 5 tuổi",
     "Vaccination day for children under 5",
     "Trạm Y tế xã Đại Phúc tổ chức tiêm chủng mở rộng (sởi – rubella, bại liệt) cho trẻ dưới "
     "5 tuổi từ 7 giờ 30 đến 11 giờ. Phụ huynh mang theo sổ tiêm chủng và căn cước của cha "
     "hoặc mẹ.",
     "The Dai Phuc commune health station vaccinates children under 5 (measles–rubella, polio) "
     "from 7:30 to 11:00. Parents bring the vaccination book and a parent's ID card.", 4, 5),
    ("02", "power_cut", "Tạm ngừng cấp điện để bảo dưỡng đường dây",
     "Power cut for line maintenance",
     "Điện lực Phú Bình tạm ngừng cấp điện thôn Tân Lập từ 7 giờ đến 16 giờ để thay cột điện "
     "hạ thế. Bà con chủ động bảo quản thực phẩm và ngắt thiết bị điện.",
     "Phu Binh power company cuts power to Tan Lap Village from 7:00 to 16:00 to replace "
     "low-voltage poles. Please keep food cool and unplug appliances.", 2, 2),
    # Vietnamese only: English pages show it in Vietnamese, marked so.
    ("01", "meeting", "Họp thôn bàn kế hoạch làm đường bê tông", "",
     "Mời đại diện các hộ gia đình thôn Đồng Bầu dự họp lúc 19 giờ 30 tại nhà văn hóa thôn "
     "để bàn kế hoạch góp công, góp vật liệu làm đường ngõ xóm 3.",
     "", 3, 3),
    (None, "agriculture", "Lịch thời vụ gieo cấy lúa Xuân",
     "Planting calendar for the spring rice crop",
     "Phòng Nông nghiệp khuyến cáo chỉ gieo mạ khi nhiệt độ trung bình trên 15 độ C, dùng "
     "giống chịu rét và che phủ nilon cho mạ trong những ngày rét đậm.",
     "The agriculture office advises sowing seedlings only when the average temperature is "
     "above 15 °C, using cold-tolerant seed and covering seedlings on very cold days.", 0, 30),
]
# Published weeks ago, expired since: reachable under "past".
PAST = (None, "meeting", "Họp tổng kết vụ mùa", "Harvest review meeting",
        "Mời bà con dự họp tổng kết vụ mùa tại hội trường UBND xã.",
        "Residents are invited to the harvest review at the commune hall.", 0, 1)


def seed_village_notices(session: Session, units: dict[str, AdminUnit],
                         people: dict[str, User]) -> int:
    commune = units[COMMUNES[1][0]]  # Xã Đại Phúc
    staff = people["specialist"]
    now = utcnow()

    def publish(row, at):
        village_no, category, title_vi, title_en, body_vi, body_en, start, end = row
        today = local_day(at)
        place = (f"village:{units[f'{commune.code}-{village_no}'].id}" if village_no
                 else f"commune:{commune.id}")
        return announcements.publish(session, staff, announcements.AnnouncementInput(
            title_vi=title_vi, title_en=title_en, body_vi=body_vi, body_en=body_en,
            place_key=place, category=category, valid_from=today + timedelta(days=start),
            valid_until=today + timedelta(days=end)), now=at)

    publish(PAST, now - timedelta(days=30))
    for i, row in enumerate(ANNOUNCEMENTS):
        publish(row, now - timedelta(hours=len(ANNOUNCEMENTS) - i))
    flood_village = units[f"{commune.code}-01"]  # Thôn Đồng Bầu
    alerts.issue(session, staff, alerts.AlertInput(
        hazard="flood", severity="warning",
        title_vi="Cảnh báo lũ trên sông Công qua thôn Đồng Bầu",
        title_en="Flood warning on the Cong River at Dong Bau",
        body_vi="Mực nước sông Công đang lên nhanh sau mưa lớn. Không đi qua ngầm tràn Đồng "
                "Bầu, di chuyển gia súc và tài sản lên chỗ cao. Khi cần hỗ trợ gọi trưởng thôn "
                "hoặc UBND xã.",
        body_en="The Cong River is rising fast after heavy rain. Do not cross the Dong Bau "
                "ford; move livestock and belongings to higher ground. Call the village head or "
                "the commune office for help.",
        expires_at=now + timedelta(days=2), area_keys=[f"village:{flood_village.id}"]), now=now)
    # Subscribed last, so the demo's own notices queue no messages no one could receive (the
    # demo resident has only a phone, and the demo has no SMS gateway).
    subscriptions.save(session, people["resident"], subscriptions.SubscriptionInput(
        scope="village", alerts=True, announcements="each", categories=[]), now=now)
    return len(ANNOUNCEMENTS) + 1
