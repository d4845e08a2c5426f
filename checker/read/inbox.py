"""Gather an inbox folder into submissions, each with its receipt time and the evidence behind it.

Receipt time, strongest evidence first: the email's Date header; the office's receipt log
(read_receipt_log; a row that names no file of the inbox is kept on the Inbox, to be listed); the template's "Ngày gửi" (decided after reading, in consolidate); the
file's modification time. An email with both a Date header and a log row (`ntvt fetch` logs the
server's INTERNALDATE) takes the one the rules' mail.receipt_evidence names, and keeps both on its
entry when they are further apart than mail.date_tolerance_hours (decide/clocks warns). Spreadsheets
inside an attached .zip are submissions too (read/zipped). Every entry of the inbox is accounted for:
a submission, an email that carried submissions, ntvt's own records (model/marks), or an entry
listed as not usable and why.

The walk (`walk`) trusts nothing it finds. It never follows a link (a link to /etc/shadow must not
put the shadow file's SHA-256 in the workbook; a link inside the inbox would count its target twice)
and never opens anything but a regular file (a FIFO blocks forever, /dev/zero never ends). Names
(`names`) are shown as people can read them (a cp1258 name from a Windows zip, NFC) and are unique
across the whole manifest, files and attachment labels alike, because everything downstream keys
on them.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import mail
from .names import ATTACHMENT_SEPARATOR, ManifestNames, shown_text
from .receipt_log import LogRow, ReceiptLog
from .regular import Swapped, not_regular_reason, open_listed
from .safety import SPREADSHEET_SUFFIXES
from .submission import Submission
from .walk import MOVE_UP, TOO_LONG, Entry, link_reason, walk
from .zipped import is_zip, read_zipped
from ..model.marks import is_own_record
from ..model.words import (EVIDENCE_EMAIL, EVIDENCE_LOG, EVIDENCE_MTIME, EVIDENCE_UPLOAD, GENERATED, GENERATED_REASON,
                           OWN_RECORD)
from ..ruleset.spec import RuleSet

__all__ = ["Inbox", "InboxFile", "MAIL_EVIDENCE", "StoredFile", "gather", "gather_stored"]

EMAILS = (".eml", ".msg")
# Files an operating system or office program leaves behind; listed, never read.
SYSTEM_FILES = (".ds_store", "thumbs.db", "desktop.ini")
# The status of ntvt's own records kept in the folder (model/marks: the fetch and send registers, the
# receipt log written by fetch): accounted for in the manifest, never read as a report nor rejected.
# The rules' mail.receipt_evidence (ruleset/spec.RECEIPT_EVIDENCE) -> the evidence that counts.
MAIL_EVIDENCE = {"internaldate": EVIDENCE_LOG, "date_header": EVIDENCE_EMAIL}
OWN_RECORD_REASON = "sổ của ntvt (không phải báo cáo): để nguyên trong thư mục, lệnh lấy thư và gửi thư cần đến"


@dataclass
class InboxFile:
    """One entry found in the inbox, as the manifest lists it."""

    name: str  # relative to the inbox, as shown to people: NFC, no control characters, unique
    sha256: str  # "" for an entry that was not read (a link, a FIFO, an unreadable file)
    kind: str  # spreadsheet | email | other | link | special | folder
    status: str = ""  # for entries that are not submissions themselves: "email" | "rejected" | "generated" | "record"
    reason: str | None = None
    sender: str | None = None
    received_at: dt.datetime | None = None
    evidence: str | None = None
    attachments: list[str] = field(default_factory=list)
    # An email whose Date header and receipt-log time are further apart than rules.mail allows: the
    # two times (local), Date first. Reported by decide/clocks on each of its attachments.
    clock: tuple[dt.datetime, dt.datetime] | None = None


@dataclass
class Inbox:
    files: list[InboxFile]
    submissions: list[Submission]
    mtimes: dict[str, dt.datetime]  # submission name -> modification time (local), a last resort
    unmatched_log: list[LogRow] = field(default_factory=list)  # receipt-log rows naming no file here
    last_resort: str = EVIDENCE_MTIME  # what `mtimes` are: files' modification times, or upload times


# ---------------------------------------------------------------------------------------------
# Reading listed files


def _fingerprint(entry: Entry) -> tuple[str, os.stat_result]:
    """The SHA-256 of a listed regular file, read in blocks, and its stat at reading time."""
    digest = hashlib.sha256()
    with open_listed(entry.path, entry.st) as fh:
        st = os.fstat(fh.fileno())
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest(), st


def _unreadable_reason(exc: OSError) -> str:
    if isinstance(exc, Swapped) or exc.errno == errno.ELOOP:  # ELOOP: O_NOFOLLOW met a link put there
        return "tệp bị thay thế trong lúc tổng hợp: hãy chạy lại"
    if isinstance(exc, FileNotFoundError):
        return "không đọc được tệp (FileNotFoundError): tệp bị xóa hoặc đổi tên trong lúc tổng hợp, hãy chạy lại"
    if exc.errno == errno.ENAMETOOLONG:  # nested deeper than the system's path limit
        return f"không đọc được tệp ({TOO_LONG}): {MOVE_UP}"
    if isinstance(exc, PermissionError):
        return "không đọc được tệp (PermissionError): hãy cấp quyền đọc tệp rồi chạy lại"
    return f"không đọc được tệp ({type(exc).__name__}): hãy kiểm tra tệp rồi chạy lại"


def _mtime(st: os.stat_result, zone: dt.tzinfo) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(st.st_mtime, zone).replace(microsecond=0)
    except (OverflowError, OSError, ValueError):
        # A modification time past year 9999 (tmpfs allows it): "later than any day of reckoning"
        # keeps its meaning and stays within what every later computation can handle.
        return dt.datetime(9999, 12, 30, tzinfo=zone) if st.st_mtime > 0 else dt.datetime(1970, 1, 1, tzinfo=zone)


# ---------------------------------------------------------------------------------------------
# Gathering


def gather(inbox: Path, rules: RuleSet, receipt_log: ReceiptLog | None = None) -> Inbox:
    """Walk the inbox (recursively, in a stable order) and turn what is there into submissions.

    Raises CheckerError only if the inbox folder itself cannot be listed."""
    log = receipt_log or ReceiptLog([])
    files: list[InboxFile] = []
    subs: list[Submission] = []
    mtimes: dict[str, dt.datetime] = {}
    zone = rules.deadlines.zone
    root = os.fspath(inbox)
    entries = walk(root)
    # Names are claimed in walk order, so an email's attachment labels are taken before a file
    # of the inbox literally named "thu.eml › a.xlsx" (it sorts after thu.eml) is renamed.
    names = ManifestNames()
    shown: dict[str, str] = {}  # raw relative path -> name in the manifest
    links: list[tuple[InboxFile, Entry]] = []
    for entry in entries:
        name = shown[entry.rel] = names.folder(entry.shown) if entry.what == "folder" else names.file(entry.shown)
        # Looked up for every entry (a logged link is there, if not usable): by the name in the
        # manifest, the path as found, or (a log that keeps no folders) the base name.
        row = log.lookup(name, entry.shown, entry.shown.rsplit("/", 1)[-1]) if entry.what != "folder" else None
        if entry.what == "folder":
            files.append(InboxFile(name, "", "folder", "rejected", entry.problem))
        elif entry.what == "link":
            files.append(InboxFile(name, "", "link", "rejected"))
            links.append((files[-1], entry))
        elif entry.what == "special":
            files.append(InboxFile(name, "", "special", "rejected", not_regular_reason(entry.st)))
        else:
            files.append(_file(entry, name, rules, names, subs, mtimes, zone, log,
                               (row.received_at, EVIDENCE_LOG) if row else None))
    root_real = os.path.realpath(root)
    for listed, entry in links:  # last: a link inside the inbox names its target as the manifest does
        listed.reason = link_reason(entry, root_real, shown)
    return Inbox(files, subs, mtimes, log.unmatched())


@dataclass(frozen=True)
class StoredFile:
    """A file a workspace keeps (checker/workspace): where it is stored, the name it was received
    under, and its receipt time with the evidence for it."""

    path: Path
    name: str
    received_at: dt.datetime
    evidence: str


def gather_stored(stored: Iterable[StoredFile], rules: RuleSet) -> Inbox:
    """Stored files as an inbox, in the order given: each under the name it was received with (made
    unique). An email's Date header says when it was sent; a spreadsheet's upload time takes the
    place a file's modification time has in a folder: the last resort, after the template's
    "Ngày gửi", and the tie-break of the receipt order. A clerk who uploads a month's saved
    attachments on the 1st must not make every unit late; the same files give the same statuses
    read from a folder or from the workspace."""
    files: list[InboxFile] = []
    subs: list[Submission] = []
    mtimes: dict[str, dt.datetime] = {}
    names, log = ManifestNames(), ReceiptLog([])
    for item in stored:
        path = os.fspath(item.path)
        try:
            st = os.lstat(path)
        except OSError:
            st = None  # reading it fails in _file, and says why
        shown = shown_text(item.name) or "(không tên)"
        name = names.file(shown)
        before = set(mtimes)
        files.append(_file(Entry(path, shown, shown, "file", st), name, rules, names, subs, mtimes,
                           rules.deadlines.zone, log,
                           None if item.evidence == EVIDENCE_UPLOAD else (item.received_at, item.evidence)))
        mtimes.update({key: item.received_at for key in mtimes.keys() - before})
    return Inbox(files, subs, mtimes, last_resort=EVIDENCE_UPLOAD)


def _file(entry: Entry, name: str, rules: RuleSet, names: ManifestNames, subs: list[Submission],
          mtimes: dict[str, dt.datetime], zone: dt.tzinfo, log: ReceiptLog,
          receipt: tuple[dt.datetime, str] | None) -> InboxFile:
    """One listed file; `receipt`: its receipt time and the evidence for it, if known before reading."""
    try:
        digest, st = _fingerprint(entry)
    except OSError as exc:
        return InboxFile(name, "", "other", "rejected", _unreadable_reason(exc))
    base = os.path.basename(entry.path)
    shown_base = entry.shown.rsplit("/", 1)[-1]
    suffix = os.path.splitext(base)[1].lower()
    mtime = _mtime(st, zone)
    logged, evidence = receipt or (None, None)
    if any(b.lower() in SYSTEM_FILES or b.startswith(("~$", ".~lock")) for b in (base, shown_base)):
        return InboxFile(name, digest, "other", "rejected", "tệp tạm hoặc tệp hệ thống, không phải báo cáo")
    if is_own_record(base):
        return InboxFile(name, digest, "other", OWN_RECORD, OWN_RECORD_REASON)
    if suffix in EMAILS:
        return _email(Path(entry.path), name, digest, rules, names, subs, mtimes, mtime, receipt, log)
    if suffix in SPREADSHEET_SUFFIXES:
        subs.append(Submission(name, None, logged, evidence, path=Path(entry.path), sha256=digest))
        mtimes[name] = mtime
        return InboxFile(name, digest, "spreadsheet")
    shown_suffix = os.path.splitext(shown_base)[1]
    return InboxFile(name, digest, "other", "rejected",
                     f"không phải bảng tính hay thư điện tử (đuôi “{shown_suffix or '(không có)'}”)")


_MAIL_REASONS = {
    "msg_unsupported": "thư Outlook .msg chưa được hỗ trợ: hãy lưu thư dạng .eml",
    "too_large": "thư quá lớn (hoặc các thư chuyển tiếp lồng trong nó giải mã ra quá lớn): hãy gửi các tệp "
                 "bảng tính trong thư riêng",
    "malformed": "thư bị hỏng, không đọc được cấu trúc: hãy gửi lại thư",
    "not_an_email": "không phải thư điện tử hợp lệ",
    "too_deep": "thư lồng nhau quá nhiều lớp (thư chuyển tiếp trong thư): hãy gửi thẳng tệp bảng tính",
    "too_many_parts": "thư có quá nhiều phần đính kèm: hãy chia các tệp ra nhiều thư rồi gửi lại",
    "header_too_large": "phần đầu thư quá lớn, không phải thư thông thường: không đọc",
}


def _email(path: Path, name: str, digest: str, rules: RuleSet, names: ManifestNames, subs: list[Submission],
           mtimes: dict[str, dt.datetime], mtime: dt.datetime, receipt: tuple[dt.datetime, str] | None,
           log: ReceiptLog) -> InboxFile:
    entry = InboxFile(name, digest, "email", "email")
    try:
        message = mail.read_email(path, max_bytes=rules.limits.max_file_bytes * 4)
    except mail.MailError as exc:
        entry.status = "rejected"
        entry.reason = _MAIL_REASONS.get(exc.reason, "không đọc được thư")
        return entry
    entry.sender = message.sender
    if message.generated is not None:  # a reply draft ntvt wrote, left in the inbox: not from a unit
        entry.status, entry.reason = GENERATED, GENERATED_REASON
        return entry
    entry.received_at, entry.evidence, entry.clock = _email_receipt(message, rules, receipt)
    found, unused = _spreadsheets(message, rules)
    if not found:
        entry.status = "rejected"
        others = ", ".join(shown_text(a.name) or "tệp không tên" for a in message.attachments) or "không có tệp nào"
        entry.reason = f"thư không có tệp bảng tính đính kèm ({others})"
        if any(a.name.lower() == "winmail.dat" for a in message.attachments):
            entry.reason += ("; thư gửi theo định dạng Outlook TNEF (winmail.dat): đề nghị đơn vị gửi lại thư ở "
                             "định dạng thường (HTML hoặc văn bản), không dùng RTF")
        entry.reason += "".join(f"; {one}" for one in unused)
        return entry
    for label, data in found:
        # Two attachments with one name, or a file of the inbox literally named like this label:
        # both kept, distinctly.
        shown = names.attachment(name, label)
        entry.attachments.append(shown)
        received, evidence = entry.received_at, entry.evidence
        row = log.lookup(shown)  # a log may name the attachment ("thu.eml › bc.xlsx") rather than the email
        if received is None and row is not None:
            received, evidence = row.received_at, EVIDENCE_LOG
        subs.append(Submission(shown, data, received, evidence, entry.sender))
        mtimes[shown] = mtime
    notes = list(unused)
    if message.date_problem and message.sent_at is None:
        notes.insert(0, "thư không có ngày gửi hợp lệ (Date): dùng bằng chứng khác")
    elif message.date_problem == "naive_date":
        notes.insert(0, "ngày gửi của thư không ghi múi giờ: coi là giờ UTC")
    entry.reason = "; ".join(notes) or None
    return entry


def _email_receipt(message: mail.Email, rules: RuleSet, receipt: tuple[dt.datetime, str] | None
                   ) -> tuple[dt.datetime | None, str | None, tuple[dt.datetime, dt.datetime] | None]:
    """An email's receipt time, its evidence, and its two times if they disagree. With both a Date
    header and a receipt-log row (fetch writes the server's INTERNALDATE there), the rules'
    mail.receipt_evidence says which counts; apart by more than mail.date_tolerance_hours, both are
    kept for the warning (a unit's clock set wrong)."""
    if message.sent_at is None:  # no usable Date header: the office's log (or upload) is the next evidence
        return (*(receipt or (None, None)), None)
    sent = rules.deadlines.to_local(message.sent_at)
    if receipt is None or receipt[1] != EVIDENCE_LOG:
        return sent, EVIDENCE_EMAIL, None
    logged = receipt[0]
    apart = abs((sent - logged).total_seconds()) > rules.mail.date_tolerance_hours * 3600
    clock = (sent, logged) if apart else None
    if MAIL_EVIDENCE[rules.mail.receipt_evidence] == EVIDENCE_LOG:
        return logged, EVIDENCE_LOG, clock
    return sent, EVIDENCE_EMAIL, clock


def _spreadsheets(message: mail.Email, rules: RuleSet) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The spreadsheets an email carries, each with its label ("bc.xlsx", "bc.zip › bc.xlsx"), and
    what was left out of its zip attachments and why (Vietnamese)."""
    found: list[tuple[str, bytes]] = []
    unused: list[str] = []
    for attachment in message.attachments:
        shown = shown_text(attachment.name)
        if attachment.name.lower().endswith(SPREADSHEET_SUFFIXES):
            found.append((shown, attachment.data))
        elif is_zip(attachment.name, attachment.data):
            zipped = read_zipped(attachment.data, rules.limits)
            label = shown or "tệp nén không tên"
            found += [(f"{label}{ATTACHMENT_SEPARATOR}{inner}", data) for inner, data in zipped.spreadsheets]
            if zipped.problem:
                unused.append(f"tệp nén “{label}” không dùng được: {zipped.problem}")
            unused += [f"tệp nén “{label}”: bỏ qua {one}" for one in zipped.left_out]
    return found, unused
