"""Read saved emails (.eml) and pull out their spreadsheet attachments.

Units email their workbooks to the office, which saves each email as an
``.eml`` file in an inbox folder. Each spreadsheet attachment is one
submission, and the email's ``Date`` header is its receipt time.

Decisions:

* Outlook ``.msg`` files are not supported in this version:
  :func:`read_email` raises :class:`MailError` with reason
  ``"msg_unsupported"`` so the caller can ask for the email to be saved as
  ``.eml`` instead.
* Malformed mail content never raises: unreadable headers become ``None``.
  :class:`MailError` is raised only when the file cannot be read, is larger
  than ``max_bytes`` or is not an email at all.
* ``Email.date_problem`` codes: ``"missing_date"`` (no Date header, so
  ``sent_at`` is None), ``"bad_date"`` (unparseable, ``sent_at`` is None) and
  ``"naive_date"``. A date is naive when its zone is ``-0000`` (RFC 5322:
  "time is UTC, local zone unknown"), missing, or an unknown name such as
  ``ICT``. Following RFC 5322, such a date is read as UTC, so ``sent_at`` is
  still set and timezone-aware, but the flag tells the caller the wall time
  may be off by the sender's offset.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import io
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import Message
from pathlib import Path

__all__ = ["Attachment", "Email", "MailError", "read_email", "spreadsheet_attachments", "to_timezone"]

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

# A file counts as an email only if it has at least one of these headers;
# the parser accepts any "word: text" line as a header, so junk alone
# could otherwise pass.
_EMAIL_HEADERS = frozenset({
    "from", "to", "cc", "date", "subject", "message-id", "mime-version",
    "received", "return-path", "sender", "content-type", "reply-to",
})


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


def read_email(path: Path, max_bytes: int = 50 * 1024 * 1024) -> Email:
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

    msg = email.message_from_binary_file(io.BytesIO(data), policy=email.policy.default)
    names = {name.lower() for name, _ in msg.raw_items()}
    if not names & _EMAIL_HEADERS:
        raise MailError(path, "not_an_email")

    sent_at, date_problem = _parse_date(msg)
    return Email(
        path=path,
        sender=_sender(msg),
        subject=_text_header(msg, "Subject"),
        sent_at=sent_at,
        date_problem=date_problem,
        attachments=tuple(_attachments(msg)),
    )


def spreadsheet_attachments(
    email: Email, extensions: tuple[str, ...] = SPREADSHEET_EXTENSIONS
) -> list[Attachment]:
    """Return the attachments whose names end with one of ``extensions``."""
    wanted = tuple(ext.lower() for ext in extensions)
    return [a for a in email.attachments if a.name.lower().endswith(wanted)]


def to_timezone(dt: datetime, offset_hours: float) -> datetime:
    """Convert an aware datetime to the fixed UTC offset ``offset_hours``."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        # astimezone() would silently treat a naive value as this machine's
        # local time, which is exactly the ambiguity we must not hide.
        raise ValueError("to_timezone needs a timezone-aware datetime")
    return dt.astimezone(timezone(timedelta(hours=offset_hours)))


def _header(msg: Message, name: str):
    # Header objects are parsed lazily on access; a pathological header can
    # make the stdlib parser raise, and bad mail must not stop the run.
    try:
        return msg.get(name)
    except Exception:
        return None


def _text_header(msg: Message, name: str) -> str | None:
    value = _header(msg, name)
    if value is None:
        return None
    return unicodedata.normalize("NFC", str(value))


def _sender(msg: Message) -> str | None:
    value = _header(msg, "From")
    if value is None:
        return None
    addresses = getattr(value, "addresses", ())
    addr = addresses[0].addr_spec if addresses else email.utils.parseaddr(str(value))[1]
    addr = addr.strip().lower()
    return addr if "@" in addr else None


def _parse_date(msg: Message) -> tuple[datetime | None, str | None]:
    # Use the raw text: the parsed DateHeader hides the "-0000" versus
    # "+0000" distinction we need for the naive_date flag.
    raw = next((v for k, v in msg.raw_items() if k.lower() == "date"), None)
    if raw is None or not str(raw).strip():
        return None, "missing_date"
    try:
        dt = email.utils.parsedate_to_datetime(str(raw).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None, "bad_date"
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc), "naive_date"
    return dt, None


def _attachments(msg: Message):
    # walk() also descends into message/rfc822 parts, so workbooks inside
    # forwarded emails are found too.
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        name = _filename(part)
        if name is None and part.get_content_disposition() != "attachment":
            continue  # a message body, not an attachment
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:
            data = b""
        yield Attachment(name=_clean_name(name or ""), data=data)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is not None and "\ufffd" not in name:
        return name
    # The strict parser drops or garbles malformed parameters that real
    # mailers send, e.g. an unquoted encoded word (filename==?utf-8?b?...?=)
    # or unquoted raw UTF-8; the lenient compat32 parser keeps them.
    legacy = Message()
    for key, value in part.raw_items():
        if key.lower() in ("content-disposition", "content-type"):
            legacy[key] = str(value)
    try:
        return legacy.get_filename() or name
    except Exception:
        return name


def _clean_name(name: str) -> str:
    # Raw 8-bit header bytes arrive as surrogate escapes; most are UTF-8.
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    # Some clients leave encoded words undecoded inside parameters.
    if "=?" in name:
        try:
            name = str(email.header.make_header(email.header.decode_header(name)))
        except Exception:
            pass
    # Keep the base name only: a sender-chosen path such as "../../x" or
    # "C:\\Users\\x\\f.xlsx" must never steer where a file is written.
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if base in (".", ".."):
        base = ""
    return unicodedata.normalize("NFC", base)
