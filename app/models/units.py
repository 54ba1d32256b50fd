"""Administrative units: province/city -> commune/ward -> village/hamlet (two-tier local
government since 1 July 2025, villages below the commune)."""
from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Bilingual


class UnitLevel(str, enum.Enum):
    PROVINCE = "province"
    COMMUNE = "commune"
    VILLAGE = "village"


PARENT_LEVEL = {
    UnitLevel.PROVINCE: None,
    UnitLevel.COMMUNE: UnitLevel.PROVINCE,
    UnitLevel.VILLAGE: UnitLevel.COMMUNE,
}


class AdminUnit(Bilingual, Base):
    __tablename__ = "admin_units"
    __table_args__ = (
        CheckConstraint("level IN ('province', 'commune', 'village')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    level: Mapped[str] = mapped_column(String(10))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)

    parent: Mapped[AdminUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[AdminUnit]] = relationship(back_populates="parent", order_by="AdminUnit.code")

    def ancestors(self) -> list[AdminUnit]:
        """Self first, then parent, up to the province: the routing fallback order."""
        chain, unit = [], self
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return chain

    def __repr__(self) -> str:
        return f"<AdminUnit {self.code} {self.name_vi}>"
