"""ntvt's own files left in an inbox (annotated copies, consolidated workbooks, reply drafts) are
recognised by their mark and listed as "Tệp do ntvt tạo", never read as a unit's report."""

from __future__ import annotations

import datetime as dt
import email.policy
import io
import os
import shutil
import zipfile
from email.message import EmailMessage

import openpyxl
from openpyxl.packaging.custom import StringProperty

from checker import consolidate
from checker.api import check_many, make_template, validate_files, write_annotated_copies
from checker.model.marks import EMAIL_HEADER, WORKBOOK_PROPERTY
from checker.read.workbook import read_workbook
from checker.write.console import findings_table

AS_OF = dt.date(2023, 7, 25)
REASON = ("tệp do ntvt tạo (bản sao có đánh dấu / bảng tổng hợp / thư phản hồi nháp): không phải báo cáo của "
          "đơn vị; hãy để tệp này ngoài thư mục hồ sơ")
XLSX = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def custom_properties(path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {p.name: p.value for p in wb.custom_doc_props}


def manifest(path) -> dict[str, tuple[str, str]]:
    """"Tệp đã nhận": file -> (status, reason)."""
    ws = openpyxl.load_workbook(path, read_only=True)["Tệp đã nhận"]
    return {r[0]: (r[9], r[10]) for r in ws.iter_rows(min_row=6, values_only=True) if r[0]}


def later(path, seconds: int = 3600) -> None:
    """Make `path` look saved after the report (an office copies it into the inbox afterwards)."""
    st = os.stat(path)
    os.utime(path, (st.st_atime + seconds, st.st_mtime + seconds))


def annotated_copy_of(report, rules, directory):
    [copy] = write_annotated_copies(validate_files([report], rules, as_of=AS_OF), directory, as_of=AS_OF)
    return copy


def used_and_findings(c, name: str):
    used = {c.validation.books[d.index].name for d in c.decisions if d.status == "used"}
    return used, [f.rule_id for f in c.findings if f.file == name]


def test_annotated_copy_left_in_the_inbox_does_not_supersede_the_report(tmp_path, make_book, rules):
    """The unit's report is used; ntvt's annotated copy of it is listed as ntvt's own, with no finding."""
    inbox = tmp_path / "inbox"
    report = make_book(unit="CHEO", name="CHEO_thang05.xlsx", directory=inbox, rows=[])  # no nominee: a finding
    copy = annotated_copy_of(report, rules, inbox)
    later(copy)
    assert custom_properties(copy) == {WORKBOOK_PROPERTY: "annotated-copy"}
    out = tmp_path / "out.xlsx"
    c = consolidate(inbox, out, rules, as_of=AS_OF)
    used, copy_findings = used_and_findings(c, copy.name)
    assert used == {"CHEO_thang05.xlsx"} and copy_findings == []
    assert c.validation.books[1].generated == "annotated-copy"
    assert manifest(out)[copy.name] == ("Tệp do ntvt tạo", REASON)
    assert manifest(out)["CHEO_thang05.xlsx"][0] == "Được dùng"


def test_consolidated_workbook_left_in_the_inbox_is_not_a_report(tmp_path, make_book, rules):
    """A consolidated workbook (marked "consolidated") saved into the inbox is listed, not read."""
    inbox = tmp_path / "inbox"
    make_book(unit="CHEO", name="CHEO_thang05.xlsx", directory=inbox)
    first = tmp_path / "tong_hop.xlsx"
    consolidate(inbox, first, rules, as_of=AS_OF)
    props = custom_properties(first)  # the mark, and the digests `ntvt verify` checks (one per sheet)
    assert props[WORKBOOK_PROPERTY] == "consolidated"
    assert sorted(props) == sorted([WORKBOOK_PROPERTY] + [f"ntvt-sha256 {n}" for n in range(1, len(props))])
    shutil.copy(first, inbox / "tong_hop_thang05.xlsx")
    out = tmp_path / "out.xlsx"
    c = consolidate(inbox, out, rules, as_of=AS_OF)
    assert used_and_findings(c, "tong_hop_thang05.xlsx") == ({"CHEO_thang05.xlsx"}, [])
    assert manifest(out)["tong_hop_thang05.xlsx"] == ("Tệp do ntvt tạo", REASON)


def test_reply_draft_left_in_the_inbox_is_not_an_email_from_a_unit(tmp_path, make_book, rules):
    """An .eml carrying ntvt's header is listed as ntvt's own; its attachment is not a submission."""
    inbox = tmp_path / "inbox"
    report = make_book(unit="CHEO", name="CHEO_thang05.xlsx", directory=inbox)
    msg = EmailMessage()
    msg["From"], msg["To"] = "vanphong@sovhtt.hanoi.gov.vn", "vanthu@cheo.gov.vn"
    msg["Subject"], msg["Date"] = "Kết quả kiểm tra báo cáo", "Fri, 19 May 2023 10:00:00 +0700"
    msg[EMAIL_HEADER] = "reply-draft"
    msg.set_content("Kính gửi Nhà hát Chèo Hà Nội.")
    msg.add_attachment(report.read_bytes(), maintype="application", subtype=XLSX, filename="CHEO_thang05.xlsx")
    (inbox / "thu_tra_loi_CHEO.eml").write_bytes(msg.as_bytes(policy=email.policy.SMTP))
    out = tmp_path / "out.xlsx"
    c = consolidate(inbox, out, rules, as_of=AS_OF)
    [draft] = [f for f in c.inbox.files if f.name == "thu_tra_loi_CHEO.eml"]
    assert (draft.status, draft.attachments, len(c.inbox.submissions)) == ("generated", [], 1)
    assert manifest(out)["thu_tra_loi_CHEO.eml"] == ("Tệp do ntvt tạo", REASON)


def test_ntvt_check_on_an_annotated_copy_says_it_is_ntvts_own(tmp_path, make_book, rules):
    """`ntvt check` of an annotated copy reports no finding and says the file is ntvt's own."""
    copy = annotated_copy_of(make_book(rows=[]), rules, tmp_path / "copies")
    report = check_many([copy], rules, as_of=AS_OF)
    assert report.findings == []
    assert findings_table(report).splitlines()[0] == f"== {copy}  [TỆP DO NTVT TẠO: {REASON}]"


def test_the_blank_template_is_unmarked_and_read_as_a_report(tmp_path, rules):
    """The template units fill and send back carries no mark: it is read as a report."""
    path = make_template(rules, tmp_path / "mau.xlsx", as_of=AS_OF)
    assert WORKBOOK_PROPERTY not in custom_properties(path)
    book = read_workbook(path.name, path.read_bytes(), rules)
    assert (book.generated, book.rejected, bool(book.tables)) == (None, None, True)


def with_custom_property(path, name: str, value: str):
    wb = openpyxl.load_workbook(path)
    wb.custom_doc_props.append(StringProperty(name=name, value=value))
    wb.save(path)
    return path


def test_an_inputs_own_custom_properties_never_reach_its_copy(tmp_path, make_book, rules):
    """A unit's custom property ("Phòng soạn") is not copied; the copy carries only ntvt's mark."""
    report = with_custom_property(make_book(rows=[]), "Phòng soạn", "Phòng Tổ chức")
    assert read_workbook(report.name, report.read_bytes(), rules).generated is None
    copy = annotated_copy_of(report, rules, tmp_path / "copies")
    assert custom_properties(copy) == {WORKBOOK_PROPERTY: "annotated-copy"}


def test_a_forged_mark_hides_the_file(tmp_path, make_book, rules):
    """A unit that puts ntvt's property on its own report has it listed as ntvt's own (their loss,
    and visible in "Tệp đã nhận"): the mark is a convenience against mistakes, not a security check."""
    report = with_custom_property(make_book(), WORKBOOK_PROPERTY, "anything")
    book = read_workbook(report.name, report.read_bytes(), rules)
    assert (book.generated, book.rejected.code, book.tables) == ("anything", "generated", {})


def test_marked_outputs_stay_byte_reproducible(tmp_path, make_book, rules):
    """The same input gives the same bytes of annotated copy, mark included."""
    report = make_book(rows=[])
    one = annotated_copy_of(report, rules, tmp_path / "a").read_bytes()
    two = annotated_copy_of(report, rules, tmp_path / "b").read_bytes()
    assert one == two
    with zipfile.ZipFile(io.BytesIO(one)) as z:
        assert b'name="ntvt-generated"' in z.read("docProps/custom.xml")
