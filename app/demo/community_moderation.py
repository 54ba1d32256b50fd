"""Demo comments, and one comment hidden by residents' reports so the moderators' queue
(Kiểm duyệt) has something to show. Runs after the initiatives and needs demo; without any
initiative open to comments or need it adds nothing. Through the services the pages use: the
reports hide the comment at the commune's threshold, log it and tell its author."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.community import moderation_service as service
from app.community.initiatives_service import LISTED
from app.models import User
from app.models.community import Initiative, VillageNeed


def seed_moderation(session: Session, people: dict[str, User]) -> dict:
    initiative = session.scalar(select(Initiative).where(Initiative.status.in_(LISTED))
                                .order_by(Initiative.id))
    need = session.scalar(select(VillageNeed).where(VillageNeed.hidden.is_(False))
                          .order_by(VillageNeed.id))
    resident = people.get("resident")
    if resident is None or (initiative is None and need is None):
        return {"comments": 0}
    written = 0
    if initiative is not None:
        for body in ("Tôi ủng hộ, nhà tôi góp được 2 ngày công.", "Đề nghị làm trước mùa mưa."):
            service.add_comment(session, resident, "initiative", initiative.id, body)
            written += 1
    if need is not None:
        service.add_comment(session, resident, "village_need", need.id, "Chiều thứ Bảy tôi rảnh.")
        written += 1
    target_type, target_id = ("initiative", initiative.id) if initiative is not None \
        else ("village_need", need.id)
    spam = service.add_comment(session, resident, target_type, target_id,
                               "Bán đất nền giá rẻ, gọi ngay!")
    threshold = service.flag_threshold(
        session, service.commune_of(session, target_type, target_id))
    reporters = session.scalars(select(User).where(User.role == "resident",
                                                   User.id != resident.id)
                                .order_by(User.id).limit(threshold)).all()
    for reporter in reporters:
        service.flag(session, reporter, "comment", spam.id, "spam")
    return {"comments": written + 1}
