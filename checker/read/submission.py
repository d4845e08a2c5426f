"""What is checked: one input's bytes (or where to read them) and what is known of its receipt."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .regular import open_regular


@dataclass
class Submission:
    """One input to check: a file's bytes and what is known of its receipt."""

    name: str  # shown to people: a path, or "email.eml › attachment.xlsx"
    data: bytes | None  # held for an email's attachment; None for a file read again from `path`
    received_at: dt.datetime | None = None  # aware, in the plan's local time
    evidence: str | None = None  # what received_at rests on
    sender: str | None = None
    path: Path | None = None
    sha256: str | None = None  # of the file when it was listed: what is read later must match it

    def content(self) -> bytes:
        """The file's bytes. Files in a folder are read when needed, not held: a city's inbox is
        hundreds of megabytes, and a worker process is sent a file's path, not its bytes.
        Raises OSError if the file is gone or is not a regular file (NotRegular), InputChanged if it
        is not the file that was listed."""
        if self.data is not None:
            return self.data
        with open_regular(self.path) as fh:
            return self.verified(fh.read())

    def verified(self, data: bytes) -> bytes:
        """data, if it is the listed file's (or nothing was listed); else raise InputChanged."""
        if self.sha256 is not None and hashlib.sha256(data).hexdigest() != self.sha256:
            raise InputChanged(f"{self.path} changed after it was listed")
        return data


class InputChanged(Exception):
    """A file of the inbox was modified between listing and reading."""
