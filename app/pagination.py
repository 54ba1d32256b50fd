"""One page of a long list, for every paginated screen (admin lists, the workbench queue).

No Flask here; the matching pager is app/templates/components/pager.html.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

__all__ = ["Page", "page_number", "page_of_query", "page_of_list"]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int  # 1-based, always within 1..pages
    pages: int   # at least 1, even for an empty list
    total: int

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(page: int | None, total: int, size: int) -> tuple[int, int]:
    """(number, pages): the asked-for page clamped to the pages that exist."""
    pages = max(1, math.ceil(total / size))
    return min(max(1, page or 1), pages), pages


def page_of_query(session: Session, stmt: Select, page: int | None, size: int) -> Page:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    number, pages = page_number(page, total, size)
    items = session.scalars(stmt.limit(size).offset((number - 1) * size)).all()
    return Page(items, number, pages, total)


def page_of_list(items: Sequence[T], page: int | None, size: int) -> Page[T]:
    number, pages = page_number(page, len(items), size)
    return Page(list(items[(number - 1) * size: number * size]), number, pages, len(items))
