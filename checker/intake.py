"""Gather an inbox folder into submissions, each with its receipt time and the evidence behind it.

Receipt time, strongest evidence first (SPEC §5): the email's Date header; the office's receipt log
(CSV: file, received_at); the template's "Ngày gửi" (decided after reading, in consolidate); the
file's modification time. Every file in the inbox is accounted for: a submission, an email that
carried submissions, or a file listed as not usable and why.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import mail
from .check import Submission
from .deadlines import local_zone, to_local
from .errors import CheckerError
from .fileio import file_sha256
from .rules import RuleSet

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
EMAILS = (".eml", ".msg")
EVIDENCE_EMAIL = "ngày gửi của thư điện tử"
EVIDENCE_LOG = "sổ nhận văn bản"
EVIDENCE_SENT = "ô “Ngày gửi”"
EVIDENCE_MTIME = "thời gian sửa tệp"
# Files an operating system or office program leaves behind; listed, never read.
SYSTEM_FILES = (".ds_store", "thumbs.db", "desktop.ini")


@dataclass
class InboxFile:
    """One file found in the inbox, as the manifest lists it."""

    name: str  # relative to the inbox, NFC
    sha256: str
    kind: str  # spreadsheet | email | other
    status: str = ""  # for files that are not submissions themselves: "email" | "rejected"
    reason: str | None = None
    sender: str | None = None
    received_at: dt.datetime | None = None
    evidence: str | None = None
    attachments: list[str] = field(default_factory=list)


@dataclass
class Inbox:
    files: list[InboxFile]
    submissions: list[Submission]
    mtimes: dict[str, dt.datetime]  # submission name -> modification time (local), a last resort


def read_receipt_log(path: Path, rules: RuleSet) -> dict[str, dt.datetime]:
    """The office's receipt log: CSV with columns file, received_at (local time unless a zone is given)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckerError(f"cannot read the receipt log {path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"file", "received_at"} <= {f.strip() for f in reader.fieldnames}:
        raise CheckerError(f"{path}: the receipt log needs the columns 'file' and 'received_at'")
    out = {}
    for n, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        moment = _parse_moment(row["received_at"])
        if moment is None:
            raise CheckerError(f"{path}:{n}: received_at {row['received_at']!r} is not YYYY-MM-DD HH:MM "
                               "or DD/MM/YYYY HH:MM")
        out[unicodedata.normalize("NFC", row["file"]).replace("\\", "/")] = to_local(moment, rules.deadlines)
    return out


def _parse_moment(value: str) -> dt.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def gather(inbox: Path, rules: RuleSet, receipt_log: dict[str, dt.datetime] | None = None) -> Inbox:
    """Walk the inbox (recursively, in a stable order) and turn what is there into submissions."""
    log = receipt_log or {}
    files: list[InboxFile] = []
    subs: list[Submission] = []
    mtimes: dict[str, dt.datetime] = {}
    zone = local_zone(rules.deadlines)
    paths = sorted((p for p in inbox.rglob("*") if p.is_file()), key=lambda p: p.relative_to(inbox).as_posix())
    for path in paths:
        name = unicodedata.normalize("NFC", path.relative_to(inbox).as_posix())
        digest = file_sha256(path)
        suffix = path.suffix.lower()
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, zone).replace(microsecond=0)
        if path.name.lower() in SYSTEM_FILES or path.name.startswith(("~$", ".~lock")):
            files.append(InboxFile(name, digest, "other", "rejected", "tệp tạm hoặc tệp hệ thống, không phải báo cáo"))
        elif suffix in EMAILS:
            files.append(_email(path, name, digest, rules, subs, mtimes, mtime, log.get(name) or log.get(path.name)))
        elif suffix in SPREADSHEETS:
            files.append(InboxFile(name, digest, "spreadsheet"))
            received = log.get(name) or log.get(path.name)
            subs.append(Submission(name, None, received, EVIDENCE_LOG if received else None, path=path, sha256=digest))
            mtimes[name] = mtime
        else:
            files.append(InboxFile(name, digest, "other", "rejected",
                                   f"không phải bảng tính hay thư điện tử (đuôi “{path.suffix or '(không có)'}”)"))
    return Inbox(files, subs, mtimes)


def _email(path: Path, name: str, digest: str, rules: RuleSet, subs: list[Submission],
           mtimes: dict[str, dt.datetime], mtime: dt.datetime, logged: dt.datetime | None) -> InboxFile:
    entry = InboxFile(name, digest, "email", "email")
    try:
        message = mail.read_email(path, max_bytes=rules.limits.max_file_bytes * 4)
    except mail.MailError as exc:
        entry.status = "rejected"
        entry.reason = {"msg_unsupported": "thư Outlook .msg chưa được hỗ trợ: hãy lưu thư dạng .eml",
                        "too_large": "thư quá lớn",
                        "not_an_email": "không phải thư điện tử hợp lệ"}.get(exc.reason, "không đọc được thư")
        return entry
    entry.sender = message.sender
    if message.sent_at is not None:
        entry.received_at = to_local(message.sent_at, rules.deadlines)
        entry.evidence = EVIDENCE_EMAIL
    elif logged is not None:  # no usable Date header: the office's log is the next evidence
        entry.received_at, entry.evidence = logged, EVIDENCE_LOG
    attachments = mail.spreadsheet_attachments(message)
    if not attachments:
        entry.status = "rejected"
        others = ", ".join(a.name for a in message.attachments if a.name) or "không có tệp nào"
        entry.reason = f"thư không có tệp bảng tính đính kèm ({others})"
        return entry
    seen: set[str] = set()
    for attachment in attachments:
        shown = f"{name} › {attachment.name}"
        n = 2
        while shown in seen:  # two attachments with one name: keep both, distinctly
            shown, n = f"{name} › ({n}) {attachment.name}", n + 1
        seen.add(shown)
        entry.attachments.append(shown)
        subs.append(Submission(shown, attachment.data, entry.received_at, entry.evidence, entry.sender))
        mtimes[shown] = mtime
    if message.date_problem and message.sent_at is None:
        entry.reason = "thư không có ngày gửi hợp lệ (Date): dùng bằng chứng khác"
    elif message.date_problem == "naive_date":
        entry.reason = "ngày gửi của thư không ghi múi giờ: coi là giờ UTC"
    return entry
