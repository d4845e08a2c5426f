"""Tests for checker.read.regular: the one way a file is opened for reading."""

from __future__ import annotations

import os

import pytest

from checker.read.regular import NotRegular, Swapped, open_listed, open_regular
from checker.read.safety import SPREADSHEET_SUFFIXES


def test_open_listed_reads_the_file_that_was_listed(tmp_path):
    """A listed regular file opens and reads whole."""
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK")
    with open_listed(str(path), os.lstat(path)) as fh:
        assert fh.read() == b"PK"


def test_open_listed_refuses_a_file_put_in_its_place(tmp_path):
    """Another file at the listed path (another inode) is refused as Swapped."""
    path, other = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    path.write_bytes(b"PK")
    other.write_bytes(b"PK")
    listed = os.lstat(path)
    os.replace(other, path)
    with pytest.raises(Swapped):
        open_listed(str(path), listed)


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="no O_NOFOLLOW on this system")
def test_open_listed_refuses_a_link_unless_told_to_follow(tmp_path):
    """A link is refused (ELOOP) for a listed entry, followed for a path the person named."""
    target, link = tmp_path / "a.csv", tmp_path / "link.csv"
    target.write_text("file,received_at\n")
    link.symlink_to(target)
    with pytest.raises(OSError):
        open_listed(str(link), None)
    with open_listed(str(link), os.stat(link), follow=True) as fh:
        assert fh.read().startswith(b"file")


def test_open_regular_refuses_a_folder(tmp_path):
    """A folder is never opened: NotRegular says what it is."""
    with pytest.raises(NotRegular) as info:
        open_regular(tmp_path)
    assert "thư mục" in info.value.reason


def test_spreadsheet_suffixes_are_the_formats_read():
    """The inbox and email attachments pick spreadsheets by the same four suffixes."""
    assert SPREADSHEET_SUFFIXES == (".xlsx", ".xlsm", ".xls", ".ods")
