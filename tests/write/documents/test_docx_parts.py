"""write/documents/docx_parts.py: the pieces of Nghị định 30's layout, read back with python-docx from a
saved file, and saving that depends on nothing but the document (fixed zip dates, same bytes)."""

from __future__ import annotations

import datetime as dt
import zipfile

import docx
from docx.shared import Cm, Pt

from checker.write.documents import docx_parts as parts

DAY = dt.date(2023, 7, 25)


def _saved(tmp_path, build, name="a.docx"):
    doc = parts.new_document(DAY, "Thử")
    build(doc)
    path = tmp_path / name
    parts.save(doc, path)
    return path


def _page(doc):
    parts.heading(doc, ("CƠ QUAN CHỦ QUẢN", "CƠ QUAN BAN HÀNH"), "Số: ……/TTr-X", "Nơi ký", 2024)
    parts.title(doc, "TỜ TRÌNH", "Về việc thử")
    parts.addressee(doc, "Kính gửi: Cơ quan nhận.")
    parts.body(doc, "Đoạn thân văn bản.")
    parts.grid(doc, ("STT", "Tên"), [("1", "An"), ("", "Tổng cộng")], [Cm(2), Cm(10)], left=(1,), bold_last=True)
    parts.closing(doc, "Nơi nhận:", ("Như trên;", "Lưu: VT."), ("GIÁM ĐỐC",))


def test_the_heading_table_is_borderless_with_rules_under_the_bodies_and_the_motto(tmp_path):
    doc = docx.Document(_saved(tmp_path, _page))
    heading = doc.tables[0]
    assert heading.style.name == "Normal Table"  # no borders
    left, right = heading.rows[0].cells
    assert [p.text for p in left.paragraphs] == ["CƠ QUAN CHỦ QUẢN", "CƠ QUAN BAN HÀNH", "", "Số: ……/TTr-X"]
    assert [p.text for p in right.paragraphs] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                                                  "", "Nơi ký, ngày …… tháng …… năm 2024"]
    for cell in (left, right):
        assert "w:bottom" in cell.paragraphs[2]._p.xml and "w:pBdr" in cell.paragraphs[2]._p.xml
    assert right.paragraphs[3].runs[0].italic and left.paragraphs[1].runs[0].bold and not left.paragraphs[0].runs[0].bold
    assert round(left.width.cm, 1) == 7.0 and round(right.width.cm, 1) == 9.5


def test_body_justified_with_a_first_line_indent_and_fonts_for_every_script(tmp_path):
    doc = docx.Document(_saved(tmp_path, _page))
    body = next(p for p in doc.paragraphs if p.text == "Đoạn thân văn bản.")
    assert body.alignment == 3 and round(body.paragraph_format.first_line_indent.cm, 2) == 1.27
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert {fonts.get(f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{k}")
            for k in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Times New Roman"}
    title = next(p for p in doc.paragraphs if p.text == "TỜ TRÌNH")
    assert title.alignment == 1 and title.runs[0].bold


def test_a_grid_repeats_its_header_row_and_bolds_its_total(tmp_path):
    doc = docx.Document(_saved(tmp_path, _page))
    grid = doc.tables[1]
    assert grid.style.name == "Table Grid"
    assert 'w:tblHeader w:val="true"' in grid.rows[0]._tr.xml and "tblHeader" not in grid.rows[1]._tr.xml
    assert [[c.text for c in row.cells] for row in grid.rows] == [["STT", "Tên"], ["1", "An"], ["", "Tổng cộng"]]
    assert grid.rows[2].cells[1].paragraphs[0].runs[0].bold and not grid.rows[1].cells[1].paragraphs[0].runs[0].bold
    assert grid.rows[1].cells[1].paragraphs[0].alignment == 0 and grid.rows[1].cells[0].paragraphs[0].alignment == 1
    assert grid.rows[1].cells[0].paragraphs[0].runs[0].font.size == Pt(13)


def test_the_closing_block(tmp_path):
    doc = docx.Document(_saved(tmp_path, _page))
    copies, signer = doc.tables[-1].rows[0].cells
    assert [p.text for p in copies.paragraphs] == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
    assert copies.paragraphs[0].runs[0].bold and copies.paragraphs[0].runs[0].italic
    assert [p.runs[0].font.size for p in copies.paragraphs] == [Pt(12), Pt(11), Pt(11)]
    assert [p.text for p in signer.paragraphs] == ["GIÁM ĐỐC"] + [""] * (parts.SIGN_SPACE + 1)


def test_saved_with_fixed_dates_the_same_bytes(tmp_path):
    first, second = _saved(tmp_path, _page, "a.docx"), _saved(tmp_path, _page, "b.docx")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "word/document.xml" in z.namelist()
    props = docx.Document(first).core_properties
    day = dt.datetime(2023, 7, 25, tzinfo=dt.timezone.utc)
    assert (props.created, props.modified, props.author) == (day, day, "ntvt")
