"""Hostile inboxes: every entry is listed with a status, nothing but a regular file inside the inbox
is opened, no link is followed, and every name shown is readable and unique (issue #11, families 5
and 8)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import shutil
import sys
import unicodedata
from pathlib import Path

from email.message import EmailMessage

import openpyxl
import pytest

from checker import consolidate
from checker.read import inbox as intake
from checker.model.errors import CheckerError
from checker.read.inbox import gather
from checker.read.receipt_log import read_receipt_log

from ..conftest import good_row
from ..builders.hostile_inbox import (bound_socket, char_device, eml, fifo, in_thread, link, listing,
                            listing_without_privilege, raw_folder, raw_named)

AS_OF = dt.date(2023, 5, 31)
OUTSIDE = "liên kết trỏ ra ngoài hộp thư: không đọc (hãy chép chính tệp vào hộp thư)"
DANGLING = "liên kết hỏng (không có tệp đích): không đọc"
LOOP = "liên kết hỏng (vòng lặp liên kết): không đọc"
ROOT_LINK = "liên kết tới chính thư mục hộp thư: không đọc"
SHEET = ("spreadsheet", "", None)
NFC, NFD = (unicodedata.normalize(form, "Báo cáo tháng 5.xlsx") for form in ("NFC", "NFD"))
CP1258 = NFC.encode("cp1258")  # b"B\xe1o c\xe1o th\xe1ng 5.xlsx"


def inside(target: str) -> str:
    return f"liên kết tới “{target}” trong hộp thư: không đọc, tệp gốc đã được tính riêng"


def inside_folder(target: str) -> str:
    return f"liên kết tới thư mục “{target}/” trong hộp thư: không đọc, các tệp trong đó đã được tính riêng"


def special(what: str) -> str:
    return f"không phải tệp thông thường ({what}): không đọc"


def not_sheet(ext: str) -> str:
    return f"không phải bảng tính hay thư điện tử (đuôi “{ext}”)"


def _file(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------
# Entries that are not regular files, and links


def _fifo(inbox, outside):
    fifo(inbox / "ong.xlsx")


def _device(inbox, outside):
    char_device(inbox / "null.xlsx")


def _dev_zero(inbox, outside):
    link(inbox / "zero.xlsx", "/dev/zero")


def _etc_shadow(inbox, outside):
    link(inbox / "shadow.eml", "/etc/shadow")


def _outside_book(inbox, outside):
    link(inbox / "ngoai.xlsx", _file(outside / "bi_mat.xlsx", b"secret"))


def _outside_relative(inbox, outside):
    _file(outside / "bi_mat.xlsx", b"secret")
    link(inbox / "ngoai.xlsx", "../outside/bi_mat.xlsx")


def _outside_folder(inbox, outside):
    _file(outside / "a.xlsx")
    link(inbox / "thu_muc_ngoai", outside)


def _dangling(inbox, outside):
    link(inbox / "mat.xlsx", "khong_co.xlsx")


def _self_loop(inbox, outside):
    link(inbox / "vong.xlsx", "vong.xlsx")


def _two_loop(inbox, outside):
    link(inbox / "a.xlsx", "b.xlsx")
    link(inbox / "b.xlsx", "a.xlsx")


def _inside_file(inbox, outside):
    _file(inbox / "thang5" / "a.xlsx")
    link(inbox / "ban_sao.xlsx", "thang5/a.xlsx")


def _inside_absolute(inbox, outside):
    _file(inbox / "a.xlsx")
    link(inbox / "b.xlsx", (inbox / "a.xlsx").resolve())


def _inside_folder(inbox, outside):
    _file(inbox / "thang5" / "a.xlsx")
    link(inbox / "thang5_lai", "thang5")


def _parent_loop(inbox, outside):
    _file(inbox / "thang5" / "a.xlsx")
    link(inbox / "thang5" / "len", "..")


def _chain_out(inbox, outside):
    link(inbox / "b.xlsx", _file(outside / "bi_mat.xlsx", b"secret"))
    link(inbox / "a.xlsx", "b.xlsx")


def _chain_in(inbox, outside):
    _file(inbox / "goc.xlsx")
    link(inbox / "b.xlsx", "goc.xlsx")
    link(inbox / "a.xlsx", "b.xlsx")


def _empty_and_system(inbox, outside):
    _file(inbox / "Thumbs.db")
    _file(inbox / "~$bao_cao.xlsx")
    _file(inbox / "ghi_chu")


SPECIAL_CASES = {
    "fifo": (_fifo, [("ong.xlsx", "special", "rejected", special("ống dẫn FIFO"))]),
    "device": (_device, [("null.xlsx", "special", "rejected", special("thiết bị ký tự"))]),
    "link to /dev/zero": (_dev_zero, [("zero.xlsx", "link", "rejected", OUTSIDE)]),
    "link to /etc/shadow": (_etc_shadow, [("shadow.eml", "link", "rejected", OUTSIDE)]),
    "link to a workbook outside": (_outside_book, [("ngoai.xlsx", "link", "rejected", OUTSIDE)]),
    "relative link out": (_outside_relative, [("ngoai.xlsx", "link", "rejected", OUTSIDE)]),
    "link to a folder outside": (_outside_folder, [("thu_muc_ngoai", "link", "rejected", OUTSIDE)]),
    "dangling link": (_dangling, [("mat.xlsx", "link", "rejected", DANGLING)]),
    "link to itself": (_self_loop, [("vong.xlsx", "link", "rejected", LOOP)]),
    "two links in a loop": (_two_loop, [("a.xlsx", "link", "rejected", LOOP), ("b.xlsx", "link", "rejected", LOOP)]),
    "link to a file inside": (_inside_file, [("ban_sao.xlsx", "link", "rejected", inside("thang5/a.xlsx")),
                                             ("thang5/a.xlsx", *SHEET)]),
    "absolute link inside": (_inside_absolute, [("a.xlsx", *SHEET), ("b.xlsx", "link", "rejected", inside("a.xlsx"))]),
    "link to a folder inside": (_inside_folder, [("thang5/a.xlsx", *SHEET),
                                                 ("thang5_lai", "link", "rejected", inside_folder("thang5"))]),
    "link to the inbox itself": (_parent_loop, [("thang5/a.xlsx", *SHEET), ("thang5/len", "link", "rejected", ROOT_LINK)]),
    "chain of links leading out": (_chain_out, [("a.xlsx", "link", "rejected", OUTSIDE),
                                                ("b.xlsx", "link", "rejected", OUTSIDE)]),
    "chain of links inside": (_chain_in, [("a.xlsx", "link", "rejected", inside("goc.xlsx")),
                                          ("b.xlsx", "link", "rejected", inside("goc.xlsx")), ("goc.xlsx", *SHEET)]),
    "system, temporary and other files": (_empty_and_system, [
        ("Thumbs.db", "other", "rejected", "tệp tạm hoặc tệp hệ thống, không phải báo cáo"),
        ("ghi_chu", "other", "rejected", not_sheet("(không có)")),
        ("~$bao_cao.xlsx", "other", "rejected", "tệp tạm hoặc tệp hệ thống, không phải báo cáo")]),
}


@pytest.mark.parametrize("build, expected", SPECIAL_CASES.values(), ids=SPECIAL_CASES.keys())
def test_entries_that_are_not_regular_files_are_listed_unopened(tmp_path, rules, build, expected):
    """Each FIFO, device and link is listed with its Vietnamese reason and never opened or followed
    (the walk runs in a thread: opening a FIFO would block it)."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    build(inbox, outside)
    assert in_thread(lambda: listing(inbox, rules)) == expected


def test_socket_is_listed_unopened(tmp_path, rules):
    """A socket bound in the inbox is listed as not a regular file."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with bound_socket(inbox, "s.xlsx"):
        assert in_thread(lambda: listing(inbox, rules)) == [("s.xlsx", "special", "rejected", special("socket"))]


def test_no_byte_outside_the_inbox_is_read(tmp_path, rules, make_book):
    """A valid workbook linked from outside gives no submission and its SHA-256 is nowhere."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    secret = make_book([good_row()], directory=outside, name="bi_mat.xlsx")
    inbox.mkdir()
    link(inbox / "a.xlsx", secret)
    link(inbox / "b.eml", "/etc/shadow")
    gathered = gather(inbox, rules)
    assert gathered.submissions == []
    assert {f.sha256 for f in gathered.files} == {""}
    assert hashlib.sha256(secret.read_bytes()).hexdigest() not in repr(gathered)


def test_inbox_given_through_a_link_sees_its_own_links_as_inside(tmp_path, rules):
    """When the inbox path is itself a link, links between its files are still inside links."""
    real = tmp_path / "real"
    _file(real / "a.xlsx")
    link(real / "b.xlsx", "a.xlsx")
    via = link(tmp_path / "via", real)
    assert listing(via, rules) == [("a.xlsx", *SHEET), ("b.xlsx", "link", "rejected", inside("a.xlsx"))]


def test_inbox_that_cannot_be_listed_is_a_usage_error(tmp_path, rules):
    """An inbox that is not a folder is CheckerError with a Vietnamese message (exit 2), not a crash."""
    with pytest.raises(CheckerError) as caught:
        gather(tmp_path / "khong_co", rules)
    assert caught.value.message == (f"Không mở được thư mục hộp thư {tmp_path / 'khong_co'} (FileNotFoundError): "
                                    "hãy kiểm tra đường dẫn và quyền đọc.")


def test_a_fifo_as_the_inbox_is_not_opened(tmp_path, rules):
    """A FIFO given as the inbox is refused without blocking."""
    pipe = fifo(tmp_path / "ong")
    with pytest.raises(CheckerError) as caught:
        in_thread(lambda: gather(pipe, rules))
    assert "(NotADirectoryError)" in caught.value.message


# ---------------------------------------------------------------------------------------------
# Unreadable files and folders, files that change under the walk


def test_unreadable_file_is_rejected(tmp_path, rules):
    """A file without read permission is listed as rejected; the rest is still gathered."""
    inbox = tmp_path / "inbox"
    locked = _file(inbox / "khoa.xlsx")
    _file(inbox / "mo.xlsx")
    locked.chmod(0)
    try:
        rows = listing_without_privilege(inbox, rules)
    finally:
        locked.chmod(0o600)
    assert rows == [("khoa.xlsx", "other", "rejected",
                     "không đọc được tệp (PermissionError): hãy cấp quyền đọc tệp rồi chạy lại"),
                    ("mo.xlsx", *SHEET)]


def test_unreadable_folder_is_listed(tmp_path, rules):
    """A folder that cannot be opened is listed, with what to do; its siblings are gathered."""
    inbox = tmp_path / "inbox"
    _file(inbox / "khoa" / "a.xlsx")
    _file(inbox / "mo" / "b.xlsx")
    (inbox / "khoa").chmod(0)
    try:
        rows = listing_without_privilege(inbox, rules)
    finally:
        (inbox / "khoa").chmod(0o700)
    assert rows == [("khoa/", "folder", "rejected", "thư mục không mở được (PermissionError): các tệp trong đó chưa "
                                                    "được đọc, hãy cấp quyền đọc rồi chạy lại"),
                    ("mo/b.xlsx", *SHEET)]


def _after_walk(monkeypatch, change):
    """Make `change` happen between the listing of the inbox and the reading of its files."""
    walk = intake.walk

    def walk_then_change(root):
        entries = walk(root)
        change()
        return entries

    monkeypatch.setattr(intake, "walk", walk_then_change)


def _vanish(path):
    path.unlink()


def _to_fifo(path):
    path.unlink()
    os.mkfifo(path)


def _to_link(path):
    path.unlink()
    os.symlink("/etc/shadow", path)


def _to_other_file(path):
    other = path.with_name("khac.tmp")
    other.write_bytes(b"other")
    os.replace(other, path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and links")
@pytest.mark.parametrize("change, reason", [
    (_vanish, "không đọc được tệp (FileNotFoundError): tệp bị xóa hoặc đổi tên trong lúc tổng hợp, hãy chạy lại"),
    (_to_fifo, "tệp bị thay thế trong lúc tổng hợp: hãy chạy lại"),
    (_to_link, "tệp bị thay thế trong lúc tổng hợp: hãy chạy lại"),
    (_to_other_file, "tệp bị thay thế trong lúc tổng hợp: hãy chạy lại"),
], ids=["vanished", "became a FIFO", "became a link", "replaced"])
def test_file_changed_between_listing_and_reading(tmp_path, rules, monkeypatch, change, reason):
    """A file deleted or swapped (for a FIFO, a link out, another file) after the walk listed it is
    rejected, never opened as what it became; the others are gathered."""
    inbox = tmp_path / "inbox"
    target = _file(inbox / "a.xlsx")
    _file(inbox / "b.xlsx")
    _after_walk(monkeypatch, lambda: change(target))
    assert in_thread(lambda: listing(inbox, rules)) == [("a.xlsx", "other", "rejected", reason), ("b.xlsx", *SHEET)]


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has its own path limits")
def test_folders_nested_past_the_path_limit(tmp_path, rules):
    """Folders nested past the system's path limit (4,096 bytes on Linux) are listed, not a crash."""
    inbox = tmp_path / "inbox"
    _file(inbox / "a.xlsx")
    level = "d" * 200
    here = os.getcwd()
    os.chdir(inbox)
    try:
        for _ in range(25):  # each level made relative to the last: no path is ever too long to make
            os.mkdir(level)
            os.chdir(level)
        Path("sau.xlsx").write_bytes(b"x")
    finally:
        os.chdir(here)
    try:
        rows = listing(inbox, rules)
    finally:
        shutil.rmtree(inbox / level)  # descends by file descriptor, so long paths are no problem
    assert rows[0] == ("a.xlsx", *SHEET)
    [(name, kind, status, reason)] = rows[1:]
    assert name.startswith(f"{level}/{level}/") and len(os.fsencode(inbox / name)) >= 4095
    # The first entry whose path is too long to even lstat stands for everything below it.
    assert (kind, status, reason) == ("other", "rejected", "không đọc được tệp (đường dẫn quá dài): hãy chuyển lên "
                                                           "thư mục ít cấp hơn rồi chạy lại")


def test_modification_time_past_year_9999(tmp_path, rules):
    """A file whose modification time is beyond what a date can hold is gathered, its time clamped."""
    inbox = tmp_path / "inbox"
    path = _file(inbox / "a.xlsx")
    try:
        os.utime(path, (2 ** 40, 2 ** 40))
    except (OverflowError, OSError) as exc:
        pytest.skip(f"this file system cannot hold such a time: {exc}")
    if os.stat(path).st_mtime < 253402300800:  # the file system clamped it itself
        pytest.skip("this file system clamps modification times")
    gathered = gather(inbox, rules)
    assert gathered.mtimes["a.xlsx"].date() == dt.date(9999, 12, 30)


@pytest.mark.parametrize("seconds, day", [(2 ** 40, dt.date(9999, 12, 30)), (-(2 ** 40), dt.date(1970, 1, 1)),
                                          (1684112400, dt.date(2023, 5, 15))])
def test_modification_time_out_of_range_is_clamped(seconds, day):
    """A stat time no date can hold (tmpfs allows year 36,812) becomes the far future or the epoch."""
    st = os.stat_result((0o100644, 1, 1, 1, 0, 0, 1, seconds, seconds, seconds))
    assert intake._mtime(st, dt.timezone(dt.timedelta(hours=7))).date() == day


# ---------------------------------------------------------------------------------------------
# Names people read: not UTF-8, NFC/NFD, control characters, collisions


def _cp1258(inbox):
    raw_named(inbox, CP1258)


def _cp1258_folder(inbox):
    raw_named(raw_folder(inbox, "Tháng 5".encode("cp1258")), b"a.xlsx")


def _undecodable(inbox):
    raw_named(inbox, b"\x81\x8d.xlsx")  # undefined in both cp1258 and cp1252


def _nfc_nfd(inbox):
    _file(inbox / NFD)
    _file(inbox / NFC)


def _nfc_nfd_cp1258(inbox):
    _file(inbox / NFD)
    raw_named(inbox, CP1258)
    _file(inbox / NFC)


def _nfc_nfd_folders(inbox):
    _file(inbox / unicodedata.normalize("NFC", "Tháng 5") / "a.xlsx")
    _file(inbox / unicodedata.normalize("NFD", "Tháng 5") / "a.xlsx")


def _taken_suffix(inbox):
    _file(inbox / "a.xlsx")
    _file(inbox / unicodedata.normalize("NFD", "á.xlsx"))
    _file(inbox / "á.xlsx")
    _file(inbox / "á (2).xlsx")


def _control(inbox):
    _file(inbox / "a\x1b]0;hacked\x07\n.xlsx")


def _bidi(inbox):
    _file(inbox / "bao_cao\u202excl.exe")


def _no_suffix_twins(inbox):
    _file(inbox / unicodedata.normalize("NFC", "Ghi chú"))
    _file(inbox / unicodedata.normalize("NFD", "Ghi chú"))


NAME_CASES = {
    "cp1258 name": (_cp1258, [(NFC, *SHEET)]),
    "cp1258 folder": (_cp1258_folder, [("Tháng 5/a.xlsx", *SHEET)]),
    "bytes no code page decodes": (_undecodable, [("\\x81\\x8d.xlsx", *SHEET)]),
    "NFC and NFD twins": (_nfc_nfd, [(NFC, *SHEET), ("Báo cáo tháng 5 (2).xlsx", *SHEET)]),
    "NFC, NFD and cp1258 triplets": (_nfc_nfd_cp1258, [(NFC, *SHEET), ("Báo cáo tháng 5 (2).xlsx", *SHEET),
                                                       ("Báo cáo tháng 5 (3).xlsx", *SHEET)]),
    "NFC and NFD folders": (_nfc_nfd_folders, [("Tháng 5/a.xlsx", *SHEET), ("Tháng 5/a (2).xlsx", *SHEET)]),
    "suffix already taken": (_taken_suffix, [("a.xlsx", *SHEET), ("á (2).xlsx", *SHEET), ("á.xlsx", *SHEET),
                                             ("á (3).xlsx", *SHEET)]),
    "escape sequences in a name": (_control, [("a\\x1b]0;hacked\\x07\\x0a.xlsx", *SHEET)]),
    "bidi override in a name": (_bidi, [("bao_cao\\u202excl.exe", "other", "rejected", not_sheet(".exe"))]),
    "twins without a suffix": (_no_suffix_twins, [
        ("Ghi chú", "other", "rejected", not_sheet("(không có)")),
        ("Ghi chú (2)", "other", "rejected", not_sheet("(không có)"))]),
}


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names that are not UTF-8 exist on Linux file systems")
@pytest.mark.parametrize("build, expected", NAME_CASES.values(), ids=NAME_CASES.keys())
def test_names_are_readable_and_unique(tmp_path, rules, build, expected):
    """Every name is shown decoded (cp1258), in NFC, without control characters, and distinct."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    build(inbox)
    gathered = gather(inbox, rules)
    assert [(f.name, f.kind, f.status, f.reason) for f in gathered.files] == expected
    for sub in gathered.submissions:  # the real path is kept for reading
        assert sub.content() == b"x"
    names = [f.name for f in gathered.files]
    assert all(n == unicodedata.normalize("NFC", n) and n.isprintable() for n in names)


# ---------------------------------------------------------------------------------------------
# Attachment labels


def _label_twin(inbox):
    eml(inbox / "a.eml", [("bc.xlsx", b"x")])
    _file(inbox / "a.eml › bc.xlsx")


def _label_variant_twin(inbox):
    eml(inbox / "a.eml", [("bc.xlsx", b"x"), ("bc.xlsx", b"y")])
    _file(inbox / "a.eml › (2) bc.xlsx")


def _same_name_attachments(inbox):
    eml(inbox / "a.eml", [("bc.xlsx", b"1"), ("bc.xlsx", b"2"), ("bc.xlsx", b"3")])


def _email_twins(inbox):
    eml(inbox / unicodedata.normalize("NFC", "thư.eml"), [("a.xlsx", b"1")])
    eml(inbox / unicodedata.normalize("NFD", "thư.eml"), [("a.xlsx", b"2")])


def _attachment_nfc_nfd(inbox):
    eml(inbox / "a.eml", [(NFC, b"1"), (NFD, b"2")])


LABEL_CASES = {
    "file named like a label": (_label_twin, [("a.eml", ["a.eml › bc.xlsx"]), ("a.eml › bc (2).xlsx", [])]),
    "file named like a label variant": (_label_variant_twin, [
        ("a.eml", ["a.eml › bc.xlsx", "a.eml › (2) bc.xlsx"]), ("a.eml › (2) bc (2).xlsx", [])]),
    "three attachments, one name": (_same_name_attachments, [
        ("a.eml", ["a.eml › bc.xlsx", "a.eml › (2) bc.xlsx", "a.eml › (3) bc.xlsx"])]),
    "NFC and NFD emails": (_email_twins, [("thư.eml", ["thư.eml › a.xlsx"]), ("thư (2).eml", ["thư (2).eml › a.xlsx"])]),
    "NFC and NFD attachments": (_attachment_nfc_nfd, [("a.eml", [f"a.eml › {NFC}", f"a.eml › (2) {NFC}"])]),
}


@pytest.mark.parametrize("build, expected", LABEL_CASES.values(), ids=LABEL_CASES.keys())
def test_attachment_labels_and_file_names_never_collide(tmp_path, rules, build, expected):
    """Names are unique across files and attachment labels; each submission has its own name."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    build(inbox)
    gathered = gather(inbox, rules)
    assert [(f.name, f.attachments) for f in gathered.files] == expected
    every = [n for f in gathered.files for n in [f.name, *f.attachments]]
    assert len(set(every)) == len(every)
    assert len({s.name for s in gathered.submissions}) == len(gathered.submissions)


def _nested(depth: int) -> bytes:
    inner = EmailMessage()
    inner["From"], inner["Subject"] = "a@b.vn", "x"
    inner.set_content("x")
    for _ in range(depth):
        outer = EmailMessage()
        outer["From"], outer["Subject"] = "a@b.vn", "Fwd"
        outer.set_content("x")
        outer.add_attachment(inner)
        inner = outer
    return inner.as_bytes()


@pytest.mark.parametrize("data, reason", [
    (lambda: eml(Path("x.eml"), [("bc.xlsx", b"x")] * 600).read_bytes(),
     "thư có quá nhiều phần đính kèm: hãy chia các tệp ra nhiều thư rồi gửi lại"),
    (lambda: _nested(40), "thư lồng nhau quá nhiều lớp (thư chuyển tiếp trong thư): hãy gửi thẳng tệp bảng tính"),
], ids=["600 attachments", "forwarded 40 deep"])
def test_emails_over_the_mail_limits_are_rejected_in_vietnamese(tmp_path, rules, monkeypatch, data, reason):
    """An email the mail reader refuses (too many parts, too deep) is listed with what to do."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.chdir(tmp_path)
    _file(inbox / "thu.eml", data())
    assert listing(inbox, rules) == [("thu.eml", "email", "rejected", reason)]


def test_many_same_named_attachments_are_numbered_in_order(tmp_path, rules):
    """300 attachments with one name get 300 distinct labels, numbered in order."""
    inbox = tmp_path / "inbox"
    eml(inbox / "a.eml", [("bc.xlsx", bytes([n % 256])) for n in range(300)])
    [entry] = gather(inbox, rules).files
    assert entry.attachments == ["a.eml › bc.xlsx"] + [f"a.eml › ({n}) bc.xlsx" for n in range(2, 301)]


# ---------------------------------------------------------------------------------------------
# The receipt log


def _log(tmp_path, data: bytes) -> Path:
    path = tmp_path / "so_nhan.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data, line, message", [
    (b"ten,ngay\na.xlsx,2023-05-15 08:00\n", 1,
     "cần hai cột “file” và “received_at” (hoặc “Tên tệp” và “Thời điểm nhận”) ở dòng đầu (đang có: “ngay”, “ten”)"),
    (b"", 1, "cần hai cột “file” và “received_at” (hoặc “Tên tệp” và “Thời điểm nhận”) ở dòng đầu "
             "(đang có: không có cột nào)"),
    (b"file,received_at\na.xlsx,2023-05-15 08:00\nb.xlsx,15 thg 5\n", 3,
     "thời điểm nhận “15 thg 5” không đúng dạng YYYY-MM-DD HH:MM hoặc DD/MM/YYYY HH:MM: hãy sửa dòng này rồi chạy lại"),
    (b"file,received_at\nb.xlsx,9999-12-31 23:59:59-0500\n", 2,
     "thời điểm nhận “9999-12-31 23:59:59-0500” không đúng dạng YYYY-MM-DD HH:MM hoặc DD/MM/YYYY HH:MM: "
     "hãy sửa dòng này rồi chạy lại"),
    (b"file,received_at\nB\x81o c\xe1o.xlsx,2023-05-15 08:00\n", 2,
     "không phải văn bản UTF-8 hay Windows-1258: hãy lưu lại dạng “CSV UTF-8” rồi chạy lại"),
    (b"file,received_at\n\"" + b"x" * 200_000 + b"\",2023-05-15\n", 2,
     "không đọc được dạng CSV ở dòng này: hãy lưu lại sổ dạng CSV rồi chạy lại"),
], ids=["columns", "empty", "moment", "overflow", "not utf-8 nor cp1258", "huge field"])
def test_receipt_log_problems_are_vietnamese_with_file_and_line(tmp_path, rules, data, line, message):
    """A receipt log that cannot be used stops the run (CheckerError) naming the file, line and problem."""
    path = _log(tmp_path, data)
    with pytest.raises(CheckerError) as caught:
        read_receipt_log(path, rules)
    assert caught.value.message == f"Sổ nhận văn bản {path}:{line}: {message}."


def test_receipt_log_that_is_a_fifo_is_not_opened(tmp_path, rules):
    """A FIFO given as the receipt log is refused at once."""
    path = fifo(tmp_path / "so_nhan.csv")
    with pytest.raises(CheckerError) as caught:
        in_thread(lambda: read_receipt_log(path, rules))
    assert caught.value.message == f"Sổ nhận văn bản {path}: không phải tệp thông thường: hãy chọn một tệp CSV."


def test_receipt_log_missing(tmp_path, rules):
    """A receipt log that does not exist is a usage error in Vietnamese."""
    path = tmp_path / "khong_co.csv"
    with pytest.raises(CheckerError) as caught:
        read_receipt_log(path, rules)
    assert caught.value.message == (f"Sổ nhận văn bản {path}: không đọc được tệp (FileNotFoundError): "
                                    "hãy kiểm tra đường dẫn rồi chạy lại.")


def test_receipt_log_over_the_size_limit(tmp_path, rules):
    """A receipt log larger than max_file_bytes is refused before it is read."""
    small = dataclasses.replace(rules, limits=dataclasses.replace(rules.limits, max_file_bytes=100))
    path = _log(tmp_path, b"file,received_at\n" + b"a.xlsx,2023-05-15 08:00\n" * 10)
    with pytest.raises(CheckerError) as caught:
        read_receipt_log(path, small)
    assert caught.value.message == f"Sổ nhận văn bản {path}: tệp quá lớn (257 byte, giới hạn 100 byte)."


def test_receipt_log_matches_a_decoded_name(tmp_path, rules):
    """The office's log names a cp1258 file as people read it; the entry is found by that name."""
    inbox = tmp_path / "inbox"
    raw_named(inbox, CP1258)
    log = read_receipt_log(_log(tmp_path, f"file,received_at\n{NFC},2023-05-15 08:00\n".encode()), rules)
    [sub] = gather(inbox, rules, log).submissions
    assert (sub.name, sub.received_at.isoformat(), sub.evidence) == (NFC, "2023-05-15T08:00:00+07:00", "receipt_log")


# ---------------------------------------------------------------------------------------------
# The consolidated workbook lists every entry


def _manifest_names(path: Path) -> list[tuple[str, str, str]]:
    ws = openpyxl.load_workbook(path, read_only=True)["Tệp đã nhận"]
    return [(r[0], r[1], r[9]) for r in ws.iter_rows(min_row=6, values_only=True) if r[0] is not None]


def _manifest_reasons(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path, read_only=True)["Tệp đã nhận"]
    return {r[0]: r[10] for r in ws.iter_rows(min_row=6, values_only=True)
            if r[1] in ("Khác", "Liên kết", "Tệp đặc biệt", "Thư mục")}


def test_consolidate_lists_every_hostile_entry(tmp_path, rules, make_book):
    """A workbook is written and “Tệp đã nhận” has one row per entry and attachment, names as gathered."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    book = make_book([good_row()], directory=inbox, name=NFC).read_bytes()
    _file(inbox / NFD, book)
    raw_named(inbox, CP1258, book)
    eml(inbox / "a.eml", [("bc.xlsx", book)])
    _file(inbox / "a.eml › bc.xlsx", book)
    fifo(inbox / "ong.xlsx")
    link(inbox / "zero.xlsx", "/dev/zero")
    link(inbox / "ngoai.xlsx", _file(outside / "bi_mat.xlsx", b"secret"))
    link(inbox / "mat.xlsx", "khong_co.xlsx")
    link(inbox / "ban_sao.xlsx", NFC)
    _file(inbox / "a\x1b[2J.xlsx", book)
    with bound_socket(inbox, "s.sock"):
        result = in_thread(lambda: consolidate(inbox, tmp_path / "tong_hop.xlsx", rules, as_of=AS_OF), timeout=300)
    rejected = "Bị loại"
    used, superseded = "Được dùng", "Đã thay thế"  # one unit, one cycle: the email's is the latest receipt
    assert _manifest_names(tmp_path / "tong_hop.xlsx") == [
        (NFC, "Bảng tính", superseded), ("Báo cáo tháng 5 (2).xlsx", "Bảng tính", superseded),
        ("Báo cáo tháng 5 (3).xlsx", "Bảng tính", superseded), ("a.eml", "Thư điện tử", "Thư có tệp đính kèm"),
        ("a.eml › bc.xlsx", "Tệp đính kèm", used), ("a.eml › bc (2).xlsx", "Bảng tính", superseded),
        ("a\\x1b[2J.xlsx", "Bảng tính", superseded), ("ban_sao.xlsx", "Liên kết", rejected),
        ("mat.xlsx", "Liên kết", rejected), ("ngoai.xlsx", "Liên kết", rejected), ("ong.xlsx", "Tệp đặc biệt", rejected),
        ("s.sock", "Tệp đặc biệt", rejected), ("zero.xlsx", "Liên kết", rejected)]
    assert _manifest_reasons(tmp_path / "tong_hop.xlsx") == {
        "ban_sao.xlsx": inside(NFC), "mat.xlsx": DANGLING, "ngoai.xlsx": OUTSIDE, "ong.xlsx": special("ống dẫn FIFO"),
        "s.sock": special("socket"), "zero.xlsx": OUTSIDE}
    assert result.counts["inbox_files"] == 12
    assert len(result.decisions) == 6  # five files and one attachment, each read once


def test_consolidate_keeps_a_label_and_a_literal_file_apart(tmp_path, rules, make_book):
    """The attachment “a.eml › bc.xlsx” and a file literally so named are two manifest rows, each
    with its own unit."""
    inbox = tmp_path / "inbox"
    cheo = make_book([good_row()], unit="CHEO").read_bytes()
    kich = make_book([good_row()], unit="KICH").read_bytes()
    eml(inbox / "a.eml", [("bc.xlsx", cheo)])
    _file(inbox / "a.eml › bc.xlsx", kich)
    result = consolidate(inbox, tmp_path / "tong_hop.xlsx", rules, as_of=AS_OF)
    assert sorted((result.validation.books[d.index].name, d.unit_id, d.status) for d in result.decisions) == [
        ("a.eml › bc (2).xlsx", "KICH", "used"), ("a.eml › bc.xlsx", "CHEO", "used")]
    assert [n for n, *_ in _manifest_names(tmp_path / "tong_hop.xlsx")] == [
        "a.eml", "a.eml › bc.xlsx", "a.eml › bc (2).xlsx"]


def test_consolidate_reads_a_cp1258_named_workbook(tmp_path, rules, make_book):
    """A workbook whose name is cp1258 bytes is read (by its real path) and shown decoded."""
    inbox = tmp_path / "inbox"
    raw_named(inbox, CP1258, make_book([good_row(), good_row(2)]).read_bytes())
    result = consolidate(inbox, tmp_path / "tong_hop.xlsx", rules, as_of=AS_OF)
    [d] = result.decisions
    assert (result.validation.books[0].name, d.unit_id, d.status, d.valid_nominations) == (NFC, "CHEO", "used", 2)
    assert _manifest_names(tmp_path / "tong_hop.xlsx") == [(NFC, "Bảng tính", "Được dùng")]
