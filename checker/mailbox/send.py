"""Sending the reply drafts (`ntvt send`): read the drafts `consolidate --feedback` wrote, and send each
once per recipient over SMTP, each recorded in the register as soon as the server accepts it.

A draft is sent with its own bytes (its body and attached copies untouched): only the draft's own
headers go (X-Unsent, the address source) and From, Date and Message-ID are put in front, Date from
the caller's `sent_at` (nothing here reads the clock). A draft with no To: stays unsent; a recipient
the server refuses is reported with the server's reply and the others still go; a connection lost
halfway raises, with the letters sent before it already recorded and none recorded that was not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
import ssl
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Iterable

from ..model.addresses import email_address
from ..model.marks import EMAIL_HEADER, REPLY_DRAFT
from ..workspace.sendings import SENDINGS_FILE, Sending, Sendings
from .imap import MailboxError
from .smtp import Server, connect

__all__ = ["Draft", "Outcome", "SendRun", "read_drafts", "outgoing", "plan_sending", "send_drafts",
           "WOULD_SEND", "SENT", "ALREADY", "REFUSED", "NO_RECIPIENT", "NOT_DRAFT"]

# What happened to each draft.
WOULD_SEND, SENT, ALREADY, REFUSED, NO_RECIPIENT, NOT_DRAFT = (
    "would_send", "sent", "already", "refused", "no_recipient", "not_draft")
# The draft's own headers, not sent: a draft marker for Outlook and the address source for the clerk.
DRAFT_ONLY = (b"x-unsent", b"x-ntvt-address-source")


@dataclass(frozen=True)
class Draft:
    """One .eml of the drafts folder: `to` None when it has no address; `attachments` (name, bytes)."""

    path: Path
    sha256: str
    to: str | None
    subject: str
    attachments: tuple[tuple[str, int], ...]
    size: int
    ours: bool  # an ntvt reply draft (else listed and never sent)
    data: bytes = field(default=b"", repr=False, compare=False)  # the bytes hashed are the bytes sent

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def unit(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Outcome:
    """What became of a draft: `status` one of the constants above; `sending` when sent (now or
    before); `reply` the server's words when it refused."""

    draft: Draft
    status: str
    sending: Sending | None = None
    reply: str = ""


@dataclass(frozen=True)
class SendRun:
    """A run of `ntvt send`: each draft's outcome, who sent (or would send) them, through which server."""

    outcomes: list[Outcome]
    sender: str | None
    sender_name: str
    server: Server | None
    sent: bool


def read_drafts(folder: Path, max_bytes: int) -> list[Draft]:
    """The .eml files at the top of folder, by name. A file over max_bytes, or not an ntvt reply
    draft, is listed as not one (ours=False) and never sent."""
    drafts = []
    for path in sorted(Path(folder).glob("*.eml")):
        if not path.is_file() or path.is_symlink():
            continue
        size = path.stat().st_size
        if size > max_bytes:
            drafts.append(Draft(path, "", None, "", (), size, False))
            continue
        data = path.read_bytes()
        msg = BytesParser(policy=default).parsebytes(data)
        ours = str(msg.get(EMAIL_HEADER, "")).strip() == REPLY_DRAFT
        to = email_address(str(msg["To"])) if msg["To"] is not None else None
        attachments = tuple((part.get_filename() or "", len(part.get_content())) for part in msg.iter_attachments())
        drafts.append(Draft(path, hashlib.sha256(data).hexdigest(), to, str(msg.get("Subject", "")), attachments,
                            len(data), ours, data))
    return drafts


def sendings_for(folder: Path, sendings: Sendings | None, create: bool) -> Sendings | None:
    """The register to use: the workspace's if given, else the one in the drafts folder (opened
    only if it is there, unless `create`: a dry run leaves the folder as it was)."""
    if sendings is not None:
        return sendings
    if create or (Path(folder) / SENDINGS_FILE).exists():
        return Sendings.in_folder(folder)
    return None


def plan_sending(drafts: Iterable[Draft], sendings: Sendings | None) -> list[Outcome]:
    """What a run with --yes would do with each draft (nothing is sent)."""
    outcomes = []
    for d in drafts:
        if not d.ours:
            outcomes.append(Outcome(d, NOT_DRAFT))
        elif d.to is None:
            outcomes.append(Outcome(d, NO_RECIPIENT))
        else:
            before = sendings.find(d.sha256, d.to) if sendings is not None else None
            outcomes.append(Outcome(d, ALREADY, before) if before else Outcome(d, WOULD_SEND))
    return outcomes


def message_id(d: Draft, sender: str, sent_at: dt.datetime) -> str:
    """A Message-ID from the draft, its recipient and the time: unique per letter sent, no randomness."""
    key = hashlib.sha256(f"{d.sha256}\n{d.to}\n{sent_at.isoformat()}".encode()).hexdigest()[:24]
    return f"<ntvt.{key}@{sender.rsplit('@', 1)[1]}>"


def outgoing(data: bytes, *, sender: str, sender_name: str, sent_at: dt.datetime, msg_id: str) -> bytes:
    """The draft's bytes as sent: From, Date and Message-ID in front, the draft-only headers left out,
    everything else byte for byte."""
    head, sep, body = data.partition(b"\r\n\r\n")
    fields, kept = [], []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        else:
            fields.append([line])
    for lines in fields:
        name = lines[0].split(b":", 1)[0].strip().lower()
        if name not in DRAFT_ONLY and name not in (b"from", b"date", b"message-id"):
            kept.extend(lines)
    front = [f"From: {formataddr((sender_name, sender), charset='utf-8')}".encode(),
             f"Date: {format_datetime(sent_at)}".encode(), f"Message-ID: {msg_id}".encode()]
    return b"\r\n".join(front + kept) + sep + body


def send_drafts(drafts: Iterable[Draft], server: Server, sendings: Sendings, *, sender: str, sender_name: str,
                sent_at: dt.datetime) -> list[Outcome]:
    """Send each draft not sent before to its recipient, recording each at once. Raises MailboxError if
    the server cannot be reached or goes away (what was sent before is recorded)."""
    if sent_at.tzinfo is None:
        raise ValueError("sent_at must be aware")
    planned = plan_sending(drafts, sendings)
    if not any(o.status == WOULD_SEND for o in planned):
        return planned
    smtp = connect(server)
    outcomes: list[Outcome] = []
    try:
        for o in planned:
            if o.status != WOULD_SEND:
                outcomes.append(o)
                continue
            outcomes.append(_send_one(smtp, server, sendings, o.draft, sender, sender_name, sent_at, outcomes))
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError, ssl.SSLError):
            smtp.close()
    return outcomes


def _send_one(smtp: smtplib.SMTP, server: Server, sendings: Sendings, d: Draft, sender: str, sender_name: str,
              sent_at: dt.datetime, done: list[Outcome]) -> Outcome:
    msg_id = message_id(d, sender, sent_at)
    data = outgoing(d.data, sender=sender, sender_name=sender_name, sent_at=sent_at, msg_id=msg_id)
    try:
        code, words = smtp.mail(sender)
        if code == 250:
            code, words = smtp.rcpt(d.to)
        if code in (250, 251):
            code, words = smtp.data(data)
        reply = f"{code} {words.decode('utf-8', 'replace')}".strip()
        if code == 421:  # the server is closing the connection: gone, not a refusal of this letter
            raise smtplib.SMTPServerDisconnected(reply)
        if code != 250:
            _reset(smtp)
            return Outcome(d, REFUSED, reply=reply)
    except smtplib.SMTPDataError as exc:  # refused after the data were sent
        _reset(smtp)
        return Outcome(d, REFUSED, reply=f"{exc.smtp_code} {exc.smtp_error.decode('utf-8', 'replace')}")
    except UnicodeEncodeError:  # an address with letters beyond ASCII, to a server without SMTPUTF8
        _reset(smtp)
        return Outcome(d, REFUSED, reply="địa chỉ có chữ ngoài bảng ASCII, máy chủ không nhận")
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        sent = sum(1 for o in done if o.status == SENT)
        raise MailboxError(f"{server.shown} lost while sending {d.name}: {type(exc).__name__}: {exc}",
                           message=f"Máy chủ thư {server.shown} ngắt kết nối khi đang gửi “{d.name}”: đã gửi {sent} "
                                   f"thư (đã ghi vào sổ gửi thư); thư “{d.name}” và các thư sau chưa gửi. Chạy lại "
                                   f"lệnh để gửi nốt (thư đã gửi không gửi lại).") from None
    sending = Sending(d.sha256, d.to, d.subject, msg_id, sent_at, reply)
    sendings.record(sending)
    return Outcome(d, SENT, sending, reply)


def _reset(smtp: smtplib.SMTP) -> None:
    """Forget a refused letter; a server gone by now is found by the next letter's MAIL."""
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError, ssl.SSLError):
        pass
