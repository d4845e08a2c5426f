"""Tests for checker.validate.frames: the date a file stands on (issue #13 item 5).

A file's "Ngày gửi" (B12 of "Thông tin đơn vị") is read in the forms units type, with an info note;
where it cannot be read, the receipt time real evidence gives (an email's Date) stands for it and
the messages say so; with no such evidence the checks against it are left out, never replaced by
the as-of date. Genuine .xlsx files and a genuine .eml, read back with the real libraries.
"""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from checker.model.packed import unpacked
from checker.api import check_workbook, validate_files
from checker.read.inbox import gather
from checker.validate.pipeline import validate

from ..builders.hostile_inbox import eml
from ..conftest import Raw, good_row

AS_OF = dt.date(2023, 7, 25)  # long after the files: a stand-in as_of would make every deed late
INFO, NOMINATIONS = "Thông tin đơn vị", "Danh sách đề nghị"
EMAIL_DATE = "Tue, 20 Jun 2023 09:00:00 +0700"
TEMPLATE = " (Căn cứ: mẫu biểu chuẩn do Văn phòng Sở phát hành.)"
MUC_V, MUC_III_V = " (Căn cứ: Mục V, Kế hoạch số 327/KH-SVHTT.)", " (Căn cứ: Mục III, Mục V, Kế hoạch số 327/KH-SVHTT.)"
BAD_SENT = ("Ô B12 – “Ngày gửi” phải là ngày thật dạng ngày/tháng/năm, ví dụ 15/06/2023 (nhận được “{}”): "
            "hãy ghi lại ngày gửi. Khi chưa đọc được ngày gửi, ngày việc tốt và ngày hoạt động được so với ngày "
            "nhận tệp (theo thư điện tử hoặc sổ nhận văn bản); không có ngày nhận thì không so được với ngày gửi." + MUC_V)
# Over SHARED_UP_TO characters: the same in every row below, but not shared.
SUMMARY = ("Chị đã vận động đồng nghiệp tham gia hiến máu tình nguyện đợt tháng 5, tự mình hiến máu lần thứ "
           "12 và tổ chức xe đưa đón người hiến tại nhà văn hóa quận.")
FIELDS = ("sheet", "cell", "rule_id", "severity", "message")
NGAY = ("Ô J5 – “Ngày thực hiện việc tốt” phải là ngày thật dạng ngày/tháng/năm, không sau ngày gửi và không sau "
        "ngày kết thúc kế hoạch, nhưng ")


@pytest.mark.parametrize(("typed", "shown"), [
    ("15/6/23", "15/6/23"),
    ("15-6-2023", "15-6-2023"),
    ("15.06.2023", "15.06.2023"),
    ("15/06/2023", "15/06/2023"),
    ("ngày 15 tháng 6 năm 2023", "ngày 15 tháng 6 năm 2023"),
    ("15 tháng 6 năm 2023", "15 tháng 6 năm 2023"),
    ("Ngày  15  tháng 6  năm 2023", "Ngày  15  tháng 6  năm 2023"),
])
def test_typed_sent_date_is_read_day_first_with_a_note(make_book, rules, typed, shown):
    """Each usual typed form of "Ngày gửi" is 15/06/2023, told to the unit at B12, and used as the sending date."""
    path = make_book([good_row(deed_date=dt.date(2023, 6, 14))], info={"sent_date": Raw(typed)}, period="2023-06")
    report = check_workbook(path, rules, as_of=AS_OF)
    assert report.flatten(FIELDS) == [
        (INFO, "B12", "DL-CHUANHOA", "info",
         f"Ô B12 – “Ngày gửi”: ngày “{shown}” được lưu dạng chữ, không phải dạng ngày của bảng tính; đã hiểu là "
         "15/06/2023. Lần sau đề nghị nhập ngày vào ô có định dạng ngày (ô của mẫu chuẩn đã định dạng sẵn; ô đã đổi "
         "định dạng thì chọn Format Cells – Date, tức Định dạng ô – Ngày) rồi gõ lại ngày, không gõ dấu ' ở đầu."
         + TEMPLATE),
    ]
    assert report.files[0].sent_date == "2023-06-15"


def test_typed_sent_date_is_the_limit_of_deed_dates(make_book, rules):
    """A deed the day after a typed "Ngày gửi" breaks DN-NGAY against that date, not the as-of date."""
    path = make_book([good_row(deed_date=dt.date(2023, 6, 16))], info={"sent_date": Raw("15/6/23")}, period="2023-06")
    found = [f for f in check_workbook(path, rules, as_of=AS_OF).flatten(FIELDS) if f[2] == "DN-NGAY"]
    assert found == [(NOMINATIONS, "J5", "DN-NGAY", "error",
                      NGAY + "ngày này sau ngày gửi 15/06/2023 ghi ở ô “Ngày gửi” (nhận được “16/06/2023”): đề nghị "
                      "kiểm tra lại ngày, tháng, năm đã ghi ở ô này và ở ô “Ngày gửi”." + MUC_III_V)]


@pytest.mark.parametrize("typed", ["hôm qua", "32/13/2023", "31/02/2023", "2023/06/15", "15/06"])
def test_unreadable_sent_date_is_an_error_at_its_cell_and_nothing_else(make_book, rules, typed):
    """An unreadable "Ngày gửi" in a single checked file: DV-BATBUOC at B12 saying what to do, and no
    DN-KIPTHOI although the deed is 83 days before the as-of date (no receipt to compare with)."""
    path = make_book([good_row(deed_date=dt.date(2023, 5, 3))], info={"sent_date": Raw(typed)})
    report = check_workbook(path, rules, as_of=AS_OF)
    assert report.flatten(FIELDS) == [(INFO, "B12", "DV-BATBUOC", "error", BAD_SENT.format(typed))]
    assert report.files[0].sent_date is None


def test_single_file_without_sent_date_checks_deed_dates_against_the_plan_end_only(make_book, rules):
    """With no "Ngày gửi" and no receipt, a deed after the as-of date is not "after the sending date"."""
    path = make_book([good_row(deed_date=dt.date(2023, 7, 30))], info={"sent_date": Raw("hôm qua")})
    report = validate_files([path], rules, as_of=AS_OF).report()
    assert report.flatten(FIELDS) == [(INFO, "B12", "DV-BATBUOC", "error", BAD_SENT.format("hôm qua"))]


def test_single_file_without_sent_date_names_the_plan_end(make_book, rules):
    """A deed after the plan's end is still a DN-NGAY error, naming the plan's end (not the as-of date)."""
    path = make_book([good_row(deed_date=dt.date(2023, 10, 11))], info={"sent_date": Raw("hôm qua")})
    report = validate_files([path], rules, as_of=AS_OF).report()
    assert report.flatten(FIELDS) == [
        (NOMINATIONS, None, "DV-TOITHIEU", "error",
         "Báo cáo tháng phải có tối thiểu 1 gương đề nghị hợp lệ (nhận được 0): đề nghị sửa các lỗi của các dòng đề "
         "nghị hoặc bổ sung gương, rồi gửi lại." + MUC_V),
        (NOMINATIONS, "J5", "DN-NGAY", "error",
         NGAY + "ngày này sau ngày kết thúc kế hoạch 10/10/2023 (nhận được “11/10/2023”): đề nghị kiểm tra lại "
         "ngày, tháng, năm đã ghi: việc sau ngày kết thúc kế hoạch không thuộc đợt này." + MUC_III_V),
        (INFO, "B12", "DV-BATBUOC", "error", BAD_SENT.format("hôm qua")),
    ]


def _mailed(tmp_path, make_book, rows):
    """An inbox holding one email dated 20/06/2023 whose workbook has an unreadable "Ngày gửi"."""
    book = make_book(rows, info={"sent_date": Raw("hôm qua")})
    inbox = tmp_path / "inbox"
    eml(inbox / "thu.eml", [("bao_cao.xlsx", book.read_bytes())], date=EMAIL_DATE)
    return inbox


def _findings(inbox, rules, rule_id):
    subs = gather(inbox, rules).submissions
    assert [(s.received_at.date(), s.evidence) for s in subs] == [(dt.date(2023, 6, 20), "email_date")]
    report = validate(subs, rules, as_of=AS_OF).report()
    return [f[1:] for f in report.flatten(FIELDS) if f[2] == rule_id]


def test_deed_26_days_before_the_email_is_timely(tmp_path, make_book, rules):
    """The email's Date stands for an unreadable "Ngày gửi": a deed 26 days before it is no DN-KIPTHOI
    (the as-of date, 61 days after the deed, would have made one)."""
    inbox = _mailed(tmp_path, make_book, [good_row(deed_date=dt.date(2023, 5, 25))])
    assert _findings(inbox, rules, "DN-KIPTHOI") == []


def test_deed_70_days_before_the_email_names_the_email(tmp_path, make_book, rules):
    """A deed 70 days before the email's Date is a DN-KIPTHOI whose message names the email as the date used."""
    inbox = _mailed(tmp_path, make_book, [good_row(deed_date=dt.date(2023, 4, 11))])
    assert _findings(inbox, rules, "DN-KIPTHOI") == [
        ("J5", "DN-KIPTHOI", "warning",
         "Ô J5 – “Ngày thực hiện việc tốt” cách ngày nhận theo thư điện tử (20/06/2023) quá 60 ngày "
         "(nhận được “11/04/2023”, 70 ngày): kế hoạch yêu cầu đề xuất ngay khi phát hiện việc tốt; đề nghị kiểm tra "
         "lại ngày đã ghi và đề xuất các việc tốt mới ngay trong kỳ phát hiện." + MUC_V),
    ]


def test_deed_after_the_email_names_the_email(tmp_path, make_book, rules):
    """A deed dated after the email that carried the file breaks DN-NGAY against the email's date, said so."""
    inbox = _mailed(tmp_path, make_book, [good_row(deed_date=dt.date(2023, 6, 21))])
    assert _findings(inbox, rules, "DN-NGAY") == [
        ("J5", "DN-NGAY", "error",
         NGAY + "ngày này sau ngày nhận theo thư điện tử 20/06/2023 (tệp không ghi được ngày gửi) (nhận được "
         "“21/06/2023”): đề nghị kiểm tra lại ngày, tháng, năm đã ghi: việc được báo cáo phải diễn ra trước khi gửi."
         + MUC_III_V),
    ]


def test_readable_sent_date_wins_over_the_email(tmp_path, make_book, rules):
    """A readable "Ngày gửi" is the sending date even when an email's Date is known: messages say "ngày gửi"."""
    book = make_book([good_row(deed_date=dt.date(2023, 3, 1))], info={"sent_date": dt.date(2023, 5, 15)})
    inbox = tmp_path / "inbox"
    eml(inbox / "thu.eml", [("bao_cao.xlsx", book.read_bytes())], date=EMAIL_DATE)
    report = validate(gather(inbox, rules).submissions, rules, as_of=AS_OF).report()
    assert [f[1:] for f in report.flatten(FIELDS) if f[2] == "DN-KIPTHOI"] == [
        ("J5", "DN-KIPTHOI", "warning",
         "Ô J5 – “Ngày thực hiện việc tốt” cách ngày gửi (15/05/2023) quá 60 ngày "
         "(nhận được “01/03/2023”, 75 ngày): kế hoạch yêu cầu đề xuất ngay khi phát hiện việc tốt; đề nghị kiểm tra "
         "lại ngày đã ghi và đề xuất các việc tốt mới ngay trong kỳ phát hiện." + MUC_V),
    ]


def test_a_short_text_in_many_cells_is_one_object_and_stays_one_across_processes(make_book, rules):
    """Each cell read is its own object; a chunk's frames hold one object per short text, so a
    chunk's pickle (how a worker hands its rows over) carries it once and the parent holds it once
    per chunk. (A long text, a summary, need not be shared: it rarely repeats.)"""
    rows = [good_row(n, name="Nguyễn Thị Hoa", summary=SUMMARY) for n in range(1, 6)]
    validation = validate_files([make_book(rows, name="a.xlsx")], rules, as_of=AS_OF)
    frame = validation.frames.tables["nominations"]
    for shipped in (frame, pickle.loads(pickle.dumps(frame))):
        for column in ("name", "position", "kind", "deed_group", "criterion_1", "name__raw", "deed_date__raw"):
            values = shipped[column].tolist()
            assert len(values) == 5 and len({id(v) for v in values}) == 1, column
        assert shipped["criterion_1"][0] is shipped["criterion_2"][0]  # "Có" in two columns: one object
        assert unpacked(shipped["summary"][0]) == SUMMARY  # held packed (model.packed)
