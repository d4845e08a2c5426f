"""The receipt log as offices save it: separators, encodings, Vietnamese headers, paths, times, and
the rows that name no file of the inbox."""

from __future__ import annotations

import datetime as dt
import unicodedata

import openpyxl
import pytest

from checker import consolidate
from checker.model.errors import CheckerError
from checker.read.inbox import gather
from checker.read.receipt_log import read_receipt_log

HANOI = dt.timezone(dt.timedelta(hours=7))
AS_OF = dt.date(2023, 7, 25)
FOLDER, FILE = "Chèo Hải Phòng", "Báo cáo tháng 5.xlsx"


TONES = "\u0300\u0301\u0303\u0309\u0323"  # the combining tone marks code page 1258 has


def cp1258(text: str) -> bytes:
    """`text` as Vietnamese Windows writes it in code page 1258: a precomposed letter where the code
    page has one, else the base letter and a combining tone mark ("ả" = "a" + 0xD2)."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            marks = unicodedata.normalize("NFD", ch)
            tone = "".join(m for m in marks if m in TONES)
            out += unicodedata.normalize("NFC", "".join(m for m in marks if m not in TONES)).encode("cp1258")
            out += tone.encode("cp1258")
    return out


def inbox_with_one_file(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / FOLDER).mkdir(parents=True)
    (inbox / FOLDER / FILE).write_bytes(b"")  # gather does not read it; the time comes from the log
    return inbox


def log_file(tmp_path, data: bytes):
    path = tmp_path / "so_nhan.csv"
    path.write_bytes(data)
    return path


LINE = f"{FOLDER}/{FILE}"
FORMS = {
    "utf-8, comma": f"file,received_at\n{LINE},2023-05-15 08:30\n".encode(),
    "utf-8 with BOM, semicolon": "\ufeffTên tệp;Thời điểm nhận\r\n".encode() + f"{LINE};15/05/2023 08:30\r\n".encode(),
    "cp1258, semicolon, Vietnamese headers": cp1258(f"Tệp;Ngày nhận\r\n{LINE};15/05/2023 8:30\r\n"),
    "headers without diacritics, any case": f"TEN TEP;thoi diem nhan\n{LINE};2023-05-15T08:30:00\n".encode(),
    "backslashes, other case": f"file;received_at\n{FOLDER.upper()}\\{FILE.lower()};15/05/2023 08:30:00\n".encode(),
    "NFD (a Mac)": unicodedata.normalize("NFD", f"file,received_at\n{LINE},2023-05-15 08:30\n").encode(),
}


@pytest.mark.parametrize("data", FORMS.values(), ids=FORMS.keys())
def test_log_in_each_form_gives_the_file_its_time(tmp_path, rules, data):
    """Comma or semicolon, UTF-8 (with or without BOM) or cp1258, English or Vietnamese headers, "/" or
    "\\" and any case: the file gets the logged time as its receipt, and no row is left unmatched."""
    log = read_receipt_log(log_file(tmp_path, data), rules)
    gathered = gather(inbox_with_one_file(tmp_path), rules, log)
    [sub] = gathered.submissions
    assert (sub.name, sub.received_at, sub.evidence) == (
        f"{FOLDER}/{FILE}", dt.datetime(2023, 5, 15, 8, 30, tzinfo=HANOI), "receipt_log")
    assert gathered.unmatched_log == []


def test_cp1258_bytes_really_carry_combining_marks():
    """The cp1258 test data spells "ả" and "ệ" with combining marks, as Vietnamese Windows does."""
    assert (cp1258("Hải"), cp1258("Tệp"), cp1258("Báo")) == (b"Ha\xd2i", b"T\xea\xf2p", b"B\xe1o")
    assert b"Ha\xd2i".decode("cp1258") != "Hải"  # decoded, it still needs NFC to compare


@pytest.mark.parametrize("written, expected", [
    ("2023-05-15 08:30", dt.datetime(2023, 5, 15, 8, 30)),
    ("2023-05-15 08:30:15", dt.datetime(2023, 5, 15, 8, 30, 15)),
    ("2023-05-15T08:30", dt.datetime(2023, 5, 15, 8, 30)),
    ("15/05/2023 08:30", dt.datetime(2023, 5, 15, 8, 30)),
    ("5/5/2023 8:05:09", dt.datetime(2023, 5, 5, 8, 5, 9)),
    ("2023-05-15", dt.datetime(2023, 5, 15)),
    ("15/05/2023", dt.datetime(2023, 5, 15)),
])
def test_time_formats(tmp_path, rules, written, expected):
    """Each documented form is read day-first, in Hanoi time; a date alone is the start of that day."""
    [row] = read_receipt_log(log_file(tmp_path, f"file;received_at\na.xlsx;{written}\n".encode()), rules).rows
    assert (row.line, row.file, row.written, row.received_at) == (2, "a.xlsx", written, expected.replace(tzinfo=HANOI))


def test_blank_rows_excel_leaves_are_skipped(tmp_path, rules):
    """Rows Excel saves as ";" (nothing written) are not read; other rows keep their line numbers."""
    log = read_receipt_log(log_file(tmp_path, b"file;received_at\n;\na.xlsx;2023-05-15\n\n;;\nb.xlsx;16/05/2023\n"),
                           rules)
    assert [(r.line, r.file) for r in log.rows] == [(3, "a.xlsx"), (6, "b.xlsx")]


def test_bad_time_in_a_cp1258_semicolon_log_names_the_line(tmp_path, rules):
    """A cp1258, semicolon log with an unreadable time stops the run with the line, in Vietnamese."""
    path = log_file(tmp_path, cp1258("Tên tệp;Thời điểm nhận\r\na.xlsx;15/05/2023 08:30\r\nb.xlsx;15 tháng 5\r\n"))
    with pytest.raises(CheckerError) as caught:
        read_receipt_log(path, rules)
    assert caught.value.message == (f"Sổ nhận văn bản {path}:3: thời điểm nhận “15 tháng 5” không đúng dạng "
                                    "YYYY-MM-DD HH:MM hoặc DD/MM/YYYY HH:MM: hãy sửa dòng này rồi chạy lại.")


def test_semicolon_log_missing_a_column_names_what_it_has(tmp_path, rules):
    """A header with neither name of a column says which names are accepted and what is there."""
    path = log_file(tmp_path, "Tên tệp;Ngày gửi\na.xlsx;15/05/2023\n".encode())
    with pytest.raises(CheckerError) as caught:
        read_receipt_log(path, rules)
    assert caught.value.message == (f"Sổ nhận văn bản {path}:1: cần hai cột “file” và “received_at” (hoặc “Tên tệp” "
                                    "và “Thời điểm nhận”) ở dòng đầu (đang có: “Ngày gửi”, “Tên tệp”).")


def test_unmatched_rows_are_listed_under_the_files_received(tmp_path, make_book, rules):
    """A logged file that is not in the inbox is listed in "Tệp đã nhận" after the inbox's entries,
    with the log's line and the time as written, after the rows that matched (case aside)."""
    inbox = tmp_path / "inbox"
    make_book(unit="CHEO", name="CHEO_thang05.xlsx", directory=inbox)
    log = log_file(tmp_path, cp1258("Tên tệp;Thời điểm nhận\r\ncheo_thang05.XLSX;15/05/2023 08:30\r\n"
                                    "TTRA\\Báo cáo tháng 5.xlsx;16/05/2023 09:15\r\n;\r\n"
                                    "Thiếu.xlsx;2023-05-17\r\n"))
    out = tmp_path / "out.xlsx"
    c = consolidate(inbox, out, rules, as_of=AS_OF, receipt_log=log)
    assert [(r.line, r.file) for r in c.inbox.unmatched_log] == [(3, "TTRA\\Báo cáo tháng 5.xlsx"), (5, "Thiếu.xlsx")]
    ws = openpyxl.load_workbook(out)["Tệp đã nhận"]
    assert ws.cell(row=6, column=1).value == "CHEO_thang05.xlsx"
    assert ws.cell(row=6, column=5).value == dt.datetime(2023, 5, 15, 8, 30)
    got = [[ws.cell(row=r, column=col).value for col in (1, 2, 3, 5, 6, 10, 11)] for r in (7, 8)]
    assert got == [
        ["TTRA\\Báo cáo tháng 5.xlsx", "Sổ nhận văn bản", "", dt.datetime(2023, 5, 16, 9, 15), "sổ nhận văn bản",
         "Có trong sổ nhận nhưng không có tệp",
         "dòng 3 của sổ nhận văn bản ghi nhận lúc “16/05/2023 09:15” nhưng thư mục hồ sơ không có tệp này: "
         "hãy tìm lại tệp hoặc sửa tên trong sổ"],
        ["Thiếu.xlsx", "Sổ nhận văn bản", "", dt.datetime(2023, 5, 17), "sổ nhận văn bản",
         "Có trong sổ nhận nhưng không có tệp",
         "dòng 5 của sổ nhận văn bản ghi nhận lúc “2023-05-17” nhưng thư mục hồ sơ không có tệp này: "
         "hãy tìm lại tệp hoặc sửa tên trong sổ"]]
    assert ws.cell(row=9, column=1).value is None
    assert ws.auto_filter.ref == "A5:P8"
