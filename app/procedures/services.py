"""The public catalogue: finding a procedure and reading it before starting.

Search ignores accents, case and word order: the query is folded (app.text.fold) and split
into words, and a procedure matches when every word occurs in its folded `search_text`
(code, both names and both names of its field), one LIKE per word. Results are sorted the
Vietnamese way on a stored sort key (Procedure.sort_key_vi/_en), in SQL, so a page loads
only its own rows (bench/page_bench.py: sorting all matches in Python cost more than the rest
of the page). Other short lists (fields) are still sorted in Python; a sort key costs about
65 µs, so those keys are remembered per process (a stale entry is impossible: the key is a
pure function of the name). No Flask here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.pagination import Page, page_number
from app.models import Procedure, ProcedureField
from app.text import fold, vietnamese_sort_key

PAGE_SIZE = 20
sort_key = lru_cache(maxsize=16_384)(vietnamese_sort_key)
MAX_QUERY_WORDS = 8
# National codes look like 1.001193 or 2.000986; the URL accepts no more than that alphabet.
CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,29}$")


def search_text(procedure: Procedure, field: ProcedureField | None) -> str:
    """What search compares against, folded once when the procedure is saved."""
    parts = [procedure.code, procedure.name_vi, procedure.name_en]
    if field is not None:
        parts += [field.name_vi, field.name_en]
    return fold(" ".join(p for p in parts if p))


def refresh_field_search_text(session: Session, field: ProcedureField) -> None:
    """A field was renamed: its procedures must be found by the new name (no commit)."""
    for procedure in session.scalars(select(Procedure).where(Procedure.field_id == field.id)):
        procedure.search_text = search_text(procedure, field)


def query_words(query: str | None) -> list[str]:
    return fold(query or "").split()[:MAX_QUERY_WORDS]


def fields(session: Session, lang: str) -> list[ProcedureField]:
    return sorted(session.scalars(select(ProcedureField)),
                  key=lambda f: sort_key(f.name(lang)))


def field_by_code(session: Session, code: str | None) -> ProcedureField | None:
    if not code:
        return None
    return session.scalar(select(ProcedureField).where(ProcedureField.code == code))


@dataclass(frozen=True)
class Search:
    query: str = ""
    field_id: int | None = None
    include_inactive: bool = False


def search(session: Session, criteria: Search, lang: str, page: int | None,
           size: int = PAGE_SIZE) -> Page[Procedure]:
    """One page of matching procedures, sorted by name the Vietnamese way.

    Ordered, counted and cut in SQL on the stored sort key (app.text.vietnamese_sort_text)
    then the name itself, both compared byte for byte (COLLATE "C" on PostgreSQL, SQLite's
    default BINARY): the order of vietnamese_sort_key. Only the page's rows are loaded,
    whatever the size of the catalogue."""
    order = ([Procedure.sort_key_en, Procedure.name_en] if lang == "en"
             else [Procedure.sort_key_vi, Procedure.name_vi])
    if session.get_bind().dialect.name == "postgresql":
        order = [column.collate("C") for column in order]
    conditions = [Procedure.search_text.contains(word, autoescape=True)
                  for word in query_words(criteria.query)]
    if criteria.field_id:
        conditions.append(Procedure.field_id == criteria.field_id)
    if not criteria.include_inactive:
        conditions.append(Procedure.active)
    total = session.scalar(select(func.count(Procedure.id)).where(*conditions)) or 0
    number, pages = page_number(page, total, size)
    items = session.scalars(
        select(Procedure).where(*conditions).order_by(*order, Procedure.id)
        .limit(size).offset((number - 1) * size)
        .options(joinedload(Procedure.field, innerjoin=True))).all() if total else []
    return Page(items, number, pages, total)


def get_by_code(session: Session, code: str, *, include_inactive: bool = False) -> Procedure | None:
    if not CODE_PATTERN.match(code or ""):
        return None
    stmt = (select(Procedure).where(Procedure.code == code)
            .options(selectinload(Procedure.field), selectinload(Procedure.documents)))
    if not include_inactive:
        stmt = stmt.where(Procedure.active)
    return session.scalar(stmt)


def template_filename(document, kind: str) -> str:
    """A download name made from the document's Vietnamese name, ASCII only ("to-khai-dang-
    ky-khai-sinh.docx"): never the name it was uploaded under, so nothing an uploader typed
    reaches a header."""
    stem = re.sub(r"[^a-z0-9]+", "-", fold(document.name_vi)).strip("-")[:80].rstrip("-")
    return f"{stem or 'mau'}.{kind}"


__all__ = ["Search", "search", "get_by_code", "fields", "field_by_code", "search_text",
           "refresh_field_search_text", "template_filename", "query_words"]
