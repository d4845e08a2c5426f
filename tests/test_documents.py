"""`ntvt documents` end to end, on the samples: the council fills the "Xét duyệt" sheet of a consolidated
workbook with openpyxl; draft_documents consolidates again with those decisions (writing the workbook
too) and writes the Tờ trình and the báo cáo tổng kết. The .docx files are opened with python-docx:
the layout of Nghị định 30 (heading, Số line, Kính gửi, Nơi nhận, signature), the appendix lists
exactly the nominees the council proposed, in order, and every figure of the report equals what this
test counts itself from the workbook read back with openpyxl (never from decide/figures)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import docx
import openpyxl
import pytest
from docx.shared import Pt
from docx.table import Table

from checker import api
from checker.model.errors import CheckerError

from .conftest import PLAN_TEXT, ROOT

SAMPLES = ROOT / "sample_workbooks"
REVIEW, LIST, MATRIX, ACTIVITIES, FINDINGS = "Xét duyệt", "Danh sách đề nghị", "Tình hình nộp", "Hoạt động", "Lỗi và cảnh báo"
PROPOSE = "Đề nghị Thành phố"
CHOICES = [("Đỗ Thị Tuấn", PROPOSE, ""), ("Bùi Thị Hà", PROPOSE, ""), ("Phạm Thị Lan", PROPOSE, ""),
           ("Trần Thị Hương", PROPOSE, ""), ("Vũ Thị Yến", "Khen cấp Sở", ""),
           ("Đặng Thị Nam", "Trả lại", "Thành tích chưa có xác nhận của công đoàn cơ sở")]
QUOTE = ("Mỗi đơn vị giới thiệu tối thiểu 01 gương điển hình tiên tiến, “Người tốt, việc tốt” gửi về Hội đồng Thi "
         "đua - Khen thưởng Sở (qua Văn phòng Sở) trước ngày 20 hàng tháng để xem xét, giới thiệu Thành phố khen thưởng.")


@pytest.fixture(scope="module", params=[dt.date(2023, 7, 25), dt.date(2023, 10, 10)], ids=str)
def drafted(request, tmp_path_factory, rules):
    day = request.param
    out = tmp_path_factory.mktemp("documents")
    first = api.consolidate(SAMPLES, out / "lan1.xlsx", rules, as_of=day)
    wb = openpyxl.load_workbook(first.output)
    ws = wb[REVIEW]
    rows = {ws.cell(r, 3).value: r for r in range(4, ws.max_row + 1)}
    for name, decision, reason in CHOICES:
        ws.cell(rows[name], 9, decision)
        ws.cell(rows[name], 10, reason or None)
    wb.save(out / "hoi_dong.xlsx")
    result, written = api.draft_documents(SAMPLES, out / "van_ban", rules, as_of=day, decisions=out / "hoi_dong.xlsx",
                                          output=out / "lan2.xlsx")
    return day, out, result, written


def _content(path):
    """The document's paragraphs and tables in order, as ("p", text, paragraph) or ("t", table)."""
    doc = docx.Document(path)
    return doc, [("t", item) if isinstance(item, Table) else ("p", item.text, item) for item in doc.iter_inner_content()]


def _cells(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _table_after(items, heading: str):
    """The first table after the paragraph `heading`."""
    start = next(n for n, item in enumerate(items) if item[0] == "p" and item[1] == heading)
    return next(item[1] for item in items[start:] if item[0] == "t")


def _sentence_after(items, heading: str) -> str:
    start = next(n for n, item in enumerate(items) if item[0] == "p" and item[1] == heading)
    return next(item[1] for item in items[start + 1:] if item[0] == "p" and item[1])


def test_both_drafts_written_atomically_beside_no_input(drafted):
    day, out, _, written = drafted
    assert [p.name for p in written] == [f"to_trinh_{day:%Y-%m-%d}.docx", f"bao_cao_tong_ket_{day:%Y-%m-%d}.docx"]
    assert sorted(p.name for p in (out / "van_ban").iterdir()) == sorted(p.name for p in written)


@pytest.mark.parametrize("which", [0, 1])
def test_the_layout_of_nghi_dinh_30(drafted, which):
    *_, written = drafted
    doc, items = _content(written[which])
    section = doc.sections[0]
    mm = [round(length.mm, 1) for length in (section.page_width, section.page_height, section.top_margin,
                                             section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210, 297, 20, 20, 30, 15]  # A4; the margins of Nghị định 30 (stored in twips)
    assert doc.styles["Normal"].font.name == "Times New Roman" and doc.styles["Normal"].font.size == Pt(14)
    kind, number = ("TỜ TRÌNH", "Số: ……/TTr-SVHTT") if which == 0 else ("BÁO CÁO", "Số: ……/BC-SVHTT")
    left, right = items[0][1].rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["UBND THÀNH PHỐ HÀ NỘI", "SỞ VĂN HÓA VÀ THỂ THAO", number]
    assert [p.runs[0].bold for p in left.paragraphs if p.text] == [None, True, None]
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày …… tháng …… năm 2023"]
    assert [p.runs[0].bold or p.runs[0].italic for p in right.paragraphs if p.text] == [True, True, True]
    texts = [item[1] for item in items if item[0] == "p" and item[1]]
    assert texts[0] == kind
    assert texts[2] == "Kính gửi: Ủy ban nhân dân Thành phố Hà Nội (qua Ban Thi đua - Khen thưởng Thành phố)."
    body = [item[2] for item in items if item[0] == "p" and item[1].startswith(("Căn cứ", "Thực hiện"))]
    assert body and body[0].alignment == 3 and body[0].paragraph_format.first_line_indent > 0  # 3: justified
    closing = next(item[1] for item in reversed(items) if item[0] == "t" and item[1].rows[0].cells[0].text.startswith("Nơi"))
    copies, signer = closing.rows[0].cells
    lines = [p for p in copies.paragraphs if p.text]
    assert lines[0].text == "Nơi nhận:" and lines[0].runs[0].bold and lines[0].runs[0].italic
    assert lines[0].runs[0].font.size == Pt(12) and all(p.runs[0].font.size == Pt(11) for p in lines[1:])
    assert all(re.fullmatch(r"- .+[;.]", p.text) for p in lines[1:]) and lines[-1].text == "- Lưu: VT, VP."
    assert [p.text for p in signer.paragraphs if p.text] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert len(signer.paragraphs) == 2 + 4 + 1  # the title, room to sign, the name line


def test_the_proposal_quotes_the_plan_and_counts_what_the_council_chose(drafted):
    day, _, result, written = drafted
    _, items = _content(written[0])
    assert QUOTE in PLAN_TEXT.read_text(encoding="utf-8")
    texts = [item[1] for item in items if item[0] == "p"]
    assert "Về việc đề nghị khen thưởng gương điển hình tiên tiến, “Người tốt, việc tốt” năm 2023" in texts
    ws = openpyxl.load_workbook(drafted[1] / "lan2.xlsx", read_only=True)[REVIEW]
    review = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[2]]
    proposed = [r for r in review if r[8] == PROPOSE]
    assert len(proposed) == 4
    assert f"Tính đến hết ngày {day:%d/%m/%Y}, các đơn vị đã giới thiệu {len(review)} gương hợp lệ; Hội đồng Thi đua - " \
           f"Khen thưởng Sở đã xem xét và thống nhất đề nghị Thành phố khen thưởng 4 gương của " \
           f"{len({r[1] for r in proposed})} đơn vị (danh sách kèm theo)." in next(t for t in texts if t.startswith("Mục V"))
    assert f"Mục V của Kế hoạch quy định: “{QUOTE}” Tính đến hết ngày" in next(t for t in texts if t.startswith("Mục V"))


def test_the_appendix_lists_exactly_the_nominees_proposed_in_order(drafted):
    _, out, _, written = drafted
    doc, items = _content(written[0])
    # On a new page, after the closing block: a page break, then the title.
    titles = [n for n, item in enumerate(items) if item[0] == "p" and item[1] == "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"]
    assert len(titles) == 1
    assert any('w:br w:type="page"' in item[2]._p.xml for item in items[:titles[0]] if item[0] == "p")
    table = items[-1][1]
    assert 'w:tblHeader w:val="true"' in table.rows[0]._tr.xml
    assert _cells(table)[0] == ["STT", "Họ và tên", "Chức vụ và đơn vị", "Tóm tắt thành tích"]
    wb = openpyxl.load_workbook(out / "hoi_dong.xlsx", read_only=True)
    chosen = [r for r in wb[REVIEW].iter_rows(min_row=4, values_only=True) if r[8] == PROPOSE]
    listed = {(str(r[0]).split("/")[-1], r[2]): r for r in wb[LIST].iter_rows(min_row=2, values_only=True)}
    position = [listed[(r[6], r[7])][10] for r in chosen]
    expected = [[str(n), r[2], f"{pos}, {r[1]}", r[5]] for n, (r, pos) in enumerate(zip(chosen, position), start=1)]
    assert _cells(table)[1:] == expected
    assert [row[1] for row in expected] == ["Đỗ Thị Tuấn", "Bùi Thị Hà", "Trần Thị Hương", "Phạm Thị Lan"]


def _workbook_figures(path, rules):
    """The report's figures, counted here from the workbook's sheets."""
    wb = openpyxl.load_workbook(path, read_only=True)
    cycles = [rules.cycle_label(c) for c in rules.deadlines.cycles]
    matrix = [r for r in wb[MATRIX].iter_rows(min_row=6, max_row=5 + len(rules.units), values_only=True)]
    by_unit = [(r[1], sum(r[3 + 2 * k] for k in range(len(cycles)))) for r in matrix]
    by_cycle = [(label, sum(r[3 + 2 * k] for r in matrix)) for k, label in enumerate(cycles)]
    on_time = [(label, sum(r[2 + 2 * k].startswith("Đúng hạn") for r in matrix),
                sum(not r[2 + 2 * k].startswith("Chưa đến hạn") for r in matrix)) for k, label in enumerate(cycles)]
    never = [r[1] for r in matrix if all(r[c].startswith(("Chưa nộp", "Chưa đến hạn"))
                                         for c in [*(2 + 2 * k for k in range(len(cycles))), 2 + 2 * len(cycles)])]
    errors, whole = set(), set()  # errors on a row's cell; errors on a whole sheet of a file (a column missing)
    for r in wb[FINDINGS].iter_rows(min_row=2, values_only=True):
        if r[1] == "Lỗi" and r[7]:
            errors.add((r[5], r[6], int(re.sub(r"\D", "", r[7]))))
        elif r[1] == "Lỗi" and r[6]:
            whole.add((r[5], r[6]))

    def valid(sheet):
        rows = list(wb[sheet].iter_rows(values_only=True))
        head = rows[0]
        return head, [r for r in rows[1:] if r[4] != "Tổng kết" and r[head.index("Tình trạng dòng")] == "Đang có hiệu lực"
                      and (r[0], r[1], r[2]) not in errors and (r[0], r[1]) not in whole]

    head, nominations = valid(LIST)
    levels = Counter(r[head.index("Cấp đề nghị")] for r in nominations)
    by_level = [(v, levels.get(v, 0)) for v in rules.list_values("levels")]
    head, activities = valid(ACTIVITIES)
    kind = "Kỷ niệm 75 năm Lời kêu gọi thi đua ái quốc"
    per_unit = Counter(r[3] for r in activities if r[head.index("Loại hoạt động")] == kind)
    anniversary = [(u.name, per_unit[u.name]) for u in rules.units if per_unit[u.name]]
    centre = next(u.name for u in rules.units if "tuyen_truyen" in u.roles)
    own = [r for r in activities if r[3] == centre]
    articles = sum(r[head.index("Số tin, bài")] or 0 for r in own)
    return by_unit, by_cycle, by_level, on_time, never, anniversary, (centre, articles, len(own)), len(nominations)


def _count_rows(counts):
    return [[str(n), label, str(count)] for n, (label, count) in enumerate(counts, start=1)] + [
        ["", "Tổng cộng", str(sum(c for _, c in counts))]]


def test_every_figure_of_the_report_is_the_workbooks(drafted, rules):
    day, out, _, written = drafted
    by_unit, by_cycle, by_level, on_time, never, anniversary, articles, valid = _workbook_figures(out / "lan2.xlsx", rules)
    total = sum(c for _, c in by_unit)
    assert total == sum(c for _, c in by_cycle) == sum(c for _, c in by_level) == valid  # the sheets agree
    _, items = _content(written[1])
    assert _cells(_table_after(items, "1. Số gương đề nghị theo đơn vị"))[1:] == _count_rows(by_unit)
    assert _sentence_after(items, "1. Số gương đề nghị theo đơn vị") == (
        f"Các đơn vị đã giới thiệu {total} gương hợp lệ; {sum(1 for _, c in by_unit if c)}/24 đơn vị có gương được "
        f"giới thiệu.")
    assert _cells(_table_after(items, "2. Số gương đề nghị theo kỳ báo cáo"))[1:] == _count_rows(by_cycle)
    assert _cells(_table_after(items, "3. Số gương theo cấp đề nghị"))[1:] == _count_rows(by_level)
    rates = [[str(n), label, str(ok) if due else "", str(due) if due else "",
              (f"{100 * ok / due:.1f}".replace(".", ",") + "%") if due else "Chưa đến hạn"]
             for n, (label, ok, due) in enumerate(on_time, start=1)]
    assert _cells(_table_after(items, "4. Gửi báo cáo đúng hạn"))[1:] == rates
    due = [(ok, d) for _, ok, d in on_time if d]
    assert _sentence_after(items, "4. Gửi báo cáo đúng hạn") == (
        f"Qua {len(due)} kỳ đã đến hạn, có {sum(o for o, _ in due)} lượt đơn vị gửi gương hợp lệ đúng hạn trên "
        f"{sum(d for _, d in due)} lượt phải gửi:")
    assert never  # the samples hold a unit that sent nothing
    assert _cells(_table_after(items, "5. Đơn vị chưa gửi báo cáo nào"))[1:] == [
        [str(n), name] for n, name in enumerate(never, start=1)]
    heading = "6. Hoạt động kỷ niệm 75 năm Ngày Chủ tịch Hồ Chí Minh ra “Lời kêu gọi thi đua ái quốc”"
    assert anniversary and _cells(_table_after(items, heading))[1:] == _count_rows(anniversary)
    centre, count, rows = articles
    assert _sentence_after(items, "7. Tuyên truyền gương điển hình tiên tiến") == (
        f"{centre} đã đăng {count} tin, bài qua {rows} hoạt động đã báo cáo.")
    assert count > 0


def test_the_narrative_sections_are_headings_left_to_write(drafted):
    *_, written = drafted
    _, items = _content(written[1])
    texts = [item[1] for item in items if item[0] == "p" and item[1]]
    for heading in ("I. ĐẶC ĐIỂM TÌNH HÌNH", "II. KẾT QUẢ TRIỂN KHAI THỰC HIỆN", "III. ĐÁNH GIÁ CHUNG",
                    "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", "V. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert texts[texts.index(heading) + 1] == "[Văn phòng Sở viết phần này]", heading


def test_same_inputs_same_bytes(drafted, rules, tmp_path):
    day, out, result, written = drafted
    again = api.write_documents(result, tmp_path, inputs=[SAMPLES])
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in written]


def test_without_decisions_only_the_report(rules, tmp_path):
    result, written = api.draft_documents(SAMPLES, tmp_path / "vb", rules, as_of=dt.date(2023, 7, 25))
    assert [p.name for p in written] == ["bao_cao_tong_ket_2023-07-25.docx"]
    assert result.review is None and not (tmp_path / "tong_hop.xlsx").exists()


def test_a_rules_file_without_documents_is_refused_in_words(rules, tmp_path):
    text = rules.path.read_text(encoding="utf-8")
    start = text.index("\ndocuments:")
    end = text.index("\n# Đối chiếu tên đơn vị")
    (tmp_path / "r.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    bare = api.load_rules(tmp_path / "r.yaml")
    with pytest.raises(CheckerError) as caught:
        api.draft_documents(SAMPLES, tmp_path / "vb", bare, as_of=dt.date(2023, 7, 25))
    assert caught.value.message == ("Tệp quy tắc “r.yaml” không có khối “documents:” (lời văn của Tờ trình và báo cáo "
                                    "tổng kết): hãy thêm khối này (xem tệp quy tắc kèm theo) rồi soạn lại văn bản (ntvt documents).")
    assert not (tmp_path / "vb").exists()


def test_never_written_over_an_input(rules, tmp_path):
    with pytest.raises(CheckerError) as caught:
        api.draft_documents(SAMPLES, SAMPLES / "van_ban", rules, as_of=dt.date(2023, 7, 25))
    assert "đó là tệp đầu vào hoặc nằm trong thư mục đầu vào" in caught.value.message


def test_the_decisions_are_an_input_too(drafted, rules):
    day, out, *_ = drafted
    decisions = out / "hoi_dong.xlsx"
    before = decisions.read_bytes()
    with pytest.raises(CheckerError) as caught:
        api.draft_documents(SAMPLES, out / "vb_khac", rules, as_of=day, decisions=decisions, output=decisions)
    assert "đó là tệp đầu vào" in caught.value.message and decisions.read_bytes() == before
