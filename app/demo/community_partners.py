""""Ba Nhà" partners for the demo: a verified business and school of Xã Đại Phúc whose contact is
the demo resident, one mass organisation waiting for verification, and a pledge from each
verified partner to every accepted initiative the demo already has (the initiatives' own seed
runs first; with none, there are no pledges)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.units import COMMUNES
from app.models import AdminUnit, Initiative, Partner, Pledge, User, utcnow


def seed_partners(session: Session, units: dict[str, AdminUnit], people: dict[str, User]) -> dict:
    commune = units[COMMUNES[1][0]]
    contact, verifier = people["resident"], people["leader"]
    now = utcnow()
    business = Partner(name="Công ty TNHH Vật liệu xây dựng Đại Phúc", kind="business",
                       description="Cung cấp xi măng, cát, đá cho công trình trong xã.",
                       unit_id=commune.id, contact_user_id=contact.id,
                       contact_phone="0912345678", verified_at=now, verified_by_id=verifier.id)
    school = Partner(name="Trường THCS Đại Phúc", kind="school",
                     description="Giáo viên và học sinh tham gia ngày công lao động.",
                     unit_id=commune.id, contact_user_id=contact.id,
                     contact_phone="0912345678", verified_at=now, verified_by_id=verifier.id)
    pending = Partner(name="Hội Liên hiệp Phụ nữ xã Đại Phúc", kind="state",
                      unit_id=commune.id, contact_user_id=contact.id, contact_phone="0912345678")
    session.add_all([business, school, pending])
    session.flush()
    pledges = 0
    for initiative in session.scalars(select(Initiative).where(
            Initiative.status.in_(("accepted", "in_progress")))):
        for need in initiative.needs:
            partner = school if need.kind in ("labour", "expertise") else business
            quantity = max(1, (need.quantity or 2) // 2) if need.kind != "expertise" else None
            session.add(Pledge(partner_id=partner.id, initiative_id=initiative.id,
                               need_id=need.id, kind=need.kind, quantity=quantity,
                               note="Cam kết hỗ trợ (dữ liệu mẫu)"))
            pledges += 1
    session.flush()
    return {"partners": 3, "pledges": pledges}
