"""Demo comments, and one comment hidden by residents' reports so the moderators' queue
(Kiểm duyệt) has something to show. Runs after the initiatives and needs demo; without any
published initiative or need it adds nothing."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.models.community import Comment, Flag, Initiative, ModerationEntry, VillageNeed


def seed_moderation(session: Session, people: dict[str, User]) -> dict:
    initiative = session.scalar(select(Initiative).where(
        Initiative.status.notin_(("draft", "hidden"))).order_by(Initiative.id))
    need = session.scalar(select(VillageNeed).where(VillageNeed.hidden.is_(False))
                          .order_by(VillageNeed.id))
    resident = people.get("resident")
    if resident is None or (initiative is None and need is None):
        return {"comments": 0}
    comments = []
    if initiative is not None:
        comments += [
            Comment(target_type="initiative", target_id=initiative.id, author_id=resident.id,
                    body="Tôi ủng hộ, nhà tôi góp được 2 ngày công."),
            Comment(target_type="initiative", target_id=initiative.id, author_id=resident.id,
                    body="Đề nghị làm trước mùa mưa."),
        ]
    if need is not None:
        comments.append(Comment(target_type="village_need", target_id=need.id,
                                author_id=resident.id, body="Chiều thứ Bảy tôi rảnh."))
    target_type, target_id = ("initiative", initiative.id) if initiative is not None \
        else ("village_need", need.id)
    reporters = list(session.scalars(select(User).where(User.role == "resident")
                                     .order_by(User.id).limit(3)))
    spam = Comment(target_type=target_type, target_id=target_id, author_id=resident.id,
                   body="Bán đất nền giá rẻ, gọi ngay!", status="hidden",
                   flag_count=len(reporters))
    session.add_all(comments + [spam])
    session.flush()
    session.add_all([Flag(target_type="comment", target_id=spam.id, user_id=u.id,
                          reason="spam") for u in reporters])
    session.add(ModerationEntry(target_type="comment", target_id=spam.id, action="auto_hide"))
    session.flush()
    return {"comments": len(comments) + 1}
