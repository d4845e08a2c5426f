"""`ntvt fetch`: save every new message of a mailbox folder that carries a spreadsheet into a folder,
as an .eml of its original bytes, and record every message looked at in the register.

A message is fetched whole before anything is written, and written atomically: a connection lost
midway leaves nothing half saved, and the next run takes up where this one stopped (the messages
recorded are skipped by UIDVALIDITY and UID). The same message found in another folder (its
Message-ID, or the same bytes) is saved once. The server's INTERNALDATE is kept in the register and
in a receipt log (so_nhan.csv) beside the saved files, for `ntvt consolidate DIR --receipt-log`; a
Date header further from it than the rules allow is listed as a clock to check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import imaplib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..model.marks import RECEIPT_LOG
from ..ruleset.spec import RuleSet
from ..workspace.messages import DUPLICATE, NO_SPREADSHEET, SAVED, FetchedMessage, Messages
from ..write.files import atomic_output
from .imap import Account, MailboxError, connect, mailbox_name, parse_internaldate
from .scan import Scan, scan_email

__all__ = ["Fetch", "Skipped", "fetch", "RECEIPT_LOG"]

EMAIL_FACTOR = 4  # an email may be this many times a workbook's limit, as the reader allows
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_SIZE = re.compile(rb"UID (\d+).*?RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+).*?UID (\d+)")


@dataclass(frozen=True)
class Skipped:
    """A message not saved: its sender and subject as written, and why (Vietnamese)."""

    sender: str
    subject: str
    reason: str


@dataclass
class Fetch:
    """What one fetch did, for the summary."""

    account: str
    folder: str
    into: Path
    looked_at: int = 0  # new messages looked at (the ones recorded by an earlier run are not)
    known: int = 0  # messages of the folder recorded by an earlier run
    saved: list[str] = field(default_factory=list)  # file names written into `into`
    duplicates: list[Skipped] = field(default_factory=list)
    not_carrying: list[Skipped] = field(default_factory=list)
    refused: list[Skipped] = field(default_factory=list)  # too large to fetch
    clocks: list[tuple[str, float]] = field(default_factory=list)  # (saved name, hours Date is off INTERNALDATE)
    receipt_log: Path | None = None


Progress = Callable[[int], None]


def fetch(account: Account, into: Path, messages: Messages, rules: RuleSet, *, fetched_at: dt.datetime,
          folder: str = "INBOX", since: dt.date | None = None, progress: Progress | None = None) -> Fetch:
    """Fetch the new messages of `folder` into `into`; see the module docstring. Raises MailboxError."""
    into = Path(into)
    result = Fetch(account.address, folder, into)
    imap = connect(account)
    try:
        uidvalidity = _select(imap, folder, account)
        known = messages.known_uids(account.address, folder, uidvalidity)
        uids = [uid for uid in _search(imap, since) if uid not in known]
        result.known = len(known)
        sizes = _sizes(imap, uids)
        limit = rules.limits.max_file_bytes * EMAIL_FACTOR
        for uid in uids:
            _one(imap, uid, sizes.get(uid, 0), limit, account, folder, uidvalidity, messages, rules, fetched_at,
                 result)
            if progress:
                progress(1)
    except (imaplib.IMAP4.abort, OSError, EOFError) as exc:
        raise MailboxError(f"{account.shown}: connection lost: {type(exc).__name__}: {exc}",
                           message=f"Mất kết nối với máy chủ thư {account.shown} khi đang lấy thư (đã lưu "
                                   f"{len(result.saved)} thư, không thư nào bị lưu dở): chạy lại lệnh để lấy tiếp."
                           ) from None
    except imaplib.IMAP4.error as exc:
        raise MailboxError(f"{account.shown}: {exc}",
                           message=f"Máy chủ thư {account.shown} từ chối yêu cầu khi đang lấy thư: chạy lại lệnh; "
                                   f"nếu vẫn lỗi, hỏi người quản trị máy chủ thư.") from None
    finally:
        result.receipt_log = write_receipt_log(into, messages, rules)
        _logout(imap)
    return result


def _select(imap: imaplib.IMAP4, folder: str, account: Account) -> int:
    typ, _ = imap.select(mailbox_name(folder), readonly=True)
    if typ != "OK":
        raise MailboxError(f"{account.shown}: no folder {folder!r}",
                           message=f"Hộp thư {account.shown} không có thư mục “{folder}”: kiểm tra tên thư mục "
                                   f"(--folder; mặc định INBOX) rồi chạy lại.")
    _, values = imap.response("UIDVALIDITY")
    return int(values[0]) if values and values[0] else 0


def _search(imap: imaplib.IMAP4, since: dt.date | None) -> list[int]:
    criteria = ("SINCE", f"{since.day}-{_MONTHS[since.month - 1]}-{since.year}") if since else ("ALL",)
    typ, data = imap.uid("SEARCH", *criteria)
    if typ != "OK":
        raise imaplib.IMAP4.error(f"SEARCH failed: {data!r}")
    return sorted(int(n) for n in b" ".join(d for d in data if d).split())


def _sizes(imap: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    """Each message's size, asked before any body is fetched (a huge one is never downloaded)."""
    sizes: dict[int, int] = {}
    for at in range(0, len(uids), 500):
        typ, data = imap.uid("FETCH", ",".join(map(str, uids[at:at + 500])), "(RFC822.SIZE)")
        if typ != "OK":
            raise imaplib.IMAP4.error(f"FETCH sizes failed: {data!r}")
        for line in data:
            found = _SIZE.search(line if isinstance(line, bytes) else line[0])
            if found:
                uid, size = (found.group(1), found.group(2)) if found.group(1) else (found.group(4), found.group(3))
                sizes[int(uid)] = int(size)
    return sizes


def _body(imap: imaplib.IMAP4, uid: int) -> tuple[bytes, dt.datetime]:
    typ, data = imap.uid("FETCH", str(uid), "(INTERNALDATE BODY.PEEK[])")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"FETCH {uid} failed: {data!r}")
    parts = [d for d in data if isinstance(d, tuple)]
    if not parts:
        raise imaplib.IMAP4.abort(f"FETCH {uid}: no body in {data!r}")
    heading = b" ".join([parts[0][0]] + [d for d in data if isinstance(d, bytes)])
    internaldate = parse_internaldate(heading)
    if internaldate is None:
        raise imaplib.IMAP4.abort(f"FETCH {uid}: no INTERNALDATE in {heading[:200]!r}")
    return parts[0][1], internaldate


def _one(imap, uid, size, limit, account: Account, folder, uidvalidity, messages: Messages, rules: RuleSet,
         fetched_at, result: Fetch) -> None:
    """Look at one new message: save it, or record why not."""
    result.looked_at += 1
    if size > limit:  # not recorded: listed again by the next run until someone deals with it
        result.refused.append(Skipped("", f"(thư UID {uid})", f"thư quá lớn ({size:,} byte, giới hạn {limit:,} byte), "
                                                               f"không tải về: hãy xem thư trong hộp thư"))
        return
    data, internaldate = _body(imap, uid)
    digest = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory(prefix="ntvt-fetch-") as scratch:
        copy = Path(scratch) / "thu.eml"
        copy.write_bytes(data)
        scan = scan_email(copy, rules.limits, limit)
    record = FetchedMessage(account.address, folder, uidvalidity, uid, scan.message_id, internaldate, scan.sent_at,
                            digest, None, NO_SPREADSHEET, fetched_at)
    named = Skipped(scan.sender or "(không rõ người gửi)", scan.subject or "(không có tiêu đề)", "")
    if not scan.spreadsheets:
        result.not_carrying.append(Skipped(named.sender, named.subject, _why_not(scan)))
        messages.record(record)
        return
    first = messages.saved_copy(account.address, scan.message_id, digest)
    if first is not None:
        result.duplicates.append(Skipped(named.sender, named.subject,
                                         f"đã lưu từ thư mục “{first.folder}” thành {first.saved_name}"))
        messages.record(_with(record, first.saved_name, DUPLICATE))
        return
    local = rules.deadlines.to_local(internaldate)
    name = f"thu_{local:%Y%m%d_%H%M%S}_{digest[:12]}.eml"  # never the subject: a safe, unique name
    with atomic_output(result.into / name) as tmp:
        tmp.write_bytes(data)
    messages.record(_with(record, name, SAVED))
    result.saved.append(name)
    if scan.sent_at is not None:
        gap = abs((scan.sent_at - internaldate).total_seconds()) / 3600
        if gap > rules.mail.date_tolerance_hours:
            result.clocks.append((name, gap))


def _with(record: FetchedMessage, name: str | None, verdict: str) -> FetchedMessage:
    return FetchedMessage(record.account, record.folder, record.uidvalidity, record.uid, record.message_id,
                          record.internaldate, record.date_header, record.sha256, name, verdict, record.fetched_at)


def _why_not(scan: Scan) -> str:
    if scan.problem:
        return f"không đọc được thư ({scan.problem})"
    return "thư không có tệp bảng tính (kể cả trong tệp .zip hay thư đính kèm)"


def write_receipt_log(into: Path, messages: Messages, rules: RuleSet) -> Path | None:
    """so_nhan.csv beside the saved files: each saved file with the server's receipt time (INTERNALDATE),
    in the plan's time zone, in the columns `ntvt consolidate --receipt-log` reads."""
    rows = [m for m in messages.saved() if m.saved_name and (into / m.saved_name).is_file()]
    if not rows:
        return None
    lines = ["Tên tệp,Thời điểm nhận"]
    lines += [f"{m.saved_name},{rules.deadlines.to_local(m.internaldate):%d/%m/%Y %H:%M:%S}" for m in rows]
    target = into / RECEIPT_LOG
    with atomic_output(target) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return target


def _logout(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except Exception:  # the connection may be gone already
        pass
