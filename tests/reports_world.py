"""A commune that takes field reports, for the reports and Open311 tests: a province, a commune
with two villages, the works department (a routing rule sends it every field report), its
intake officer, specialist and leader, two residents, and two report categories (a blocked
drain with no extra question; a fallen tree asking whether it blocks the way)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

PASSWORD = "reports-password-1"
# Near the cultural house of a village in Thái Nguyên.
HERE = (21.5862, 105.8141)


@dataclass
class ReportsWorld:
    province: object
    commune: object
    village: object
    other_village: object
    dept: object
    intake: object
    specialist: object
    leader: object
    resident: object
    neighbour: object
    drain: object
    tree: object


def build(session) -> ReportsWorld:
    from app.models import RoutingRule
    from app.reports import categories as cats
    from tests.factories import make_department, make_officer, make_unit, make_user

    province = make_unit(session, level="province", name_vi="Tỉnh Thử", name_en="Test Province")
    commune = make_unit(session, level="commune", parent=province, name_vi="Xã Đại Phúc",
                        name_en="Dai Phuc Commune")
    village = make_unit(session, level="village", parent=commune, name_vi="Thôn Đồng Bầu",
                        name_en="Dong Bau Village")
    other_village = make_unit(session, level="village", parent=commune, name_vi="Thôn Tân Lập",
                              name_en="Tan Lap Village")
    dept = make_department(session, commune, case_types="field_report,dossier",
                           name_vi="Địa chính – Xây dựng", name_en="Land & Construction")
    intake = make_officer(session, dept, desk="intake", skills=["field_report"],
                          password=PASSWORD, full_name="Hoàng Thị Mai")
    specialist = make_officer(session, dept, desk="specialist", skills=["field_report"],
                              password=PASSWORD, full_name="Lý Văn Thắng")
    leader = make_officer(session, dept, desk="leader", lead=True, password=PASSWORD,
                          full_name="Phan Văn Đức")
    resident = make_user(session, role="resident", password=PASSWORD, commune=commune,
                         full_name="Hoàng Văn An")
    neighbour = make_user(session, role="resident", password=PASSWORD, commune=commune,
                          full_name="Nguyễn Thị Bình")
    session.add(RoutingRule(case_type="field_report", category="field_report",
                            unit_id=commune.id, department_id=dept.id, mode="pull",
                            active=True))
    session.commit()
    drain = cats.save_category(session, cats.CategoryData(
        code="cong-ranh-tac", name_vi="Cống rãnh tắc", name_en="Blocked drain", sla_days=3,
        description_vi="Cống, rãnh bị tắc.", description_en="A drain is blocked.",
        group_vi="Hạ tầng", group_en="Infrastructure", keywords="cống, drain"))
    tree = cats.save_category(session, cats.CategoryData(
        code="cay-do", name_vi="Cây đổ", name_en="Fallen tree", sla_days=2, position=1))
    cats.save_attribute(session, tree.id, cats.AttributeData(
        code="blocking", datatype="singlevaluelist", required=True, position=1,
        description_vi="Cây có chắn lối đi không?", description_en="Does it block the way?",
        choices="co | Có | Yes\nkhong | Không | No"))
    return ReportsWorld(province, commune, village, other_village, dept, intake, specialist,
                        leader, resident, neighbour, drain, tree)


def jpeg(size=(1200, 900), gps: tuple[float, float] | None = None, colour=(90, 120, 60),
         comment: bytes | None = None) -> bytes:
    """A JPEG as a phone makes one: EXIF with the camera's make and, if given, where it was."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    if gps is not None:
        info = exif.get_ifd(0x8825)
        lat, lng = gps
        info[1] = "N" if lat >= 0 else "S"
        info[2] = _dms(abs(lat))
        info[3] = "E" if lng >= 0 else "W"
        info[4] = _dms(abs(lng))
    out = io.BytesIO()
    extra = {"comment": comment} if comment else {}
    image.save(out, "JPEG", exif=exif, **extra)
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def png(size=(400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 20, 30, 128)).save(out, "PNG")
    return out.getvalue()
