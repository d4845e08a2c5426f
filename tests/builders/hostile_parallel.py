"""Builders for the parallel-reading tests: broken inputs by kind, special files, and the jobs the
worker-pool tests run (module-level, so that a spawned worker can import them by name)."""

from __future__ import annotations

import io
import os
import socket
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

# -- broken inputs, each from a good workbook's bytes -------------------------------------------


def empty(good: bytes) -> bytes:
    return b""


def truncated(good: bytes) -> bytes:
    return good[: len(good) // 2]


def pdf_renamed(good: bytes) -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


def png_renamed(good: bytes) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def html_renamed(good: bytes) -> bytes:
    return "<!DOCTYPE html><html><body>Báo cáo tháng</body></html>".encode()


def encrypted(good: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(good)).encrypt("matkhau", out)
    return out.getvalue()


# -- special files (POSIX) ------------------------------------------------------------------------


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def unix_socket(path: Path) -> Path:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))  # the socket file stays after close
    sock.close()
    return path


def link_to(target: str):
    def make(path: Path) -> Path:
        path.symlink_to(target)
        return path
    return make


def folder(path: Path) -> Path:
    path.mkdir()
    return path


# -- jobs for WorkerPool tests ----------------------------------------------------------------------


def double(job: int, note=None) -> int:
    return job * 2


def double_or_fail(job: int, note) -> int:
    """Doubles its job; fails in the way the job names (negative numbers)."""
    if job == -1:
        os.abort()
    if job == -2:
        os._exit(3)
    if job == -3:
        raise ValueError("job -3 always fails")
    if job == -4:
        return lambda: None  # does not pickle: nothing can be sent back
    if job == -5:
        return RebuildFails()  # pickles here, fails to unpickle in the parent (as Rejected once did)
    if job == -6:
        note("reading 7")
        note("reading 8")
        os.abort()
    return job * 2


def _cannot_rebuild(reason: str):
    raise TypeError(reason)


class RebuildFails:
    def __reduce__(self):
        return (_cannot_rebuild, ("rebuilt from the wrong arguments",))


class DiesWhenUnpickled:
    """A job function whose unpickling ends the process: every worker dies while it starts."""

    def __reduce__(self):
        return (os._exit, (4,))
