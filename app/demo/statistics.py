"""Demo figures for the statistics and the smart-commune scorecard: two more communes' one-stop
desks with three months of dossiers (so the province's figures compare communes), the demo
resident rates the dossiers handed back to them, and staff enter this year's and last year's
scorecard figures with their sources; all through the same services the pages use."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dossiers import services as dossiers
from app.models import AdminUnit, Case, Department, Dossier, Procedure, RoutingRule, User, utcnow
from app.queue.actions import perform
from app.queue.calendar import LOCAL_TZ, local_day
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
# Communes whose one-stop desk joins the portal in the demo, with how often they are late.
DESKS = [("05500", "Bộ phận Một cửa phường", "Ward one-stop desk", 0.05),
         ("05900", "Bộ phận Một cửa xã", "Commune one-stop desk", 0.25)]
NAMES = ["Lương Văn Tú", "Hà Thị Nga", "Nông Văn Dũng", "Triệu Thị Mến", "Ma Văn Quân",
         "Đàm Thị Liên"]
DOSSIERS_PER_DESK = 12


def _moment(day: date, hour: int, rng: random.Random) -> datetime:
    return datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=LOCAL_TZ)


def _other_desks(session: Session, people: dict[str, User]) -> int:
    """Three months of dossiers at two more communes' desks, worked by the administrator."""
    rng = random.Random(766)
    admin, today = people["admin"], local_day(utcnow())
    procedures = [p for p in session.scalars(select(Procedure).where(Procedure.active)
                                             .order_by(Procedure.code))
                  if p.field.category and p.processing_days <= 5 and not p.requires_approval][:6]
    made = 0
    for code, name_vi, name_en, late_share in DESKS:
        commune = session.scalar(select(AdminUnit).where(AdminUnit.code == code))
        if commune is None or not procedures:
            continue
        # Online dossiers come from an account; a resident of the commune who uses the portal.
        online_user = User(full_name=NAMES[made % len(NAMES)], phone=f"0377{code[:4]}{made:02d}",
                           role="resident", password_hash=people["resident"].password_hash,
                           commune_id=commune.id)
        desk = Department(unit_id=commune.id, code=f"{code}-MC", name_vi=name_vi,
                          name_en=name_en, case_types="dossier")
        session.add_all([online_user, desk])
        session.flush()
        session.add(RoutingRule(case_type="dossier", unit_id=commune.id,
                                department_id=desk.id, mode="pull"))
        session.commit()
        for n in range(DOSSIERS_PER_DESK):
            day = today - timedelta(days=rng.randint(2, 90))
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            received = _moment(day, rng.randint(7, 15), rng)
            procedure = rng.choice(procedures)
            online = rng.random() < 0.4
            dossier = dossiers.submit(session, dossiers.Submission(
                procedure_id=procedure.id, unit_id=commune.id,
                applicant_name=online_user.full_name if online else rng.choice(NAMES),
                applicant_phone=online_user.phone if online
                else f"09{rng.randint(10_000_000, 99_999_999)}",
                channel="online" if online else "walk_in",
                applicant_user_id=online_user.id if online else None,
                submitted_by_id=online_user.id if online else admin.id,
                idempotency_key=f"demo-stats-{code}-{n}"), now=received)
            case = dossier.case
            perform(session, case.id, "receive", admin, now=received + timedelta(minutes=20))
            if n % 6 == 5:
                perform(session, case.id, "withdraw", admin, note="Công dân xin rút hồ sơ.",
                        now=received + timedelta(hours=2))
                continue
            started = received + timedelta(hours=1)
            perform(session, case.id, "start", admin, now=started)
            session.refresh(case)
            late = rng.random() < late_share
            finish = (case.due_at + timedelta(hours=rng.randint(18, 70)) if late
                      else max(started + timedelta(hours=2),
                               case.due_at - timedelta(hours=rng.randint(4, 60))))
            if finish < utcnow() - timedelta(hours=1):
                perform(session, case.id, "complete", admin, now=finish)
            made += 1
    return made


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
    desks = _other_desks(session, people)
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
    return {"ratings": rated, "scorecard_values": entered, "other_desk_dossiers": desks}
