"""Gather an inbox folder into submissions, each with its receipt time and the evidence behind it.

Receipt time, strongest evidence first (SPEC §5): the email's Date header; the office's receipt log
(CSV: file, received_at); the template's "Ngày gửi" (decided after reading, in consolidate); the
file's modification time. Every entry of the inbox is accounted for: a submission, an email that
carried submissions, or an entry listed as not usable and why.

The walk trusts nothing it finds. It never follows a link (a link to /etc/shadow must not put the
shadow file's SHA-256 in the workbook; a link inside the inbox would count its target twice) and
never opens anything but a regular file (a FIFO blocks forever, /dev/zero never ends). Names are
shown as people can read them (a cp1258 name from a Windows zip, NFC) and are unique across the
whole manifest, files and attachment labels alike, because everything downstream keys on them.
"""

from __future__ import annotations

import csv
import errno
import datetime as dt
import hashlib
import io
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import mail
from .regular import not_regular_reason
from .submission import Submission
from ..model.errors import CheckerError
from ..model.words import EVIDENCE_EMAIL, EVIDENCE_LOG
from ..ruleset.spec import RuleSet

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
EMAILS = (".eml", ".msg")
# Files an operating system or office program leaves behind; listed, never read.
SYSTEM_FILES = (".ds_store", "thumbs.db", "desktop.ini")
ATTACHMENT_SEPARATOR = " › "  # "thu.eml › bao_cao.xlsx": an attachment's label in the manifest


@dataclass
class InboxFile:
    """One entry found in the inbox, as the manifest lists it."""

    name: str  # relative to the inbox, as shown to people: NFC, no control characters, unique
    sha256: str  # "" for an entry that was not read (a link, a FIFO, an unreadable file)
    kind: str  # spreadsheet | email | other | link | special | folder
    status: str = ""  # for entries that are not submissions themselves: "email" | "rejected"
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


# ---------------------------------------------------------------------------------------------
# The receipt log


def read_receipt_log(path: Path, rules: RuleSet) -> dict[str, dt.datetime]:
    """The office's receipt log: CSV with columns file, received_at (local time unless a zone is given).

    A log that cannot be used stops the command (CheckerError, exit 2): the office asked for this
    evidence, so going on without it would silently change statuses."""
    path = Path(path)
    text = _log_text(path, rules.limits.max_file_bytes)
    reader = csv.DictReader(io.StringIO(text))
    try:
        names = {f.strip() for f in reader.fieldnames or ()}
        if not {"file", "received_at"} <= names:
            raise _log_error(path, 1, "the receipt log needs the columns 'file' and 'received_at'",
                             "cần hai cột “file” và “received_at” ở dòng đầu "
                             f"(đang có: {_quoted(sorted(names)) or 'không có cột nào'})")
        out = {}
        for row in reader:
            # Extra fields land under the key None as a list: they are not ours to read.
            row = {k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
            value = row.get("received_at", "")
            moment = _parse_moment(value)
            try:
                local = rules.deadlines.to_local(moment) if moment is not None else None
            except (OverflowError, ValueError):  # 9999-12-31 23:59 -0500 is past the last datetime
                local = None
            if local is None:
                raise _log_error(path, reader.line_num, f"received_at {value!r} is not a usable moment",
                                 f"thời điểm nhận {_quoted([value])} không đúng dạng YYYY-MM-DD HH:MM hoặc "
                                 "DD/MM/YYYY HH:MM: hãy sửa dòng này rồi chạy lại")
            out[unicodedata.normalize("NFC", row.get("file", "")).replace("\\", "/")] = local
    except csv.Error as exc:  # a field over the csv module's size limit, a stray quote in strict mode
        # The record being read when the error came starts on the line after the last one read.
        raise _log_error(path, reader.line_num + 1, f"not a readable CSV file: {exc}",
                         "không đọc được dạng CSV ở dòng này: hãy lưu lại sổ dạng CSV rồi chạy lại") from None
    return out


def _log_text(path: Path, max_bytes: int) -> str:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block forever, a device never end
            raise _log_error(path, None, "the receipt log is not a regular file",
                             "không phải tệp thông thường: hãy chọn một tệp CSV")
        if st.st_size > max_bytes:
            raise _log_error(path, None, f"the receipt log is larger than {max_bytes} bytes",
                             f"tệp quá lớn ({st.st_size:,} byte, giới hạn {max_bytes:,} byte)")
        data = _read_regular(str(path), st, follow=True)
    except OSError as exc:
        raise _log_error(path, None, f"cannot read the receipt log: {exc}",
                         f"không đọc được tệp ({type(exc).__name__}): hãy kiểm tra đường dẫn rồi chạy lại") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _log_error(path, line, f"not UTF-8 at byte {exc.start}",
                         "không phải văn bản UTF-8: hãy lưu lại dạng “CSV UTF-8” rồi chạy lại") from None


def _log_error(path: Path, line: int | None, detail: str, message: str) -> CheckerError:
    where = f"{path}" + (f":{line}" if line else "")
    return CheckerError(f"{where}: {detail}", message=f"Sổ nhận văn bản {clean_text(where)}: {message}.")


def _quoted(values: list[str]) -> str:
    # Values echoed from the log are cut short and made printable: a message is one readable line.
    return ", ".join(f"“{clean_text(v[:60])}{'…' if len(v) > 60 else ''}”" for v in values)


def _parse_moment(value: str) -> dt.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------------------------
# Names people read

# Characters that must not reach a name shown to people or written to XML: C0/C1 controls (an ESC
# sequence, a newline inside a name) and line separators, bidirectional overrides (after U+202E,
# "bao_cao\u202excl.exe" reads "bao_caoexe.lcx"), lone surrogates and the two XML non-characters.
# Each is shown as a visible escape.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` in NFC with every unshowable character replaced by a visible escape such as "\\x1b"."""
    text = unicodedata.normalize("NFC", text)
    return _UNSHOWABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                           else f"\\u{ord(m.group()):04x}", text)


def display_part(part: str) -> str:
    """One path component as people should read it.

    On Linux a name that is not UTF-8 (cp1258 bytes, as unzipping a Windows archive leaves them)
    arrives as surrogate escapes; the raw bytes are decoded as Windows-1258, then Windows-1252, and
    only if both fail shown with the undecodable bytes escaped. The real name stays in the path."""
    try:
        part.encode("utf-8")
    except UnicodeEncodeError:
        part = _redecode(part)
    return clean_text(part)


def _redecode(part: str) -> str:
    if os.name == "nt":  # Windows names are UTF-16: a lone surrogate is shown as an escape, not decoded
        return part
    raw = os.fsencode(part)
    for codec in ("cp1258", "cp1252"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


class _Names:
    """Every name of the manifest, unique by construction.

    A name claimed again gets the next free variant ("a (2).xlsx", "thu.eml › (2) a.xlsx"). The
    next number to try is kept per base name, so 20,000 attachments with one name cost 20,000
    claims, not 200 million comparisons."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next: dict[str, int] = {}

    def claim(self, base: str, variant: Callable[[int], str]) -> str:
        if base not in self.taken:
            self.taken.add(base)
            return base
        n = self.next.get(base, 2)
        while (shown := variant(n)) in self.taken:  # only names someone else holds are skipped
            n += 1
        self.next[base] = n + 1
        self.taken.add(shown)
        return shown

    def file(self, shown: str) -> str:
        head, sep, last = shown.rpartition("/")
        stem, suffix = os.path.splitext(last)
        return self.claim(shown, lambda n: f"{head}{sep}{stem} ({n}){suffix}")

    def folder(self, shown: str) -> str:
        return self.claim(f"{shown}/", lambda n: f"{shown} ({n})/")

    def attachment(self, email: str, attachment: str) -> str:
        return self.claim(f"{email}{ATTACHMENT_SEPARATOR}{attachment}",
                          lambda n: f"{email}{ATTACHMENT_SEPARATOR}({n}) {attachment}")


# ---------------------------------------------------------------------------------------------
# The walk


@dataclass
class _Entry:
    """One thing found under the inbox, before anything is opened."""

    path: str  # the real path, for access (may hold surrogate escapes)
    rel: str  # relative to the inbox, "/"-separated, raw
    shown: str  # the display form of rel, before names are made unique
    what: str  # file | link | special | folder
    st: os.stat_result | None = None  # lstat: a link's own, never its target's
    problem: str | None = None  # for a folder that was not walked: why


def _walk(root: str) -> list[_Entry]:
    """Every entry under root, without following links and opening nothing but folders.

    Iterative (a folder 10,000 deep is no RecursionError); a folder seen before under another name
    (a bind mount or a junction loop: same device and inode) is listed, not walked again."""
    out: list[_Entry] = []
    try:
        seen = {_identity(os.stat(root))}
    except OSError as exc:
        raise _inbox_error(root, exc) from None
    stack: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [(root, (), ())]
    while stack:
        folder, raw, shown = stack.pop()
        try:
            with os.scandir(folder) as it:
                items = list(it)
        except OSError as exc:
            if not raw:
                raise _inbox_error(root, exc) from None
            out.append(_Entry(folder, "/".join(raw), "/".join(shown), "folder", problem=_folder_reason(exc)))
            continue
        for item in items:
            parts, names = raw + (item.name,), shown + (display_part(item.name),)
            rel, display = "/".join(parts), "/".join(names)
            try:
                st = os.lstat(item.path)
            except OSError:  # gone since the listing, or a path too long: reported when it is read
                out.append(_Entry(item.path, rel, display, "file"))
                continue
            if _is_link(st):
                out.append(_Entry(item.path, rel, display, "link", st))
            elif stat.S_ISDIR(st.st_mode):
                identity = _identity(st)
                if identity is not None and identity in seen:
                    out.append(_Entry(item.path, rel, display, "folder", st,
                                      problem="thư mục lặp lại một thư mục khác của hộp thư (gắn vòng): không đọc lại"))
                    continue
                seen.add(identity)
                stack.append((item.path, parts, names))
            elif stat.S_ISREG(st.st_mode):
                out.append(_Entry(item.path, rel, display, "file", st))
            else:
                out.append(_Entry(item.path, rel, display, "special", st))
    # Display order; among names shown alike, the one already clean (UTF-8, NFC) keeps the plain name.
    out.sort(key=lambda e: (e.shown, e.rel != e.shown, e.rel))
    return out


def _folder_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return f"thư mục không mở được ({_TOO_LONG}): các tệp trong đó chưa được đọc, {_MOVE_UP}"
    return (f"thư mục không mở được ({type(exc).__name__}): các tệp trong đó chưa được đọc, "
            "hãy cấp quyền đọc rồi chạy lại")


_TOO_LONG = "đường dẫn quá dài"
_MOVE_UP = "hãy chuyển lên thư mục ít cấp hơn rồi chạy lại"


def _inbox_error(root: str, exc: OSError) -> CheckerError:
    return CheckerError(f"cannot list the inbox {root}: {exc}",
                        message=f"Không mở được thư mục hộp thư {clean_text(root)} ({type(exc).__name__}): "
                                "hãy kiểm tra đường dẫn và quyền đọc.")


def _identity(st: os.stat_result) -> tuple[int, int] | None:
    return (st.st_dev, st.st_ino) if st.st_ino else None  # some Windows file systems have no inode


def _is_link(st: os.stat_result) -> bool:
    # On Windows a junction is not S_ISLNK; it and a symlink are "name surrogate" reparse points.
    # Other reparse points (OneDrive placeholders, deduplicated files) are ordinary files.
    return stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_reparse_tag", 0) & 0x20000000)


def _link_reason(entry: _Entry, root_real: str, names: dict[str, str]) -> str:
    """What a link is, decided from its resolved target without opening anything.

    A link is never read. Outside the inbox it could point anywhere (/etc/shadow, /dev/zero); inside,
    its target is listed and read under its own name, so reading the link too would count one
    report twice (and two links could point at each other)."""
    try:
        target = os.path.realpath(entry.path, strict=True)  # stats, never opens
    except OSError as exc:
        if exc.errno == errno.ELOOP or getattr(exc, "winerror", None) == 1921:  # 1921: too many links
            return "liên kết hỏng (vòng lặp liên kết): không đọc"
        if isinstance(exc, FileNotFoundError):
            return "liên kết hỏng (không có tệp đích): không đọc"
        return f"liên kết hỏng ({type(exc).__name__}): không đọc"
    if not _inside(target, root_real):
        return "liên kết trỏ ra ngoài hộp thư: không đọc (hãy chép chính tệp vào hộp thư)"
    rel = os.path.relpath(target, root_real)
    if rel == os.curdir:
        return "liên kết tới chính thư mục hộp thư: không đọc"
    rel = rel.replace(os.sep, "/")
    shown = (names.get(rel) or "/".join(display_part(p) for p in rel.split("/"))).rstrip("/")
    if os.path.isdir(target):
        return f"liên kết tới thư mục “{shown}/” trong hộp thư: không đọc, các tệp trong đó đã được tính riêng"
    return f"liên kết tới “{shown}” trong hộp thư: không đọc, tệp gốc đã được tính riêng"


def _inside(target: str, root_real: str) -> bool:
    target, root_real = os.path.normcase(target), os.path.normcase(root_real)
    try:
        return os.path.commonpath([target, root_real]) == root_real
    except ValueError:  # another drive on Windows
        return False


# ---------------------------------------------------------------------------------------------
# Reading regular files safely

# O_NONBLOCK: if a FIFO is swapped in after the lstat, opening it returns at once instead of
# waiting for a writer; O_NOFOLLOW: a link swapped in is refused. Neither exists on Windows,
# which has neither FIFOs in folders nor this race.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


class _Swapped(OSError):
    """The path no longer names the regular file that was listed."""


def _open_regular(path: str, listed: os.stat_result | None, follow: bool = False) -> int:
    """A descriptor on `path`, checked to be the regular file that was listed (same device and inode).
    Links are refused unless `follow` (a path the person named, such as the receipt log)."""
    fd = os.open(path, _OPEN_FLAGS & ~getattr(os, "O_NOFOLLOW", 0) if follow else _OPEN_FLAGS)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or (listed is not None and _identity(listed) not in (None, _identity(st))):
        os.close(fd)
        raise _Swapped(f"{path} was replaced after it was listed")
    return fd


def _read_regular(path: str, listed: os.stat_result | None, follow: bool = False) -> bytes:
    with os.fdopen(_open_regular(path, listed, follow), "rb") as fh:
        return fh.read()


def _fingerprint(entry: _Entry) -> tuple[str, os.stat_result]:
    """The SHA-256 of a listed regular file, read in blocks, and its stat at reading time."""
    digest = hashlib.sha256()
    with os.fdopen(_open_regular(entry.path, entry.st), "rb") as fh:
        st = os.fstat(fh.fileno())
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest(), st


def _unreadable_reason(exc: OSError) -> str:
    if isinstance(exc, _Swapped) or exc.errno == errno.ELOOP:  # ELOOP: O_NOFOLLOW met a link put there
        return "tệp bị thay thế trong lúc tổng hợp: hãy chạy lại"
    if isinstance(exc, FileNotFoundError):
        return "không đọc được tệp (FileNotFoundError): tệp bị xoá hoặc đổi tên trong lúc tổng hợp, hãy chạy lại"
    if exc.errno == errno.ENAMETOOLONG:  # nested deeper than the system's path limit
        return f"không đọc được tệp ({_TOO_LONG}): {_MOVE_UP}"
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


def gather(inbox: Path, rules: RuleSet, receipt_log: dict[str, dt.datetime] | None = None) -> Inbox:
    """Walk the inbox (recursively, in a stable order) and turn what is there into submissions.

    Raises CheckerError only if the inbox folder itself cannot be listed."""
    log = receipt_log or {}
    files: list[InboxFile] = []
    subs: list[Submission] = []
    mtimes: dict[str, dt.datetime] = {}
    zone = rules.deadlines.zone
    root = os.fspath(inbox)
    entries = _walk(root)
    # Names are claimed in walk order, so an email's attachment labels are taken before a file
    # of the inbox literally named "thu.eml › a.xlsx" (it sorts after thu.eml) is renamed.
    names = _Names()
    shown: dict[str, str] = {}  # raw relative path -> name in the manifest
    links: list[tuple[InboxFile, _Entry]] = []
    for entry in entries:
        name = shown[entry.rel] = names.folder(entry.shown) if entry.what == "folder" else names.file(entry.shown)
        if entry.what == "folder":
            files.append(InboxFile(name, "", "folder", "rejected", entry.problem))
        elif entry.what == "link":
            files.append(InboxFile(name, "", "link", "rejected"))
            links.append((files[-1], entry))
        elif entry.what == "special":
            files.append(InboxFile(name, "", "special", "rejected", not_regular_reason(entry.st)))
        else:
            files.append(_file(entry, name, rules, names, subs, mtimes, zone, log))
    root_real = os.path.realpath(root)
    for listed, entry in links:  # last: a link inside the inbox names its target as the manifest does
        listed.reason = _link_reason(entry, root_real, shown)
    return Inbox(files, subs, mtimes)


def _file(entry: _Entry, name: str, rules: RuleSet, names: _Names, subs: list[Submission],
          mtimes: dict[str, dt.datetime], zone: dt.tzinfo, log: dict[str, dt.datetime]) -> InboxFile:
    try:
        digest, st = _fingerprint(entry)
    except OSError as exc:
        return InboxFile(name, "", "other", "rejected", _unreadable_reason(exc))
    base = os.path.basename(entry.path)
    shown_base = entry.shown.rsplit("/", 1)[-1]
    suffix = os.path.splitext(base)[1].lower()
    mtime = _mtime(st, zone)
    logged = log.get(name) or log.get(entry.shown) or log.get(shown_base)
    if base.lower() in SYSTEM_FILES or base.startswith(("~$", ".~lock")):
        return InboxFile(name, digest, "other", "rejected", "tệp tạm hoặc tệp hệ thống, không phải báo cáo")
    if suffix in EMAILS:
        return _email(Path(entry.path), name, digest, rules, names, subs, mtimes, mtime, logged)
    if suffix in SPREADSHEETS:
        subs.append(Submission(name, None, logged, EVIDENCE_LOG if logged else None, path=Path(entry.path),
                               sha256=digest))
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


def _email(path: Path, name: str, digest: str, rules: RuleSet, names: _Names, subs: list[Submission],
           mtimes: dict[str, dt.datetime], mtime: dt.datetime, logged: dt.datetime | None) -> InboxFile:
    entry = InboxFile(name, digest, "email", "email")
    try:
        message = mail.read_email(path, max_bytes=rules.limits.max_file_bytes * 4)
    except mail.MailError as exc:
        entry.status = "rejected"
        entry.reason = _MAIL_REASONS.get(exc.reason, "không đọc được thư")
        return entry
    entry.sender = message.sender
    if message.sent_at is not None:
        entry.received_at = rules.deadlines.to_local(message.sent_at)
        entry.evidence = EVIDENCE_EMAIL
    elif logged is not None:  # no usable Date header: the office's log is the next evidence
        entry.received_at, entry.evidence = logged, EVIDENCE_LOG
    attachments = mail.spreadsheet_attachments(message)
    if not attachments:
        entry.status = "rejected"
        others = ", ".join(clean_text(a.name) or "tệp không tên" for a in message.attachments) or "không có tệp nào"
        entry.reason = f"thư không có tệp bảng tính đính kèm ({others})"
        if any(a.name.lower() == "winmail.dat" for a in message.attachments):
            entry.reason += ("; thư gửi theo định dạng Outlook TNEF (winmail.dat): đề nghị đơn vị gửi lại thư ở "
                             "định dạng thường (HTML hoặc văn bản), không dùng RTF")
        return entry
    for attachment in attachments:
        # Two attachments with one name, or a file of the inbox literally named like this label:
        # both kept, distinctly.
        shown = names.attachment(name, clean_text(attachment.name))
        entry.attachments.append(shown)
        subs.append(Submission(shown, attachment.data, entry.received_at, entry.evidence, entry.sender))
        mtimes[shown] = mtime
    if message.date_problem and message.sent_at is None:
        entry.reason = "thư không có ngày gửi hợp lệ (Date): dùng bằng chứng khác"
    elif message.date_problem == "naive_date":
        entry.reason = "ngày gửi của thư không ghi múi giờ: coi là giờ UTC"
    return entry
