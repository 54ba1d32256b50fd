"""Demo figures for the statistics and the smart-commune scorecard: the demo resident rates the
dossiers handed back to them, and commune staff enter this year's and last year's scorecard
figures with their sources, through the same services the pages use."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dossiers import services as dossiers
from app.models import AdminUnit, Case, Dossier, User, utcnow
from app.queue.calendar import local_day
from app.stats import scorecard

# (commune code, indicator, last year's value, this year's value, source)
FIGURES = [
    ("05600", "population", "11.840", "12.015", "Báo cáo dân số của UBND xã Đại Phúc"),
    ("05600", "broadband_households", "71,5", "78,2", "Số liệu thuê bao của VNPT Thái Nguyên"),
    ("05600", "mobile_coverage", "75", "100", "Báo cáo phủ sóng của Viettel Thái Nguyên"),
    ("05600", "digital_trainings", "6", "11", "Kế hoạch chuyển đổi số của xã, báo cáo 6 tháng"),
    ("05600", "people_trained", "240", "515", "Danh sách học viên các lớp kỹ năng số"),
    ("05600", "digital_team_members", "28", "32", "Quyết định thành lập Tổ công nghệ số cộng đồng"),
    ("05600", "waste_collection", "62", "70,5", "Báo cáo của Hợp tác xã vệ sinh môi trường"),
    ("05600", "public_dialogues", "2", "3", "Biên bản đối thoại với Nhân dân"),
    ("05500", "population", "21.300", "21.460", "Báo cáo dân số của UBND phường"),
    ("05500", "broadband_households", "88", "91,4", "Số liệu thuê bao của VNPT Thái Nguyên"),
    ("05500", "mobile_coverage", "100", "100", "Báo cáo phủ sóng của Viettel Thái Nguyên"),
    ("05500", "digital_trainings", "9", "14", "Báo cáo chuyển đổi số của phường"),
    ("05500", "waste_collection", "95", "97", "Báo cáo của Công ty Môi trường đô thị"),
    ("05900", "population", "9.870", "9.905", "Báo cáo dân số của UBND xã Võ Nhai"),
    ("05900", "broadband_households", "38", "46,7", "Số liệu thuê bao của VNPT Thái Nguyên"),
    ("05900", "mobile_coverage", "67", "100", "Báo cáo phủ sóng của Viettel Thái Nguyên"),
    ("05900", "digital_team_members", "18", "24", "Quyết định thành lập Tổ công nghệ số cộng đồng"),
]
RATINGS = [5, 4, 5, 3, 5, 4, 2, 5]


def _rate_returned(session: Session, resident: User) -> int:
    cases = session.scalars(select(Case).join(Dossier, Dossier.case_id == Case.id)
                            .where(Case.applicant_id == resident.id, Case.state == 10,
                                   Dossier.rating.is_(None)).order_by(Case.id)).all()
    for case, level in zip(cases, RATINGS):
        dossiers.rate(session, resident.id, case.id, level,
                      "Cán bộ hướng dẫn tận tình." if level >= 4 else None)
    return min(len(cases), len(RATINGS))


def seed_statistics(session: Session, people: dict[str, User]) -> dict[str, int]:
    today = local_day(utcnow())
    admin = people["admin"]
    rated = _rate_returned(session, people["resident"])
    entered = 0
    units = {u.code: u for u in session.scalars(select(AdminUnit)
                                                .where(AdminUnit.level == "commune"))}
    for code, indicator, last, this, source in FIGURES:
        commune = units.get(code)
        if commune is None:
            continue
        for year, value in ((today.year - 1, last), (today.year, this)):
            as_of = date(year, 12, 31) if year < today.year else max(
                date(year, 1, 1), min(date(year, 6, 30), today))
            scorecard.record_value(session, admin, commune_id=commune.id, indicator=indicator,
                                   year=year, value=value, source=source, as_of=as_of)
            entered += 1
    return {"ratings": rated, "scorecard_values": entered}
