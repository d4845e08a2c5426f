"""What makes a unit's .xlsx inert to open before it becomes an annotated copy: bounds, words, checks.

An annotated copy goes back to people who open it in Excel, so it may carry nothing that runs or
reaches out: formulas (``cmd|' /C calc'!A0``, ``WEBSERVICE(…)``, ``HYPERLINK(…)``), links to the web
or to other files, DDE, data connections, macros, embedded objects. Nor may the input make openpyxl
fail or explode: a sheet name Excel forbids, damaged document properties, escaped control
characters, one merge covering a whole sheet (openpyxl makes an object per covered cell).

The package is rewritten before openpyxl parses it, streaming each sheet one row at a time:
formulas give way to their cached values, external links and embedded objects are dropped, merges
and formatting-only cells are bounded by the sheet's real data. Every removal is listed (`Removed`)
so the result sheet can say what was taken out. `assert_inert` checks the saved copy afterwards.

This module holds the bounds, the words and the checks; sanitize.py rewrites the package and
sheet_filter.py streams each sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


C, V, F, IS, ROW, SHEET_DATA = (_q(t) for t in ("c", "v", "f", "is", "row", "sheetData"))
MAX_ROW_CELLS = 16_384  # Excel's columns: a row with more cells is not a worksheet row


# Bounds on what a copy may hold beyond its data (openpyxl makes one object per cell, merged cell
# and formatted row). Formatting-only rows and cells are kept near the data; merges and internal
# hyperlinks only inside the data's box. A legitimate report is far inside all of these.
MARGIN_ROWS, MARGIN_COLS = 1000, 50
MAX_BLANK_ELEMENTS = 100_000  # formatting-only cells and rows, whole workbook
MAX_MERGED_CELLS = 100_000  # cells covered by merges, whole workbook
MAX_LINKED_CELLS = 10_000  # cells covered by internal hyperlinks, whole workbook
MAX_DETAIL = 300  # characters of a removed formula or link shown on the result sheet

# Parts openpyxl would never write back but that are listed as removed, and parts it would parse
# for nothing the copy needs (damaged properties are a common reason it fails).
_LIVE_PREFIXES = ("xl/externalLinks/", "xl/embeddings/", "xl/activeX/", "xl/queryTables/", "xl/ctrlProps/")
_LIVE_PARTS = {"xl/connections.xml", "xl/vbaProject.bin", "xl/vbaProjectSignature.bin"}
_DROPPED_PREFIXES = ("docProps/", "customXml/", "xl/printerSettings/") + _LIVE_PREFIXES

# XML 1.0 (and openpyxl's ILLEGAL_CHARACTERS_RE) refuse these; Excel stores them escaped as _x0001_.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED = re.compile(rb"(?<!_x005[Ff])_x00(0[0-8]|0[bBcCeEfF]|1[0-9a-fA-F])_")
_INVALID_TITLE = re.compile(r"[\\/*?:\[\]\x00-\x1f]")

# Functions that only compute on this workbook's cells; anything else in a rule that stays in the
# copy (data validation, conditional format, defined name) is removed. WEBSERVICE, FILTERXML,
# HYPERLINK, CALL, REGISTER, RTD, INDIRECT, IMAGE… are not here on purpose.
PURE_FUNCTIONS = frozenset("""
ABS AND AVERAGE AVERAGEIF CHOOSE COLUMN CONCATENATE COUNT COUNTA COUNTBLANK COUNTIF COUNTIFS DATE
DATEVALUE DAY EXACT FALSE FIND HLOOKUP IF IFERROR INDEX INT ISBLANK ISERROR ISEVEN ISLOGICAL ISNA
ISNUMBER ISODD ISTEXT LEFT LEN LOOKUP LOWER MATCH MAX MID MIN MOD MONTH NA NOT NOW OFFSET OR PROPER
REPT RIGHT ROUND ROW SEARCH SUBSTITUTE SUM SUMIF SUMIFS SUMPRODUCT TEXT TODAY TRIM TRUE TRUNC UPPER
VALUE VLOOKUP WEEKDAY YEAR
""".split())
# The defined names a copy keeps: print layout and filters. Auto_Open and the like go with the rest.
_KEPT_NAMES = {"_xlnm.Print_Area", "_xlnm.Print_Titles", "_xlnm._FilterDatabase"}
_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")


class CopyFailed(Exception):
    """No annotated copy can be made of one input (e.g. too large to copy within the bounds);
    `reason` (Vietnamese) says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NotInert(Exception):
    """A saved copy still holds live content (a bug or an unforeseen part): it must not be sent."""


@dataclass(frozen=True)
class Removed:
    """One thing taken out of (or changed in) the copy, as the result sheet lists it (Vietnamese)."""

    kind: str  # "Công thức", "Liên kết ngoài", …
    sheet: str | None  # the sheet's name in the copy
    cell: str | None  # a cell or range, when there is one
    detail: str


@dataclass
class Package:
    """A sanitized package for openpyxl, what was removed from it, and the sheets' names in the copy."""

    data: bytes
    names: dict[str, str]  # sheet name in the input -> title in the copy
    removed: list[Removed] = field(default_factory=list)


def visible(text: str) -> str:
    """`text` with control characters shown as their Unicode pictures (U+2401 for 0x01…): XML cannot
    hold them, and a person reading the copy or the letter should see that they were there."""
    if not _ILLEGAL.search(text):
        return text
    return _ILLEGAL.sub(lambda m: chr(0x2400 + ord(m.group())), text)


def inert_formula(text: str | None) -> bool:
    """True for a formula that only compares and counts this workbook's cells: no function that can
    reach out, no other workbook (``[1]Sheet!A1``), no DDE (``app|topic!item``)."""
    bare = _STRING_LITERAL.sub('""', text or "")
    if "[" in bare or "|" in bare:
        return False
    return all(name.upper().removeprefix("_XLFN.") in PURE_FUNCTIONS for name in _CALL.findall(bare))


def quote_sheet(name: str) -> str:
    """A sheet name as a formula or hyperlink location writes it: quoted, quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def copy_titles(names: list[str], reserved: tuple[str, ...] = ()) -> dict[str, str]:
    """A title Excel accepts for each sheet name: no \\ / ? * : [ ], not quoted at either end,
    at most 31 characters, unique ignoring case, and none of `reserved` (the result sheet's name)."""
    used = {r.casefold() for r in reserved}
    titles = {}
    for name in names:
        base = _INVALID_TITLE.sub("_", name).strip("'")[:31].strip("'") or "Trang"
        title, n = base, 2
        while title.casefold() in used:
            suffix = f" ({n})"
            title, n = base[:31 - len(suffix)] + suffix, n + 1
        used.add(title.casefold())
        titles[name] = title
    return titles


def rename_notes(titles: dict[str, str]) -> list[Removed]:
    """One line per sheet whose name had to change in the copy, saying why."""
    return [Removed("Tên trang", new, None, _short(f"tên trang “{old}” {_why_renamed(old)}: trong bản sao là “{new}”"))
            for old, new in titles.items() if old != new]


def _why_renamed(old: str) -> str:
    bad = sorted(set(_INVALID_TITLE.findall(old)))
    if bad:
        return "có ký tự " + " ".join(bad) + " mà Excel không cho phép trong tên trang"
    if len(old) > 31:
        return "dài quá 31 ký tự"
    if old.startswith("'") or old.endswith("'") or not old:
        return "trống hoặc bắt đầu, kết thúc bằng dấu nháy"
    return "trùng tên một trang khác"


def _short(text: str) -> str:
    text = visible(text)
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL] + "…"



# ---------------------------------------------------------------------------------------------
# The saved copy


def assert_inert(data: bytes) -> None:
    """Raise NotInert if a saved copy holds a formula, an external relationship or a live part."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name in _LIVE_PARTS or name.startswith(_LIVE_PREFIXES):
                raise NotInert(f"{name} in the copy")
            if name.endswith(".rels") and re.search(rb"TargetMode\s*=\s*[\"']External", z.read(name)):
                raise NotInert(f"external relationship in {name}")
            if name.startswith("xl/worksheets/") and re.search(rb"<f[\s>/]", z.read(name)):
                raise NotInert(f"formula in {name}")
