"""Does a fetched email carry a spreadsheet? Read by the .eml reader itself (read/mail.py: the same
MIME limits, attachments of an attached message included), plus what is inside an attached .zip,
judged from its directory alone (nothing is inflated) within the rules' bomb limits (read/zipped, as
the consolidation reads it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..read import mail
from ..read.mail_headers import Refused
from ..read.mime import MAX_DEPTH, MAX_PARTS, walk
from ..read.names import shown_text
from ..read.safety import SPREADSHEET_SUFFIXES
from ..read.zipped import is_zip, zipped_spreadsheets
from ..ruleset.spec import Limits

__all__ = ["Scan", "scan_email", "zipped_spreadsheets"]


@dataclass(frozen=True)
class Scan:
    """What a fetched email holds: its sender, subject, Date, Message-ID and the spreadsheets found
    (attachment names; "bc.zip › bc.xlsx" for one inside a zip). `problem`: why it could not be read."""

    sender: str | None
    subject: str | None
    sent_at: dt.datetime | None
    message_id: str | None
    spreadsheets: tuple[str, ...]
    problem: str | None = None


def message_id(data: bytes) -> str | None:
    """The Message-ID as written, without its angle brackets; None if absent or unreadable."""
    try:
        head, _ = next(walk(data, MAX_DEPTH, MAX_PARTS))
    except (Refused, StopIteration):
        return None
    value = (head.get("message-id") or "").strip().strip("<>").strip()
    return value[:998] or None


def scan_email(path: Path, limits: Limits, max_bytes: int) -> Scan:
    """Read the email saved at path (a scratch copy) and list the spreadsheets it carries."""
    data_id = message_id(path.read_bytes())
    try:
        email = mail.read_email(path, max_bytes=max_bytes)
    except mail.MailError as exc:
        return Scan(None, None, None, data_id, (), exc.reason)
    found: list[str] = []
    for attachment in email.attachments:
        name = shown_text(attachment.name) or "tệp không tên"
        if attachment.name.lower().endswith(SPREADSHEET_SUFFIXES):
            found.append(name)
        elif is_zip(attachment.name, attachment.data):
            found += [f"{name} › {inner}" for inner in zipped_spreadsheets(attachment.data, limits)]
    return Scan(email.sender, email.subject, email.sent_at, data_id, tuple(found))
