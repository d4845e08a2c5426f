"""Big worksheets streamed as SpreadsheetML rows into the workbook xlsxwriter wrote.

At city scale the consolidated workbook holds ten million cells. xlsxwriter spends ~8 µs on each
(a method call, dimension checks, a cell object, per-attribute escaping at row flush): 96 s of a
166 s run at 10,000 files. Here a cell is one f-string (~0.5 µs), rows are generated while the
output is being zipped, and compression runs in a thread (zlib releases the GIL), so it overlaps
the generation on the second core.

The division of work: xlsxwriter writes every sheet, including each big sheet's header row,
column widths, panes, filter, print setup and comments; the big sheets' data rows and their
internal hyperlinks are then spliced into those sheets' XML while the zip is copied once. Cells
are lean (measured: 146 MB of XML at 1,000 files became 86 MB, the same cells): no reference (a
row's cells are all there, in column order), texts that repeat in a shared-strings table (Cells),
made once per distinct value, the others inline with xlsxwriter's escaping; numbers and styled
blanks as xlsxwriter writes them. Readers see the same cells.
"""

from __future__ import annotations

import itertools
import queue
import re
import threading
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..model.findings import column_letter

# Excel's escape for characters XML 1.0 cannot hold: "\x01" -> "_x0001_"; a literal "_x0001_" in
# the text is protected as "_x005F_x0001_" (the same substitutions as xlsxwriter's).
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # \r too: XML readers would make it \n
_NEEDS_CARE = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")  # anything escape() changes
MAX_ROWS = 1_048_576  # Excel's rows per worksheet
MAX_TEXT = 32_767  # Excel's characters per cell, counted in UTF-16 units
_CHUNK = 1 << 20  # characters handed to the compressing thread at a time
_ZIP64_FROM = 1 << 30  # an estimated entry size from which zip64 records are written (needed from 2 GiB)
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships"}


def escape(text: str) -> str:
    """Text as the content of <t>: markup characters as entities, control characters as _xHHHH_."""
    if _SPECIAL.search(text) is None:  # most texts: nothing to change
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _NEEDS_CARE.search(text):
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def attribute(text: str) -> str:
    return escape(text).replace('"', "&quot;").replace("\n", "&#xA;")


def clip(text: str) -> str:
    """Text cut to what a cell holds (Excel calls a longer cell damaged), as xlsxwriter cuts it."""
    if len(text) <= MAX_TEXT // 2:  # cannot be over, whatever its characters
        return text
    return text.encode("utf-16-le")[:2 * MAX_TEXT].decode("utf-16-le", errors="ignore")


def text_cell(ref: str, style: int, value: str) -> str:
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{escape(clip(value))}</t></is></c>'


def number_cell(ref: str, style: int, value: float | int) -> str:
    # repr of a float is the shortest text that reads back as the same number, as Excel writes it.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'


def blank_cell(ref: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}"/>'


SST_PART = "xl/sharedStrings.xml"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def inline(style: int, value: str) -> str:
    """A text cell without its reference (its place is its order in the row), the text in the cell:
    for texts that do not repeat (a summary, a message)."""
    value = clip(value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() or "\n" in value else ""
    return f'<c s="{style}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


class Cells:
    """The cells of the streamed rows, made once per distinct (style, value) where values repeat: each
    repeated text once in the workbook's shared-strings table (a file's name, a unit, a list's value)
    and every cell of it a number; no cell carries its reference (valid SpreadsheetML: a row's cells
    are written in column order, every column present, so each one's place is its order)."""

    def __init__(self):
        self.strings: dict[str, int] = {}  # text -> its index in the shared-strings table
        self._made: dict[tuple, str] = {}

    def text(self, style: int, value: str) -> str:
        made = self._made.get((style, value))
        if made is None:
            n = self.strings.setdefault(clip(value), len(self.strings))
            made = self._made[(style, value)] = f'<c s="{style}" t="s"><v>{n}</v></c>'
        return made

    def number(self, style: int, value: float | int) -> str:
        made = self._made.get((style, value, 0))
        if made is None:
            made = self._made[(style, value, 0)] = number_cell("", style, value).replace(' r=""', "", 1)
        return made

    def xml(self) -> Iterator[str]:
        """The shared-strings part, in pieces (a city's texts are tens of MiB: not one string). Asked
        for once every stream is written, so the cells made are let go first (at 10,000 files, 190,000
        of them: 17 MiB)."""
        self._made = {}
        yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS["m"]}" '
               f'uniqueCount="{len(self.strings)}">')
        for text in self.strings:
            yield f'<si><t xml:space="preserve">{escape(text)}</t></si>'
        yield "</sst>"


def blank(style: int) -> str:
    return f'<c s="{style}"/>'


def number(style: int, value: float | int) -> str:
    """A number cell without its reference, for numbers that do not repeat (a running count)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f'<c s="{style}"><v>{value!r}</v></c>'


def row(number: int, cells: str, height: float | None = None) -> str:
    """One <row> (number is Excel's, from 1); cells already joined, in column order."""
    if height is None:
        return f'<row r="{number}">{cells}</row>'
    return f'<row r="{number}" ht="{height:g}" customHeight="1">{cells}</row>'


@dataclass
class Stream:
    """The data rows of one worksheet, produced while the workbook is zipped.

    rows: a callable returning the rows' XML (`row(...)` strings) in row order; first_row: the
    first one's number (1-based): they go between the rows xlsxwriter wrote above it and those it
    wrote below (a signature under a list), by default after all of them; last_row, last_col: the
    whole sheet's used range's corner, 1-based; links: internal
    hyperlinks as (cell reference, location such as "'Trang'!B7", the cell's text);
    size_hint: an estimate of the rows' XML size in bytes, to know whether zip64 is needed;
    written: the rows actually written, counted by splice as they go into the file (the writer's own
    count, for the reconciliation: not taken from the list the rows were made from).
    """

    rows: Callable[[], Iterable[str]]
    last_row: int
    last_col: int
    first_row: int = 0
    links: list[tuple[str, str, str]] = field(default_factory=list)
    size_hint: int = 0
    written: int = 0

    def counted(self) -> Iterator[str]:
        """The rows, each counted in `written` as it is handed to the file."""
        self.written = 0
        for row_xml in self.rows():
            self.written += 1
            yield row_xml


def columns(count: int) -> list[str]:
    """Column letters A, B, … for count columns: cell references are letter + row number."""
    return [column_letter(n + 1) for n in range(count)]


def splice(path: Path, streams: dict[str, Stream],
           finish: dict[str, Callable[[str], str]] | None = None,
           finish_parts: dict[str, Callable[[str], str]] | None = None, cells: Cells | None = None) -> None:
    """Rewrite the xlsx at `path` with each named sheet's stream spliced into its <sheetData>.

    `finish` names sheets whose XML is passed through a function once every stream has been
    written (a summary that states what the streams wrote, e.g. their `written` counts); those
    parts are written last in the package; `finish_parts` does the same for other parts, by their
    path in the package (docProps/custom.xml, for digests of what was streamed). `cells`: the streams'
    cells, whose shared strings are written once every stream is (and declared in the package).
    Every other part is copied as it is (same names, order and dates, so the output stays
    reproducible). The rewritten file replaces `path`.
    """
    finish = finish or {}
    if not streams and not finish:
        return
    path = Path(path)
    spliced = path.with_name(path.name + ".splice")
    try:
        with zipfile.ZipFile(path) as source:
            parts = _sheet_parts(source)
            unknown = (set(streams) | set(finish)) - set(parts)
            if unknown:
                raise ValueError(f"no worksheet named {sorted(unknown)} in {path}")
            by_part = {parts[name]: streams[name] for name in streams}
            later = {parts[name]: finish[name] for name in finish} | dict(finish_parts or {})
            held = []
            declare = {"[Content_Types].xml": _declare_type, "xl/_rels/workbook.xml.rels": _declare_rel} if cells else {}
            # Deflate at zlib's default level, as xlsxwriter does.
            with zipfile.ZipFile(spliced, "w", zipfile.ZIP_DEFLATED) as target:
                for info in source.infolist():
                    if info.filename in later:
                        held.append(info)
                        continue
                    stream = by_part.get(info.filename)
                    if info.filename in declare:
                        target.writestr(info, declare[info.filename](source.read(info).decode("utf-8")).encode("utf-8"))
                        continue
                    if stream is None:
                        target.writestr(info, source.read(info))
                        continue
                    head, tail = _split_sheet(source.read(info).decode("utf-8"), stream)
                    entry = zipfile.ZipInfo(info.filename, info.date_time)
                    entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
                    with target.open(entry, "w", force_zip64=stream.size_hint >= _ZIP64_FROM) as sink:
                        _pump(itertools.chain([head], stream.counted(), [tail]), sink)
                if cells:  # the streams are written: every text they shared is known
                    entry = zipfile.ZipInfo(SST_PART, source.infolist()[0].date_time)
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    size = sum(map(len, cells.strings)) * 3 + 40 * len(cells.strings)  # UTF-8 bytes, at most
                    with target.open(entry, "w", force_zip64=size >= _ZIP64_FROM) as sink:
                        _pump(cells.xml(), sink)
                for info in held:  # the streams are written: what they wrote can now be stated
                    xml = later[info.filename](source.read(info).decode("utf-8"))
                    target.writestr(info, xml.encode("utf-8"))
        spliced.replace(path)
    finally:
        spliced.unlink(missing_ok=True)


def set_cells(xml: str, cells: dict[str, str | int | float]) -> str:
    """A worksheet's XML with the given cells' values replaced (each keeps its style): for a few
    summary cells written as placeholders before the streams they describe were written."""
    for ref, value in cells.items():
        pattern = re.compile(rf'<c r="{ref}"( s="\d+")?[^>]*?(?:/>|>.*?</c>)', re.S)
        found = pattern.search(xml)
        if found is None:
            raise ValueError(f"no placeholder cell {ref} to fill")
        style = int(found.group(1)[4:-1]) if found.group(1) else 0
        cell = number_cell(ref, style, value) if isinstance(value, (int, float)) else text_cell(ref, style, value)
        xml = xml[:found.start()] + cell + xml[found.end():]
    return xml


def _declare_type(xml: str) -> str:
    if SST_PART in xml:
        raise ValueError("the workbook already has shared strings")
    return xml.replace("</Types>", f'<Override PartName="/{SST_PART}" ContentType="{_SST_TYPE}"/></Types>', 1)


def _declare_rel(xml: str) -> str:
    taken = {int(n) for n in re.findall(r'Id="rId(\d+)"', xml)}
    return xml.replace("</Relationships>", f'<Relationship Id="rId{max(taken, default=0) + 1}" Type="{_SST_REL}" '
                                           f'Target="sharedStrings.xml"/></Relationships>', 1)


def _sheet_parts(source: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name -> its part in the package, from xl/workbook.xml and its relationships."""
    book = ET.fromstring(source.read("xl/workbook.xml"))
    rels = ET.fromstring(source.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("pr:Relationship", NS)}
    parts = {}
    for sheet in book.findall("m:sheets/m:sheet", NS):
        target = targets[sheet.get(f"{{{NS['r']}}}id")]
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _split_sheet(xml: str, stream: Stream) -> tuple[str, str]:
    """The sheet's XML before and after the place of the streamed rows, with its dimension made
    to cover them and the hyperlinks placed where the schema wants them (before the print setup)."""
    if stream.last_row > MAX_ROWS:
        raise ValueError(f"{stream.last_row} rows do not fit a worksheet (Excel's limit: {MAX_ROWS})")
    corner = f"{column_letter(stream.last_col)}{stream.last_row}"
    xml, found = re.subn(r'<dimension ref="A1(:[A-Z]+[0-9]+)?"/>', f'<dimension ref="A1:{corner}"/>', xml, count=1)
    if not found:
        raise ValueError("worksheet XML without the expected <dimension>")
    if "<sheetData/>" in xml:
        xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
    at = xml.index("</sheetData>")
    below = (m.start() for m in re.finditer(r'<row r="(\d+)"', xml[:at]) if int(m.group(1)) >= stream.first_row)
    at = next(below, at) if stream.first_row else at
    head, tail = xml[:at], xml[at:]
    if stream.links:
        if "<hyperlinks>" in tail:
            raise ValueError("worksheet already has hyperlinks; streamed links would duplicate them")
        links = "".join(f'<hyperlink ref="{ref}" location="{attribute(where)}" display="{attribute(shown)}"/>'
                        for ref, where, shown in stream.links)
        later = ("<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<drawing", "<legacyDrawing",
                 "</worksheet>")  # what the schema puts after <hyperlinks>
        place = min(i for i in (tail.find(tag) for tag in later) if i >= 0)
        tail = f"{tail[:place]}<hyperlinks>{links}</hyperlinks>{tail[place:]}"
    return head, tail


def _pump(pieces: Iterable[str], sink) -> None:
    """Write text pieces, UTF-8, to sink from a second thread that compresses while this one
    keeps generating. A failure on either side ends both and is raised here."""
    work: queue.Queue = queue.Queue(maxsize=2)
    failed: list[BaseException] = []

    def drain() -> None:
        while (data := work.get()) is not None:
            if not failed:
                try:
                    sink.write(data)
                except BaseException as exc:  # noqa: BLE001 - handed to the generating thread
                    failed.append(exc)

    writer = threading.Thread(target=drain, name="ntvt-zip", daemon=True)
    writer.start()
    try:
        buffer: list[str] = []
        size = 0
        for text in pieces:
            buffer.append(text)
            size += len(text)
            if size >= _CHUNK:
                if failed:
                    break
                work.put("".join(buffer).encode("utf-8"))
                buffer, size = [], 0
        if buffer and not failed:
            work.put("".join(buffer).encode("utf-8"))
    finally:
        work.put(None)
        writer.join()
    if failed:
        raise failed[0]


__all__ = ["Cells", "Stream", "blank", "blank_cell", "columns", "escape", "inline", "number", "number_cell", "row",
           "set_cells", "splice", "text_cell"]
