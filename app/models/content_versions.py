"""A counter per kind of public content, raised by the same transaction as any change to it.

Pages every visitor sees alike (the procedure catalogue) are kept rendered per process
(app/page_cache.py); a process reads the counter, one indexed row, to know whether what it
kept is still true, so a change made through any node shows on every node at once.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ContentVersion(Base):
    __tablename__ = "content_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
