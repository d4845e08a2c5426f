"""The pieces of an administrative document in the layout of Nghị định 30/2020/NĐ-CP (Phụ lục I),
with python-docx: an A4 page with its margins, Times New Roman throughout; the heading (a borderless
two-column table: the governing and issuing bodies with a short rule and the number line on the left,
the Quốc hiệu, the Tiêu ngữ with a rule and the place and date on the right); the document's kind and
trích yếu; "Kính gửi"; justified body paragraphs with a first-line indent; tables with a header row
repeated on every page; and, at the bottom, "Nơi nhận" on the left and the signature block on the right.
Saved with fixed times and zip dates: the same inputs give the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt

from ...model.marks import WORKBOOK_PROPERTY
from ...model.words import NATIONAL_MOTTO, NATIONAL_TITLE, PLACE_DATE

FONT = "Times New Roman"
BODY_PT, TABLE_PT, COPIES_HEAD_PT, COPIES_PT = 14, 13, 12, 11
HEADING_PT = 12  # the bodies and the Quốc hiệu (Nghị định 30: 12–13 pt, one line each)
# Nghị định 30, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = Mm(210 - 30 - 15)
LEFT_WIDTH, RIGHT_WIDTH = Cm(7.0), Emu(TEXT_WIDTH - Cm(7.0))
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the zip entries' date: no clock in what is written
SIGN_SPACE = 4  # empty lines between the signer's title and the name


def new_document(as_of: dt.date, title: str):
    """An empty A4 portrait document, Times New Roman 14 pt, with the margins of Nghị định 30 and
    properties that depend on nothing but the inputs."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)
    props = doc.core_properties
    moment = dt.datetime(as_of.year, as_of.month, as_of.day)
    props.created = props.modified = moment
    props.author = props.last_modified_by = "ntvt"
    props.title, props.keywords = title, WORKBOOK_PROPERTY
    props.revision = 1
    return doc


def paragraph(container, text: str = "", *, bold: bool = False, italic: bool = False, size: int | None = None,
              align=None, indent: bool = False, before: int = 0, after: int = 0):
    """One paragraph of one run; `indent`: justified with a first-line indent (the body's)."""
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
    fmt = p.paragraph_format
    if indent:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Cm(1.27)
        fmt.space_after = Pt(6)
        fmt.line_spacing = 1.15
    elif align is not None:
        p.alignment = align
    if before:
        fmt.space_before = Pt(before)
    if after:
        fmt.space_after = Pt(after)
    return p


def rule(container, width: Cm):
    """A short solid rule, centred: an empty paragraph whose bottom border spans `width` (Nghị định 30:
    one third to one half of the line above)."""
    p = container.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cell_width = container.width if hasattr(container, "width") and container.width else TEXT_WIDTH
    side = Emu(max(0, int((cell_width - width) / 2)))
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    run = p.add_run()
    run.font.size = Pt(2)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)
    return p


def _two_columns(doc, widths):
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, width in zip(table.rows[0].cells, widths):
        cell.width = width
    for column, width in zip(table.columns, widths):
        column.width = width
    for cell in table.rows[0].cells:  # the cell's own first, empty paragraph goes
        cell._tc.remove(cell.paragraphs[0]._p)
    return table.rows[0].cells


def heading(doc, issuer: tuple[str, ...], number: str, place: str, year: int) -> None:
    """The heading of Nghị định 30: left, the governing body (upright) and the issuing body (bold) in
    capitals, a short rule, the number line; right, the Quốc hiệu (bold), the Tiêu ngữ (bold) with a
    rule as long as it, and the place and date in italics."""
    left, right = _two_columns(doc, (LEFT_WIDTH, RIGHT_WIDTH))
    center = WD_ALIGN_PARAGRAPH.CENTER
    for n, line in enumerate(issuer):
        paragraph(left, line, bold=n == len(issuer) - 1, size=HEADING_PT, align=center)
    rule(left, Cm(2.5))
    paragraph(left, number, size=13, align=center, before=4)
    paragraph(right, NATIONAL_TITLE, bold=True, size=HEADING_PT, align=center)
    paragraph(right, NATIONAL_MOTTO, bold=True, size=13, align=center)
    rule(right, Cm(5.2))
    paragraph(right, PLACE_DATE.format(place=place, year=year), italic=True, size=14, align=center, before=4)


def title(doc, kind: str, subject: str) -> None:
    """The document's kind and its trích yếu, centred and bold, with a short rule under them."""
    center = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(doc, kind, bold=True, size=14, align=center, before=18)
    paragraph(doc, subject, bold=True, size=14, align=center)
    rule(doc, Cm(4))


def opening(as_of: dt.date, issuer: tuple[str, ...], letter, values: dict[str, str], place: str, year: int):
    """A new document with `letter`'s heading, title and (when it has one) addressee: a letter of the
    rules' documents block (number, kind, subject, recipient), its {placeholders} filled from `values`."""
    subject = letter.subject.format(**values)
    doc = new_document(as_of, f"{letter.kind} – {subject}")
    heading(doc, issuer, letter.number, place, year)
    title(doc, letter.kind, subject)
    if letter.recipient:
        addressee(doc, letter.recipient.format(**values))
    return doc


def addressee(doc, text: str) -> None:
    paragraph(doc, text, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=12)


def body(doc, text: str):
    return paragraph(doc, text, indent=True)


def section_heading(doc, text: str):
    p = paragraph(doc, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6, after=6)
    p.paragraph_format.first_line_indent = Cm(1.27)
    p.paragraph_format.keep_with_next = True
    return p


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def grid(doc, headers: tuple[str, ...], rows: list[tuple[str, ...]], widths: list[Cm],
         left: tuple[int, ...] = (), justified: tuple[int, ...] = (), bold_last: bool = False):
    """A bordered table (13 pt): a bold header row repeated at the top of every page, then `rows`;
    cells centred but for the `left` (and `justified`) columns; `bold_last`: a total row."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    header_row(header)
    for cell, text in zip(header.cells, headers):
        _cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for n, values in enumerate(rows):
        cells = table.add_row().cells
        last = bold_last and n == len(rows) - 1
        for col, (cell, text) in enumerate(zip(cells, values)):
            align = (WD_ALIGN_PARAGRAPH.JUSTIFY if col in justified else
                     WD_ALIGN_PARAGRAPH.LEFT if col in left else WD_ALIGN_PARAGRAPH.CENTER)
            _cell_text(cell, text, bold=last, align=align)
    for column, width in zip(table.columns, widths):
        column.width = width  # the grid LibreOffice lays out by; Word reads the cells'
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    return table


def header_row(row) -> None:
    """Mark a table's row as its header, repeated on every page (w:trPr/w:tblHeader)."""
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def _cell_text(cell, text: str, bold: bool, align) -> None:
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold or None
    run.font.size = Pt(TABLE_PT)
    p.alignment = align


def closing(doc, copies_heading: str, copies: tuple[str, ...], signer: tuple[str, ...]) -> None:
    """The bottom of the last page: "Nơi nhận:" (bold italic 12 pt) with its "- …;" lines (11 pt) on
    the left; the signer's title (bold, capitals) on the right, room to sign, and a blank name line."""
    paragraph(doc, "")
    left, right = _two_columns(doc, (Cm(7.5), Emu(TEXT_WIDTH - Cm(7.5))))
    paragraph(left, copies_heading, bold=True, italic=True, size=COPIES_HEAD_PT)
    for line in copies:
        paragraph(left, f"- {line}", size=COPIES_PT)
    center = WD_ALIGN_PARAGRAPH.CENTER
    for line in signer:
        paragraph(right, line, bold=True, size=14, align=center)
    for _ in range(SIGN_SPACE):
        paragraph(right, "", size=14)
    paragraph(right, "", bold=True, size=14, align=center)  # the signer's name, written by hand or typed


def save(doc, path: Path) -> None:
    """Save with every zip entry dated FIXED_TIME: python-docx stamps entries with the clock."""
    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            out.writestr(entry, src.read(info.filename))
