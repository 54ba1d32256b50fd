""""Ba Nhà" partners for the demo: a business and a school of Xã Đại Phúc whose contact is the
demo resident, registered and verified by the commune's leader, one mass organisation still
waiting for verification, and a pledge from a verified partner to each need of every accepted
initiative the demo already has (the initiatives' own seed runs first; with none, there are no
pledges); the first is marked delivered. All through the services the pages use, so the
demo's messages and columns are what real use would leave behind."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.community import partners_notices as notices
from app.community import partners_service as partners
from app.community import pledges_service as pledges
from app.demo.units import COMMUNES
from app.models import AdminUnit, Initiative, User


def seed_partners(session: Session, units: dict[str, AdminUnit], people: dict[str, User]) -> dict:
    commune = units[COMMUNES[1][0]]
    contact, verifier = people["resident"], people["leader"]

    def register(name, kind, description=""):
        return partners.register(session, contact, partners.Registration(
            name=name, kind=kind, description=description, unit_id=commune.id,
            contact_phone="0912 345 678"))

    business = register("Công ty TNHH Vật liệu xây dựng Đại Phúc", "business",
                        "Cung cấp xi măng, cát, đá cho công trình trong xã.")
    school = register("Trường THCS Đại Phúc", "school",
                      "Giáo viên và học sinh tham gia ngày công lao động.")
    register("Hội Liên hiệp Phụ nữ xã Đại Phúc", "state")
    for partner in (business, school):
        partners.verify(session, verifier, partner.id, on_verified=notices.tell_contact_verified)
    made = []
    for initiative in session.scalars(select(Initiative).where(
            Initiative.status.in_(pledges.OPEN_FOR_PLEDGES)).order_by(Initiative.id)).all():
        for need in initiative.needs:
            partner = school if need.kind in ("labour", "expertise") else business
            quantity = (str(max(1, (need.quantity or 2) // 2)) if need.kind != "expertise"
                        else "")
            made.append(pledges.pledge(
                session, contact, initiative.id, pledges.PledgeRequest(
                    partner_id=partner.id, need_id=need.id, kind=None, quantity=quantity,
                    note="Giáo viên nhà trường tư vấn thiết kế miễn phí."
                    if need.kind == "expertise" else "Hỗ trợ theo khả năng của đơn vị."),
                on_pledged=notices.tell_author_of_pledge))
    if made:
        pledges.settle(session, verifier, made[0].id, "delivered")
    return {"partners": 3, "pledges": len(made)}
