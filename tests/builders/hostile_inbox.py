"""Builders for hostile inbox entries: FIFOs, sockets, links, names that are not UTF-8, emails."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from email.message import EmailMessage
from pathlib import Path

import pytest

from checker.read.inbox import gather

from ..conftest import ROOT

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DATE = "Mon, 15 May 2023 08:00:00 +0700"


def listing(inbox: Path, rules) -> list[tuple]:
    """What gather lists, as (name, kind, status, reason) tuples in manifest order."""
    return [(f.name, f.kind, f.status, f.reason) for f in gather(inbox, rules).files]


def eml(path: Path, attachments: list[tuple[str, bytes]], date: str | None = DATE,
        sender: str = "vanthu@cheo.vn") -> Path:
    """A saved email from a unit carrying `attachments` (name, bytes) as spreadsheets."""
    msg = EmailMessage()
    msg["From"] = f"Văn thư <{sender}>"
    msg["To"] = "vanphong@sovhtt.hanoi.gov.vn"
    msg["Subject"] = "Báo cáo NTVT"
    if date:
        msg["Date"] = date
    msg.set_content("Kính gửi Văn phòng Sở.")
    for name, data in attachments:
        msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes())
    return path


def raw_named(folder: Path, raw: bytes, data: bytes = b"x") -> Path:
    """A file whose name is the bytes `raw` (e.g. cp1258, as unzipping a Windows archive leaves it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = os.path.join(os.fsencode(folder), raw)
    with open(path, "wb") as fh:
        fh.write(data)
    return Path(os.fsdecode(path))


def raw_folder(parent: Path, raw: bytes) -> Path:
    path = os.path.join(os.fsencode(parent), raw)
    os.makedirs(path)
    return Path(os.fsdecode(path))


@contextlib.contextmanager
def bound_socket(folder: Path, name: str):
    """A Unix socket bound to folder/name (bound from inside the folder: socket paths are short)."""
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets on this system")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    here = os.getcwd()
    os.chdir(folder)
    try:
        sock.bind(name)
    finally:
        os.chdir(here)
    try:
        yield folder / name
    finally:
        sock.close()


def fifo(path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(path)
    return path


def char_device(path: Path) -> Path:
    """A character device node like /dev/null (needs the right to make device nodes)."""
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (AttributeError, PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return path


def link(path: Path, target: str | Path) -> Path:
    try:
        os.symlink(target, path)
    except (OSError, NotImplementedError) as exc:  # Windows without the right to make links
        pytest.skip(f"cannot make a symbolic link here: {exc}")
    return path


def in_thread(fn, timeout: float = 60):
    """Run fn in a thread; fail instead of hanging the suite if it does not come back (a FIFO opened)."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"still running after {timeout} s: something blocked (a FIFO was opened?)"
    if "error" in box:
        raise box["error"]
    return box["value"]


_CHILD = """
import json, sys
from pathlib import Path
from checker.read.inbox import gather
from checker.ruleset.loader import load_rules
files = gather(Path(sys.argv[1]), load_rules()).files
print(json.dumps([[f.name, f.kind, f.status, f.reason] for f in files]))
"""


def listing_without_privilege(inbox: Path, rules) -> list[tuple]:
    """gather as a user whom permissions bind. Root reads a chmod-000 file anyway, so as root the
    listing runs in a child without the capabilities that bypass file permissions (setpriv)."""
    if os.name == "nt":
        pytest.skip("chmod does not take read permission away on Windows")
    if os.geteuid() != 0:
        return listing(inbox, rules)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: chmod 000 does not stop root from reading")
    caps = "-dac_override,-dac_read_search"
    done = subprocess.run([setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", sys.executable, "-c", _CHILD,
                           str(inbox)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and "setpriv" in done.stderr:
        pytest.skip(f"setpriv cannot drop capabilities here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return [tuple(row) for row in json.loads(done.stdout)]
