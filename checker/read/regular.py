"""Opening for reading only what is a regular file (never a FIFO, a device or a folder swapped in).

Two doors, one mechanism: `open_regular` for a path given to ntvt (a link is followed, and where it
leads is checked), `open_listed` for an entry the inbox walk listed (a link is refused, and the file
opened must be the one listed). Both open without blocking and check the open descriptor.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO


# O_NONBLOCK: a FIFO swapped in after the stat opens at once (instead of waiting for a writer) and
# is then refused; O_NOFOLLOW (for listed entries): a link swapped in is refused. Windows has
# neither flag, nor FIFOs in folders, nor this race.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NOT_REGULAR = ((stat.S_ISDIR, "a directory", "thư mục"), (stat.S_ISFIFO, "a FIFO", "ống dẫn FIFO"),
                (stat.S_ISSOCK, "a socket", "socket"), (stat.S_ISCHR, "a character device", "thiết bị ký tự"),
                (stat.S_ISBLK, "a block device", "thiết bị khối"))


class NotRegular(OSError):
    """A path that names a directory, FIFO, socket or device: never opened, or refused once opened.
    `reason` says so in Vietnamese."""

    def __init__(self, path: os.PathLike | str, st: os.stat_result):
        what = next((w for test, w, _ in _NOT_REGULAR if test(st.st_mode)), "special")
        super().__init__(f"{path} is not a regular file: it is {what}")
        self.reason = not_regular_reason(st)


def not_regular_reason(st: os.stat_result) -> str:
    """Why an entry that is not a regular file is not read, in Vietnamese (shared with the inbox walk)."""
    words = next((v for test, _, v in _NOT_REGULAR if test(st.st_mode)), "loại đặc biệt")
    return f"không phải tệp thông thường ({words}): không đọc"


def open_regular(path: os.PathLike | str) -> BinaryIO:
    """Open a file for reading in binary, if it is a regular file; else raise NotRegular (an OSError).
    Checked from the path before opening (a FIFO is never opened, a device never touched), and again
    on the open descriptor, in case the path was swapped meanwhile. A link is followed: where it
    leads is what is checked (a link to /dev/zero is a device)."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(path, st)
    fd, st = _open(path, follow=True)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRegular(path, st)
    return os.fdopen(fd, "rb")


class Swapped(OSError):
    """The path no longer names the regular file that was listed."""


def open_listed(path: str, listed: os.stat_result | None, follow: bool = False) -> BinaryIO:
    """Open for reading in binary the regular file that was listed as `listed` (same device and inode).
    Links are refused unless `follow` (a path the person named, such as the receipt log); anything
    else found at the path raises Swapped."""
    fd, st = _open(path, follow)
    if not stat.S_ISREG(st.st_mode) or (listed is not None and file_identity(listed) not in (None, file_identity(st))):
        os.close(fd)
        raise Swapped(f"{path} was replaced after it was listed")
    return os.fdopen(fd, "rb")


def file_identity(st: os.stat_result) -> tuple[int, int] | None:
    """(device, inode) of a file, or None where the file system has no inodes (some on Windows)."""
    return (st.st_dev, st.st_ino) if st.st_ino else None


def _open(path: os.PathLike | str, follow: bool) -> tuple[int, os.stat_result]:
    fd = os.open(path, _OPEN_FLAGS if follow else _OPEN_FLAGS | _NO_FOLLOW)
    return fd, os.fstat(fd)
