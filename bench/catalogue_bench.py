#!/usr/bin/env python
"""Procedure catalogue benchmark: search p95 with N procedures against a primary-key lookup.

    .venv/bin/python bench/catalogue_bench.py [--procedures 1000] [--database-url URL]

Builds a fresh database through the Alembic migrations (SQLite file under bench/ by default;
with --database-url a dedicated PostgreSQL database `<name>_bench`, dropped afterwards), loads
the 18 demo procedures plus generated ones up to N (realistic names over 20 fields, 3 documents
each), then measures, interleaved so both see the same cache and load:

* search: app.procedures.services.search() for a mix of what residents type (accented and not,
  words in any order, a field filter, later pages, a query that finds nothing), exactly as the
  catalogue page calls it, including loading the page's rows and their fields;
* detail: get_by_code() with the documents, as the detail page loads it;
* the baseline: one procedure by primary key (`SELECT ... WHERE id = ?`), in a fresh session.

The last line is machine-readable:
RESULT db=<sqlite|postgresql> procedures=<N> search_p95_ms=<x> detail_p95_ms=<y>
pk_lookup_p95_ms=<z> ratio=<x/z>
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.db import configure_engine  # noqa: E402
from app.demo.procedures import seed_procedures  # noqa: E402
from app.models import Procedure, ProcedureDocument, ProcedureField  # noqa: E402
from app.procedures.services import Search, get_by_code, search, search_text  # noqa: E402
from bench.queue_bench import log, migrate, percentile, prepare_database, summary  # noqa: E402

VERBS = ["Đăng ký", "Cấp", "Cấp lại", "Điều chỉnh", "Gia hạn", "Xác nhận", "Thẩm định",
         "Chứng thực", "Thay đổi", "Hỗ trợ", "Giải quyết", "Công nhận"]
OBJECTS = ["giấy phép kinh doanh hộ cá thể", "giấy chứng nhận quyền sử dụng đất",
           "hợp đồng lao động", "chế độ người có công", "giấy phép xây dựng nhà ở riêng lẻ",
           "thông tin cư trú", "trợ cấp thất nghiệp", "hội viên hội nông dân",
           "chương trình khuyến nông", "nhà văn hóa thôn", "hồ sơ học sinh",
           "giấy xác nhận khuyết tật", "chế độ mai táng phí", "hỗ trợ hộ nghèo",
           "giấy phép khai thác nước", "tàu cá", "trang trại chăn nuôi", "lễ hội truyền thống",
           "thư viện cơ sở", "câu lạc bộ thể thao"]
FIELDS = ["Đất đai", "Xây dựng", "Lao động", "Người có công", "Giáo dục", "Văn hóa",
          "Thể thao", "Nông nghiệp", "Thủy sản", "Tài nguyên nước", "Môi trường", "Y tế",
          "Kinh doanh", "Thi đua khen thưởng", "Tôn giáo", "Dân tộc", "Giao thông", "Phòng cháy",
          "Khiếu nại", "Tố cáo"]
QUERIES = [("dang ky khai sinh", None, 1), ("khai sinh dang ky", None, 1), ("KHAI SINH", None, 1),
           ("Đăng ký", None, 1), ("dang ky", None, 3), ("giay phep", None, 1),
           ("chung thuc", None, 1), ("thuong tru", None, 1), ("ho tro", "field", 1),
           ("", "field", 1), ("", None, 1), ("", None, 10), ("cap lai giay", None, 2),
           ("khong co thu tuc nay", None, 1), ("1.001193", None, 1)]


def load(engine, total: int, rng: random.Random) -> list[int]:
    with Session(engine) as session:
        seed_procedures(session)
        fields = [ProcedureField(code=f"bench-{i}", name_vi=name, name_en=f"Bench field {i}")
                  for i, name in enumerate(FIELDS)]
        session.add_all(fields)
        session.flush()
        for n in range(max(0, total - 18)):
            field = rng.choice(fields)
            name_vi = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} ({n})"
            procedure = Procedure(
                code=f"3.{n:06d}", name_vi=name_vi, name_en=f"Bench procedure {n}", field=field,
                level="commune", agency_vi="Ủy ban nhân dân cấp xã",
                agency_en="Commune People's Committee", applicants_vi="Cá nhân, tổ chức.",
                applicants_en="People and organisations.", steps_vi="1. Nộp\n2. Nhận",
                steps_en="1. Submit\n2. Collect", legal_basis_vi="Luật", legal_basis_en="Law",
                processing_days=rng.randint(0, 15), online_level=rng.choice(("partial", "full")),
                fee_in_person=rng.choice((0, 10000, 50000)), form_schema=[])
            procedure.documents = [ProcedureDocument(position=i, name_vi=f"Giấy tờ {i}",
                                                     name_en=f"Paper {i}") for i in (1, 2, 3)]
            procedure.search_text = search_text(procedure, field)
            session.add(procedure)
            if n % 200 == 0:
                session.flush()
        session.commit()
        return list(session.scalars(select(Procedure.id)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procedures", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20, help="passes over the query mix")
    parser.add_argument("--database-url")
    parser.add_argument("--sqlite-path", default=str(ROOT / "bench" / "catalogue_bench.db"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(2026)
    url, cleanup = prepare_database(args)
    try:
        migrate(url)
        engine = configure_engine(create_engine(url))
        started = time.perf_counter()
        ids = load(engine, args.procedures, rng)
        log(f"loaded {len(ids)} procedures in {time.perf_counter() - started:.1f}s")
        with Session(engine) as session:
            field_id = session.scalar(select(ProcedureField.id)
                                      .where(ProcedureField.code == "bench-0"))
        searches, details, lookups, found = [], [], [], 0
        for _ in range(args.rounds):
            for query, field, page in QUERIES:
                criteria = Search(query=query, field_id=field_id if field else None)
                with Session(engine) as session:
                    t = time.perf_counter()
                    result = search(session, criteria, "vi", page)
                    searches.append((time.perf_counter() - t) * 1000)
                    found += result.total
                with Session(engine) as session:
                    t = time.perf_counter()
                    assert get_by_code(session, "1.001193") is not None
                    details.append((time.perf_counter() - t) * 1000)
                with Session(engine) as session:
                    pk = rng.choice(ids)
                    t = time.perf_counter()
                    session.scalar(select(Procedure).where(Procedure.id == pk))
                    lookups.append((time.perf_counter() - t) * 1000)
        db_name = engine.dialect.name
        engine.dispose()
        log(f"search   {summary(searches)}  (matches per query: {found / len(searches):.0f})")
        log(f"detail   {summary(details)}")
        log(f"pk       {summary(lookups)}")
        s95, d95, p95 = (percentile(v, 95) for v in (searches, details, lookups))
        log(f"RESULT db={db_name} procedures={len(ids)} search_p95_ms={s95:.3f} "
            f"detail_p95_ms={d95:.3f} pk_lookup_p95_ms={p95:.3f} ratio={s95 / p95:.1f}")
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
