"""The digests `ntvt verify` checks the consolidated workbook against: of the data sheets, the files
received (the inbox the workbook claims) and the rules applied (the rules file's SHA-256), each fed
with the cells as they are written (read/cell_digest) and stored as document properties beside ntvt's
mark (model/marks). The other sheets are figures and words made from these."""

from __future__ import annotations

import re
from typing import Any

from ...model.marks import DIGEST_PROPERTY
from ...read.cell_digest import CellDigest
from .. import streaming as sheetxml

PLACEHOLDER = "0" * 64
MAX_STRING = 32_767  # xlsxwriter cuts a longer text to this many characters


class Recording:
    """A worksheet that records the value of every cell written through it, then writes it."""

    def __init__(self, ws):
        self._ws = ws
        self.values: dict[tuple[int, int], Any] = {}

    def __getattr__(self, name):
        return getattr(self._ws, name)

    def write_string(self, row, col, string, *rest):
        self.values[(row + 1, col + 1)] = string[:MAX_STRING]
        return self._ws.write_string(row, col, string, *rest)

    def write_number(self, row, col, number, *rest):
        self.values[(row + 1, col + 1)] = number
        return self._ws.write_number(row, col, number, *rest)

    def write_datetime(self, row, col, moment, *rest):
        self.values[(row + 1, col + 1)] = moment
        return self._ws.write_datetime(row, col, moment, *rest)

    def write_blank(self, row, col, blank, *rest):
        self.values.pop((row + 1, col + 1), None)
        return self._ws.write_blank(row, col, blank, *rest)

    def merge_range(self, first_row, first_col, last_row, last_col, data, *rest):
        self.values[(first_row + 1, first_col + 1)] = data
        return self._ws.merge_range(first_row, first_col, last_row, last_col, data, *rest)


def mark(wb, names: list[str]) -> None:
    """The digest properties, placeholders until the rows are streamed (fill)."""
    for n, name in enumerate(names, start=1):
        wb.set_custom_property(f"{DIGEST_PROPERTY} {n}", f"{name}|{PLACEHOLDER}")


def start(recordings: dict[str, Recording]) -> dict[str, CellDigest]:
    """Each sheet's digest fed with what xlsxwriter wrote: all above the rows streamed later. The
    recordings are emptied: their values are in the digests now, and the rows still to stream are
    the peak of a city's writing (a value per cell of "Tệp đã nhận": 13 MiB at 10,000 files)."""
    digests = {}
    for name, ws in recordings.items():
        digests[name] = CellDigest(text=sheetxml.clip)
        digests[name].cells(ws.values)
        ws.values = {}
    return digests


def fill(xml: str, digests: dict[str, CellDigest]) -> str:
    """docProps/custom.xml with each placeholder replaced by its sheet's digest."""
    for name, digest in digests.items():
        shown = sheetxml.escape(f"{name}|")
        xml, found = re.subn(re.escape(shown + PLACEHOLDER), lambda _: shown + digest.hexdigest(), xml, count=1)
        if not found:
            raise ValueError(f"no digest placeholder for sheet {name!r}")
    return xml
