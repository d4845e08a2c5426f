"""The canonical form of cells (read/cell_digest.py): what changes a digest and what does not."""

from __future__ import annotations

import datetime as dt

import xlsxwriter

from checker.read.cell_digest import CellDigest, canonical, sheet_digests


def test_a_date_and_its_serial_are_one_value_and_empty_cells_do_not_count():
    assert canonical(dt.datetime(2023, 6, 5, 14, 30, 7)) == canonical(45082.60424768519) == "n3895137007"
    assert canonical(dt.date(2023, 6, 5)) == canonical(45082) == canonical(45082.0)
    assert canonical("") is None and canonical(None) is None
    assert canonical("5") != canonical(5)


def test_the_digest_of_written_cells_equals_the_digest_read_back(tmp_path):
    path = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Trang")
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    cells = {(3, 3): "Nguyễn Văn A\x01_x0001_\r", (4, 2): dt.datetime(2023, 6, 5, 14, 30), (5, 5): 7, (6, 1): "b"}
    for (r, c), v in cells.items():
        if isinstance(v, dt.datetime):
            ws.write_datetime(r - 1, c - 1, v, fmt)
        elif isinstance(v, str):
            ws.write_string(r - 1, c - 1, v)
        else:
            ws.write_number(r - 1, c - 1, v)
    wb.close()
    written = CellDigest()
    written.cells(cells)
    moved = CellDigest()
    moved.cells({**{k: v for k, v in cells.items() if k != (6, 1)}, (6, 2): "b"})
    assert sheet_digests(path, ["Trang", "Khác"]) == {"Trang": written.hexdigest(), "Khác": None}
    assert moved.hexdigest() != written.hexdigest()
