"""Read saved emails (.eml) and pull out their spreadsheet attachments.

Units email their workbooks to the office, which saves each email as an
``.eml`` file in an inbox folder. Each spreadsheet attachment is one
submission, and the email's ``Date`` header is its receipt time.

Decisions:

* Outlook ``.msg`` files are not supported in this version:
  :func:`read_email` raises :class:`MailError` with reason
  ``"msg_unsupported"`` so the caller can ask for the email to be saved as
  ``.eml`` instead.
* Malformed mail content never raises: unreadable headers become ``None``,
  undecodable names fall back to a safe name (possibly ``""``).
  :class:`MailError` is raised only when the file cannot be used at all;
  its ``reason`` is one of ``"msg_unsupported"``, ``"unreadable: …"``,
  ``"not_an_email"``, ``"too_large"`` (over ``max_bytes``, or nested
  base64 emails decoding to more than twice that), ``"too_deep"``
  (multipart/message nesting over ``max_depth``), ``"too_many_parts"``
  (over ``max_parts`` MIME parts), ``"header_too_large"`` (one part's header
  block over 256 KiB or with over 1,000 of the fields read, or its
  Content-Type or Content-Disposition over 16 KiB) and ``"malformed"`` (anything else the parsing raised, kept as the
  MailError's ``__cause__``): a damaged email never stops a batch.
* The MIME structure (`mime`), header fields, parameters (RFC 2231) and
  encoded words (`mail_headers`) are read without recursion and in linear
  time, the limits checked before anything below them is looked at; the
  stdlib is still used for the From address (length-capped, `mail_text`),
  dates (`mail_dates`) and uuencoded bodies.
* Every string leaving these modules (sender, subject, attachment names) is
  clean text: raw 8-bit bytes are read as UTF-8, and surrogates, control
  and invisible formatting characters never get out (they crash xlsxwriter,
  or disguise a name on screen).
* ``Email.date_problem`` codes: ``"missing_date"`` (no Date header, so
  ``sent_at`` is None), ``"bad_date"`` (unparseable or implausible, ``sent_at``
  is None) and ``"naive_date"``. A date is naive when its zone is ``-0000``
  (RFC 5322: "time is UTC, local zone unknown"), missing, or an unknown name
  such as ``ICT``. Following RFC 5322, such a date is read as UTC, so
  ``sent_at`` is still set and timezone-aware, but the flag tells the caller
  the wall time may be off by the sender's offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .mail_dates import parse_date
from .mail_headers import Head, Refused, generated_mark, param_values, params
from .mail_text import clean_name, clean_subject, sender_address
from .mime import EMAIL_HEADERS, MAX_DEPTH, MAX_PARTS, transfer_decoded, walk
from .safety import SPREADSHEET_SUFFIXES


class MailError(Exception):
    """The file cannot be used as an email at all."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: cannot read as an email ({reason})")


@dataclass(frozen=True)
class Attachment:
    """One attached file: its safe base name (NFC, may be "" if the sender gave none) and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Email:
    """One saved email; ``sender`` is the bare lower-cased From address."""

    path: Path
    sender: str | None
    subject: str | None
    sent_at: datetime | None
    date_problem: str | None
    attachments: tuple[Attachment, ...]
    generated: str | None = None  # the model.marks.EMAIL_HEADER of a reply draft ntvt wrote, else None


def read_email(path: Path, max_bytes: int = 50 * 1024 * 1024, *,
               max_depth: int = MAX_DEPTH, max_parts: int = MAX_PARTS) -> Email:
    """Parse one saved email file; see the module docstring for errors."""
    path = Path(path)
    if path.suffix.lower() == ".msg":
        raise MailError(path, "msg_unsupported")
    try:
        with path.open("rb") as f:
            # Read one byte past the limit so oversize files are caught even
            # when stat() would lie (pipes, files still being written).
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise MailError(path, f"unreadable: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise MailError(path, "too_large")

    try:
        return _parse(path, data, max_depth, max_parts)
    except Refused as exc:
        raise MailError(path, exc.reason) from None
    except Exception as exc:  # a parser surprise on hostile input is this email's problem, not the batch's
        raise MailError(path, "malformed") from exc


def _parse(path: Path, data: bytes, max_depth: int, max_parts: int) -> Email:
    parts = walk(data, max_depth, max_parts)
    top, body = next(parts)
    if not top.keys() & EMAIL_HEADERS:
        raise Refused("not_an_email")
    # The email itself is a leaf when it is not multipart (a single attached file).
    found = [_attachment(top, body)] if body is not None else []
    found += [_attachment(head, body) for head, body in parts if body is not None]
    sent_at, date_problem = parse_date(top.get("date"))
    return Email(
        path=path,
        sender=sender_address(top.get("from")),
        subject=clean_subject(top.get("subject")),
        sent_at=sent_at,
        date_problem=date_problem,
        attachments=tuple(a for a in found if a is not None),
        generated=generated_mark(data),
    )


def spreadsheet_attachments(
    email: Email, extensions: tuple[str, ...] = SPREADSHEET_SUFFIXES
) -> list[Attachment]:
    """Return the attachments whose names end with one of ``extensions``."""
    wanted = tuple(ext.lower() for ext in extensions)
    return [a for a in email.attachments if a.name.lower().endswith(wanted)]


def _attachment(head: Head, body: memoryview) -> Attachment | None:
    disposition = head.get("content-disposition") or ""
    name = _filename(params(disposition), params(head.get("content-type")))
    if name is None and disposition.split(";", 1)[0].strip().lower() != "attachment":
        return None  # a message body, not an attachment
    return Attachment(name=name or "", data=transfer_decoded(head, body))


def _filename(disposition: list[tuple[str, str]], ctype: list[tuple[str, str]]) -> str | None:
    """The attachment's clean name, None if the sender gave none, "" if nothing usable is left of it.

    Content-Disposition's filename comes first, then Content-Type's older
    name=; a name that only decodes with replacement characters gives way to
    one that decodes cleanly, and a name given only that way is kept.
    """
    names = param_values(disposition, "filename") + param_values(ctype, "name")
    if not names:
        return None
    cleaned = [clean_name(n) for n in names]
    return next((n for n in cleaned if n and "\ufffd" not in n), None) or next((n for n in cleaned if n), "")
