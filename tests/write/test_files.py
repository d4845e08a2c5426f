"""write/files.py's words for a write that fails (#14 item 17): a folder that exists but takes no
new file is said as such, not as a missing folder nor as a file open in Excel."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from checker.model.errors import OutputError
from checker.write.files import atomic_output, os_error_words, output_error

CLOSED = ("thư mục {folder} có nhưng không cho tạo tệp trong đó (không có quyền ghi, thư mục chỉ cho phép đọc hoặc "
          "thư mục của hệ thống): chọn thư mục khác, ví dụ trong Documents")


@pytest.mark.parametrize("code", [errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT])
def test_an_existing_folder_that_takes_no_file(tmp_path, code):
    target = tmp_path / "tong_hop.xlsx"
    assert os_error_words(OSError(code, os.strerror(code)), target) == CLOSED.format(folder=tmp_path)


def test_a_missing_folder_and_a_locked_file_keep_their_words(tmp_path):
    missing = tmp_path / "khong_co" / "tong_hop.xlsx"
    assert os_error_words(OSError(errno.ENOENT, "x"), missing) == (
        "thư mục không còn tồn tại (bị xóa hoặc ổ đĩa bị rút ra): kiểm tra đường dẫn rồi chạy lại")
    locked = tmp_path / "tong_hop.xlsx"
    locked.write_bytes(b"x")  # the file is there: open in Excel is the likely reason
    assert os_error_words(OSError(errno.EACCES, "x"), locked).startswith("tệp đang mở trong chương trình khác")
    assert os_error_words(OSError(errno.ENOSPC, "x"), locked).startswith("ổ đĩa đầy")


def test_output_error_message(tmp_path):
    error = output_error(tmp_path / "x.xlsx", OSError(errno.EROFS, "Read-only file system"))
    assert error.message == f"Không ghi được kết quả vào {tmp_path / 'x.xlsx'}: {CLOSED.format(folder=tmp_path)}."
    assert "Read-only file system" in str(error)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux's /proc: exists, takes no new file")
def test_proc_is_a_folder_that_takes_no_file():
    with pytest.raises(OutputError) as caught:
        with atomic_output(Path("/proc/x.xlsx")) as tmp:
            tmp.write_bytes(b"x")
    assert caught.value.message == f"Không ghi được kết quả vào /proc/x.xlsx: {CLOSED.format(folder='/proc')}."
