"""The council's decisions, read back from the "Xét duyệt" sheet of a consolidated workbook it filled
(`ntvt consolidate --decisions`): within the reader's limits (size, zip bombs, DOCTYPE), values only.
The columns are found by their labels in the sheet's header row, so a council that moved or hid a
column is still read right; decide/review matches the rows to the nominees in force."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from ..model.errors import CheckerError
from ..ruleset.spec import Limits
from .safety import Rejected, inspect_bytes, size_verdict

HEAD_ROWS = 20  # rows looked at for the header


@dataclass(frozen=True)
class Decided:
    """One filled row: where it is (Excel's 1-based row and column of the decision) and what it says.
    `source`: where it was written when not the file being read (a row kept in a workspace's register:
    the workbook it was imported from, or the web page's form with row 0)."""

    row: int
    col: int
    unit: str
    nominee: str
    birth_year: str
    decision: str
    reason: str
    source: str = ""


def read_decisions(path: Path, sheet: str, labels: dict[str, str], limits: Limits) -> list[Decided]:
    """The rows of `sheet` with a nominee; `labels`: unit, nominee, birth_year, decision, reason -> the
    header's label of each. Raises CheckerError (Vietnamese words) when the file cannot be used."""
    path = Path(path)
    try:
        verdict = size_verdict(path.stat().st_size, limits)
        data = path.read_bytes() if verdict is None else b""
        verdict = verdict or inspect_bytes(path.name, data, limits)
        if isinstance(verdict, Rejected):
            raise _refused(path, f"{verdict.reason}: hãy chỉ đúng bảng tổng hợp Hội đồng đã điền (tệp .xlsx)")
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            if sheet not in book.sheet_names:
                raise _refused(path, f"không có trang “{sheet}”: hãy chỉ bảng tổng hợp ntvt đã ghi, có trang "
                                     f"“{sheet}” Hội đồng đã điền")
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        finally:
            book.close()
    except (OSError, python_calamine.CalamineError, ValueError) as exc:
        raise _refused(path, "tệp không đọc được như một bảng tính .xlsx: hãy chỉ đúng bảng tổng hợp Hội đồng "
                             "đã điền") from exc
    head = next((n for n, r in enumerate(rows[:HEAD_ROWS]) if labels["decision"] in map(_text, r)), None)
    if head is None:
        raise _refused(path, f"trang “{sheet}” không có cột “{labels['decision']}”: hãy dùng trang ntvt đã ghi, "
                             f"không đổi tên các cột")
    header = [_text(v) for v in rows[head]]
    missing = [label for label in labels.values() if label not in header]
    if missing:
        raise _refused(path, f"trang “{sheet}” thiếu cột “{missing[0]}”: hãy dùng trang ntvt đã ghi, không xóa cột")
    at = {key: header.index(label) for key, label in labels.items()}
    out = []
    for n, row in enumerate(rows[head + 1:], start=head + 2):
        cells = {key: _text(row[col]) if col < len(row) else "" for key, col in at.items()}
        if cells["nominee"]:
            out.append(Decided(n, at["decision"] + 1, cells["unit"], cells["nominee"], cells["birth_year"],
                               cells["decision"], cells["reason"]))
    return out


def _text(value) -> str:
    """A cell as text: a whole number without ".0" (a birth year), blanks empty."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else " ".join(str(value).split())


def _refused(path: Path, why: str) -> CheckerError:
    return CheckerError(f"cannot use decisions file {path}", message=f"Không dùng được tệp quyết định “{path}”: {why}.")
