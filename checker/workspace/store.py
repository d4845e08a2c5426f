"""The received files, stored by content: `ho_so/<sha256><suffix>`.

A name given by whoever uploads a file is never part of a path ("../../etc/passwd.xlsx" and
"CON.xlsx" are only recorded as names): the path is the SHA-256 of the bytes and a suffix taken
from a whitelist, the endings the reader reads. A file is written to a temporary file in the same
folder and renamed into place (os.replace), so a reader never sees half a file, and two requests
storing the same bytes at once both leave the same whole file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from ..read.inbox import EMAILS
from ..read.safety import SPREADSHEET_SUFFIXES
from ..write.files import output_error

__all__ = ["STORED_SUFFIXES", "Store", "stored_suffix"]

# The endings a stored file keeps: what gathering reads (spreadsheets, emails). Any other is dropped.
STORED_SUFFIXES = SPREADSHEET_SUFFIXES + EMAILS


def stored_suffix(name: str) -> str:
    """The suffix a file named `name` is stored with: its ending if whitelisted (lower case), else ""."""
    suffix = os.path.splitext(name.replace("\\", "/").rsplit("/", 1)[-1])[1].lower()
    return suffix if suffix in STORED_SUFFIXES else ""


class Store:
    """The folder of received files, each named by its SHA-256."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, sha256: str, suffix: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256) or suffix not in STORED_SUFFIXES + ("",):
            raise ValueError(f"not a stored file: {sha256!r}{suffix!r}")
        return self.folder / f"{sha256}{suffix}"

    def put(self, data: bytes, suffix: str) -> tuple[str, Path]:
        """Store data (if not stored already); return its SHA-256 and path."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest, suffix)
        if target.is_file() and target.stat().st_size == len(data):
            return digest, target
        fd, temp = tempfile.mkstemp(prefix=".ntvt-tmp-", dir=self.folder)
        try:
            with open(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise output_error(target, exc) from exc
        return digest, target

