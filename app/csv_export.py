"""Spreadsheet exports (the desk's log book, the public statistics): UTF-8 with a byte-order
mark so Excel opens Vietnamese names correctly, and no cell a spreadsheet would run as a
formula. No Flask here."""
from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote
    (CSV formula injection: an applicant's name "=HYPERLINK(...)" must not run in Excel)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """UTF-8 text with a byte-order mark, so Excel opens Vietnamese names correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
