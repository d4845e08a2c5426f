"""Walk of an .xls file's BIFF8 records (Excel 97–2003): the extent of each worksheet's cells holding
a value. calamine reads every sheet of an .xls when the file is opened, so the whole file is
bounded first.
"""

from __future__ import annotations

import io
import struct
from typing import Iterator

from .extent import SheetExtent
from .safety import Rejected


# Records that put a value in a cell (row and column are their first two 16-bit fields); BLANK
# and MULBLANK are formatting only. MULRK holds several cells: its last column ends the record.
_BIFF_CELLS = {0x0006, 0x0203, 0x0204, 0x00FD, 0x027E, 0x0205, 0x00D6, 0x0003, 0x0004, 0x0002, 0x0005, 0x0406}
_MULRK = 0x00BD


def xls_extents(data: bytes) -> Iterator[SheetExtent]:
    """Each worksheet of an .xls with the extent of its cells holding a value, from the BIFF records
    of the Workbook stream (calamine reads every sheet, densely, when the file is opened)."""
    from xlrd.compdoc import CompDoc  # lazy, for start-up cost: only .xls files need xlrd

    try:
        doc = CompDoc(data, logfile=io.StringIO(), ignore_workbook_corruption=True)
        stream = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
    except Exception:
        stream = None
    if stream is None:
        # Without its records the sheets cannot be bounded: not handed to calamine at all.
        raise Rejected("corrupt", "tệp .xls hỏng (không đọc được phần dữ liệu của sổ tính)")
    names: dict[int, str] = {}
    pos, end, depth = 0, len(stream), 0
    extent: SheetExtent | None = None
    while pos + 4 <= end:
        rec, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + size]
        if rec == 0x0085 and len(body) >= 8:  # BOUNDSHEET: where a sheet's records start, its name
            names[struct.unpack_from("<I", body)[0]] = _biff_name(body[6:])
        elif rec == 0x0809:  # BOF: a substream starts (a chart inside a sheet has its own)
            depth += 1
            if depth == 1 and len(body) >= 4 and struct.unpack_from("<H", body, 2)[0] == 0x0010:
                extent = SheetExtent(names.get(pos, f"#{len(names)}"))  # a worksheet
        elif rec == 0x000A:  # EOF
            depth = max(0, depth - 1)
            if depth == 0 and extent is not None:
                yield extent
                extent = None
        elif extent is not None and depth == 1 and len(body) >= 4:
            if rec in _BIFF_CELLS:
                r, c = struct.unpack_from("<HH", body)
                extent.add(r + 1, c + 1)
            elif rec == _MULRK and len(body) >= 6:
                r, first = struct.unpack_from("<HH", body)
                last = struct.unpack_from("<H", body, len(body) - 2)[0]
                if last >= first:
                    extent.add(r + 1, last + 1, last - first + 1)
        pos += 4 + size
    if extent is not None:
        yield extent


def _biff_name(raw: bytes) -> str:
    """A BOUNDSHEET name: a length byte, a flags byte (bit 0: UTF-16), then the characters."""
    if len(raw) < 2:
        return ""
    count, wide = raw[0], raw[1] & 1
    chars = raw[2:2 + count * (2 if wide else 1)]
    return chars.decode("utf-16-le" if wide else "latin-1", errors="replace")
