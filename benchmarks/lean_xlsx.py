"""A lean SpreadsheetML writer, the floor's writer: the least an .xlsx of given cell values needs.

zipfile with zlib level 6; strings in one shared-strings table, numbers inline; rows and cells
without `r=` attributes (their position is their order; an empty cell inside a row is `<c/>`,
trailing ones are dropped); one minimal styles.xml (the default style and a dd/mm/yyyy date);
workbook.xml, content types and rels. No widths, formats, links or comments: a floor, not a product.

    writer = LeanWriter(path)
    writer.add_sheet("Sheet", rows)   # rows: lists of str, int, float, bool, date, datetime or "" / None
    writer.close()
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Iterable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EPOCH = dt.datetime(1899, 12, 30)
DAY = dt.timedelta(days=1)
STYLES = (f'{HEAD}<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
          '</numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2">'
          '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _escape(s: str) -> str:
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


class LeanWriter:
    def __init__(self, path: Path | str) -> None:
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        self.sheets: list[str] = []
        self.strings: dict[str, int] = {}
        self.string_count = 0
        self.cells = 0

    def add_sheet(self, name: str, rows: Iterable[list]) -> None:
        self.sheets.append(name)
        strings, count, cells = self.strings, 0, 0
        with self.zip.open(f"xl/worksheets/sheet{len(self.sheets)}.xml", "w", force_zip64=True) as fh:
            out = [f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>']
            put = out.append
            for row in rows:
                end = len(row)
                while end and (row[end - 1] == "" or row[end - 1] is None):
                    end -= 1
                if not end:
                    put("<row/>")
                    continue
                put("<row>")
                for v in row[:end] if end < len(row) else row:
                    kind = type(v)
                    if kind is str:
                        if not v:
                            put("<c/>")
                            continue
                        i = strings.get(v)
                        if i is None:
                            i = strings[v] = len(strings)
                        count += 1
                        put(f'<c t="s"><v>{i}</v></c>')
                    elif kind is float:
                        put(f"<c><v>{int(v) if v.is_integer() else repr(v)}</v></c>")
                    elif kind is int:
                        put(f"<c><v>{v}</v></c>")
                    elif kind is bool:
                        put(f'<c t="b"><v>{int(v)}</v></c>')
                    elif kind is dt.date or kind is dt.datetime:
                        at = v if kind is dt.datetime else dt.datetime(v.year, v.month, v.day)
                        put(f'<c s="1"><v>{(at - EPOCH) / DAY:g}</v></c>')
                    elif v is None:
                        put("<c/>")
                        continue
                    else:  # time, timedelta: as text, like any value without a number form here
                        i = strings.setdefault(str(v), len(strings))
                        count += 1
                        put(f'<c t="s"><v>{i}</v></c>')
                    cells += 1
                put("</row>")
                if len(out) >= 50000:
                    fh.write("".join(out).encode("utf-8"))
                    out.clear()
            put("</sheetData></worksheet>")
            fh.write("".join(out).encode("utf-8"))
        self.string_count += count
        self.cells += cells

    def close(self) -> None:
        z = self.zip
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(f'{HEAD}<sst xmlns="{MAIN}" count="{self.string_count}" uniqueCount="{len(self.strings)}">'
                     .encode("utf-8"))
            out = []
            for s in self.strings:
                space = ' xml:space="preserve"' if s[0].isspace() or s[-1].isspace() else ""
                out.append(f"<si><t{space}>{_escape(s)}</t></si>")
                if len(out) >= 5000:
                    fh.write("".join(out).encode("utf-8"))
                    out = []
            out.append("</sst>")
            fh.write("".join(out).encode("utf-8"))
        n = len(self.sheets)
        sheets = "".join(f'<sheet name="{_escape(name).replace(chr(34), "&quot;")}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, name in enumerate(self.sheets, 1))
        z.writestr("xl/workbook.xml", f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{sheets}</sheets>'
                                      '</workbook>')
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'{HEAD}<Relationships xmlns="{PKG_REL}">{rels}'
                   f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
                   f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                   '</Relationships>')
        z.writestr("xl/styles.xml", STYLES)
        z.writestr("_rels/.rels", f'{HEAD}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
                                  f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        parts = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT}.worksheet+xml"/>'
                        for i in range(1, n + 1))
        z.writestr("[Content_Types].xml",
                   f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>{parts}'
                   f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
                   f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/></Types>')
        z.close()
