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
* The MIME structure, header fields, parameters (RFC 2231) and encoded
  words (RFC 2047) are read here, without recursion and in linear time; the
  limits are checked before anything below them is looked at. The stdlib
  parser recurses once per nesting level (2,000 levels: ``RecursionError``),
  its ``default`` policy recurses on nested comments and raises on
  parameters that do not decode (``x*=utf-16''%00``), and its header and
  parameter parsers are quadratic (a 32 KiB Content-Type: 15 s; 256 KiB of
  header fields: 1.2 s). The stdlib is still used for the From address
  (length-capped), dates and uuencoded bodies.
* Every string leaving this module (sender, subject, attachment names) is
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

import binascii
import email.policy
import email.utils
import itertools
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import Message
from pathlib import Path

__all__ = ["Attachment", "Email", "MailError", "read_email", "spreadsheet_attachments", "to_timezone"]

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

# Limits on one email. A real office email is nested a few levels deep (a
# forwarded email adds two: the message/rfc822 part and its own multipart)
# and has a few dozen parts; the limits only refuse what no mail client
# writes, and keep the cost of one email bounded (see docs/SECURITY.md).
MAX_DEPTH = 20
MAX_PARTS = 500
MAX_HEADER_BYTES = 256 * 1024  # one part's header block; real ones are a few KiB
MAX_FIELDS = 1000  # of the fields read (From, Received, Content-Type…) in one block; real ones have < 100
# A Content-Type or Content-Disposition value; a 255-character Vietnamese
# name in RFC 2231 form takes about 2.5 KiB.
MAX_PARAMETERS_CHARS = 16 * 1024
MAX_NAME_CHARS = 255  # what file systems allow; names are shown to people and written to the workbook
MAX_SUBJECT_CHARS = 1000
# Caps on the From header handed to the stdlib's address parser (see _sender).
_MAX_FROM_CHARS = 1024
_MAX_FROM_COMMENTS = 16
_MAX_DATE_CHARS = 256
_MAX_SUBJECT_RAW = 16 * 1024

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


class _Refused(Exception):
    """Raised inside the MIME walk; read_email turns it into MailError(path, reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    except _Refused as exc:
        raise MailError(path, exc.reason) from None
    except Exception as exc:  # a parser surprise on hostile input is this email's problem, not the batch's
        raise MailError(path, "malformed") from exc


def _parse(path: Path, data: bytes, max_depth: int, max_parts: int) -> Email:
    parts = _walk(data, max_depth, max_parts)
    top, body = next(parts)
    if not top.keys() & _EMAIL_HEADERS:
        raise _Refused("not_an_email")
    # The email itself is a leaf when it is not multipart (a single attached file).
    found = [_attachment(top, body)] if body is not None else []
    found += [_attachment(head, body) for head, body in parts if body is not None]
    sent_at, date_problem = _parse_date(top.get("date"))
    return Email(
        path=path,
        sender=_sender(top.get("from")),
        subject=_subject(top.get("subject")),
        sent_at=sent_at,
        date_problem=date_problem,
        attachments=tuple(a for a in found if a is not None),
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


# --- The MIME structure, split without recursion ------------------------------------------------

# A part's header fields: lower-cased name -> the first value as sent (ASCII,
# raw 8-bit bytes as surrogate escapes), unfolded. The first of repeated
# fields counts, as in the stdlib. Only the fields in _FIELDS are kept.
Head = dict
_FIELDS = _EMAIL_HEADERS | {"content-disposition", "content-transfer-encoding"}


def _walk(data: bytes, max_depth: int, max_parts: int):
    """Yield (headers, body) for every MIME part in depth-first order, the email itself first.

    ``body`` is the leaf's raw (still transfer-encoded) bytes, or None for a
    multipart or nested email. Parts are byte ranges of one buffer, kept on
    an explicit stack: no recursion, no copies of containers, and the limits
    are checked before anything below them is looked at.
    """
    stack = [(data, 0, len(data), 0, "text/plain")]
    seen = 0
    decoded = 0  # bytes of base64/quoted-printable nested emails decoded so far
    while stack:
        buf, start, end, depth, default_type = stack.pop()
        seen += 1
        if seen > max_parts:
            raise _Refused("too_many_parts")
        if depth > max_depth:
            raise _Refused("too_deep")
        head, start = _split_head(buf, start, end)
        ctype = _content_type(head, default_type)
        boundary = _boundary(head) if ctype.startswith("multipart/") else None
        if boundary is not None:
            # In a digest the parts are emails unless they say otherwise (RFC 2046 §5.1.5).
            child_type = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
            children = _split_multipart(buf, start, end, boundary, max_parts - seen)
            stack.extend((buf, s, e, depth + 1, child_type) for s, e in reversed(children))
            yield head, None
        elif ctype.startswith("message/"):  # rfc822, global (the stdlib reads every message/* so)
            # RFC 2046 forbids encoding a nested email, but some mailers base64 it anyway.
            if _transfer_encoding(head) in ("base64", "quoted-printable"):
                buf = _transfer_decoded(head, memoryview(buf)[start:end])
                start, end = 0, len(buf)
                # Each level decodes to 3/4 of its parent: 20 levels of an 80 MB email
                # would decode 240 MB (5 s). At most twice the email's size in all
                # (three nested encoded forwards of any size fit).
                decoded += end
                if decoded > 2 * len(data):
                    raise _Refused("too_large")
            stack.append((buf, start, end, depth + 1, "text/plain"))
            yield head, None
        else:
            yield head, memoryview(buf)[start:end]


# The fields read: "name:" at the start of a line, the value running on over
# continuation lines (a line break followed by a blank: RFC 5322 §2.2.3).
# Only these names are looked for, so 30,000 other fields cost one fast scan
# (the search jumps from line break to line break).
_NAMES = b"|".join(re.escape(name.encode()) for name in sorted(_FIELDS))
_INITIALS = bytes(sorted({ord(name[0]) for name in _FIELDS}))
_VALUE = rb":[ \t]*([^\r\n]*(?:(?:\r\n|\r|\n)[ \t][^\r\n]*)*)"
_FIRST_FIELD = re.compile(rb"(" + _NAMES + rb")" + _VALUE, re.I)
_NEXT_FIELD = re.compile(rb"\n(?=[" + re.escape(_INITIALS) + rb"])(" + _NAMES + rb")" + _VALUE, re.I)
_FOLD = re.compile(r"(?:\r\n|\r|\n)(?=[ \t])")
# A line that the stdlib's feedparser takes as no header line (neither
# "name:", a continuation, nor an mbox "From "): it ends the header block,
# and if it is blank it is the separator, belonging to neither.
_NOT_HEADER = rb"(?![ \t]|From |[\x21-\x39\x3b-\x7e]*:)"
_FIRST_NOT_HEADER = re.compile(_NOT_HEADER)
_NEXT_NOT_HEADER = re.compile(rb"\n" + _NOT_HEADER)
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def _split_head(buf: bytes, start: int, end: int) -> tuple[Head, int]:
    """Read the header block at ``start``; return its fields and the offset where the body starts."""
    if start == end or _FIRST_NOT_HEADER.match(buf, start, end):
        head_end = start  # no header at all: what follows is a body, however long its lines
    else:
        limit = min(end, start + MAX_HEADER_BYTES)
        found = _NEXT_NOT_HEADER.search(buf, start, limit)
        head_end = found.end() if found else end
        # The line that ends the block must be seen whole: one cut by the
        # limit may be a header line that continues past it.
        if limit < end and not _LINE_BREAK.search(buf, head_end, limit):
            raise _Refused("header_too_large")
    head: Head = {}
    first = _FIRST_FIELD.match(buf, start, head_end)
    fields = itertools.chain([first] if first else [], _NEXT_FIELD.finditer(buf, start, head_end))
    for count, field in enumerate(fields):
        if count == MAX_FIELDS:  # 30,000 "Subject:" lines would cost 0.3 s per part
            raise _Refused("header_too_large")
        name = field.group(1).decode("ascii").lower()
        if name not in head:
            head[name] = _FOLD.sub("", field.group(2).decode("ascii", "surrogateescape"))
    blank = _LINE_BREAK.match(buf, head_end, end)
    return head, blank.end() if blank else head_end


def _split_multipart(buf: bytes, start: int, end: int, boundary: bytes, room: int) -> list[tuple[int, int]]:
    """The byte ranges of a multipart body's parts; more than ``room`` parts is too_many_parts.

    RFC 2046 §5.1.1: a delimiter is a line "--boundary" (a close delimiter
    ends in "--"), optionally followed by blanks; the line break before it
    belongs to the delimiter. Text before the first delimiter (preamble) and
    after the close delimiter (epilogue) is not a part. The search looks for
    "\\n--boundary" (a fast literal search); a delimiter on the body's very
    first line is checked on its own.
    """
    tail = rb"(--)?[ \t]*\r?$"
    first = re.compile(rb"--" + re.escape(boundary) + tail, re.M).match(buf, start, end)
    later = re.compile(rb"\n--" + re.escape(boundary) + tail, re.M).finditer(buf, start, end)
    parts: list[tuple[int, int]] = []
    part_start = None
    for found in itertools.chain([first] if first else [], later):
        part_end = found.start()
        if part_end > start and buf[part_end - 1] == 0x0D:
            part_end -= 1  # the CR of the CRLF before the delimiter
        if part_start is not None and part_start < part_end:  # two delimiters in a row make no part
            parts.append((part_start, part_end))
            if len(parts) > room:
                raise _Refused("too_many_parts")
        if found.group(1):  # close delimiter: the rest is the epilogue
            return parts
        part_start = found.end() + 1 if buf.startswith(b"\n", found.end(), end) else found.end()
    if part_start is not None and part_start < end:
        parts.append((part_start, end))  # no close delimiter (a truncated email): the last part runs to the end
    return parts


def _transfer_encoding(head: Head) -> str:
    return (head.get("content-transfer-encoding") or "").strip().lower()


def _transfer_decoded(head: Head, body: memoryview) -> bytes:
    """A part's bytes with its Content-Transfer-Encoding undone; unknown encodings give the bytes as sent."""
    cte = _transfer_encoding(head)
    if cte == "base64":
        try:
            return binascii.a2b_base64(body)
        except (binascii.Error, ValueError):
            pass  # bad padding: the stdlib's lenient decoder below tries harder
    elif cte == "quoted-printable":
        return binascii.a2b_qp(body)
    elif cte not in ("x-uuencode", "uuencode", "uue", "x-uue"):
        return bytes(body)  # 7bit, 8bit, binary, or garbage: the bytes as sent
    legacy = Message()
    legacy["Content-Transfer-Encoding"] = cte
    legacy.set_payload(bytes(body).decode("ascii", "surrogateescape"))
    try:
        decoded = legacy.get_payload(decode=True)
    except Exception:  # the stdlib decoders are not meant for hostile input
        decoded = None
    return decoded if isinstance(decoded, bytes) else bytes(body)


# --- Headers and parameters -----------------------------------------------------------------------


def _content_type(head: Head, default: str) -> str:
    raw = head.get("content-type")
    if raw is None:
        return default
    ctype = re.sub(r"\s+", "", raw.split(";", 1)[0]).lower()
    return ctype if ctype.count("/") == 1 else "text/plain"  # RFC 2045 §5.2


def _boundary(head: Head) -> bytes | None:
    value = _param(_params(head.get("content-type")), "boundary")
    if value is None:
        return None  # a multipart without a boundary is read as one leaf, as the stdlib does
    try:
        return value.rstrip().encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return None


# One "; name=value" parameter, the value a quoted string or a token. The
# regex has no nested repetition and fails at once on a ";" not followed by
# a name, so it runs in linear time on any input (the stdlib's parameter
# parsers are quadratic: see the module docstring).
_PARAM = re.compile(r';\s*([^\s;="]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;"]*)', re.S)


def _params(value: str | None) -> list[tuple[str, str]]:
    """The (lower-cased name, value) parameters of a Content-Type or Content-Disposition value."""
    if not value or ";" not in value:
        return []
    if len(value) > MAX_PARAMETERS_CHARS:
        raise _Refused("header_too_large")
    value = value[value.index(";"):]  # the type itself is no parameter
    return [(found.group(1).lower(), _unquote(found.group(2).strip())) for found in _PARAM.finditer(value)]


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)


def _unquote(text: str) -> str:
    quoted = _QUOTED.match(text)
    if quoted:  # anything after the closing quote (a comment) is not part of the value
        return re.sub(r"\\(.)", r"\1", quoted.group(1), flags=re.S)
    return text.lstrip('"')  # an unterminated quote


_SECTION = re.compile(r"\*(\d{1,3})?(\*)?")


def _param(params: list[tuple[str, str]], key: str) -> str | None:
    """One parameter's value, the RFC 2231 form first (see _param_values)."""
    return next(iter(_param_values(params, key)), None)


def _param_values(params: list[tuple[str, str]], key: str) -> list[str]:
    """A parameter's values: the RFC 2231 form (``key*=charset''%XX``, continuations ``key*0*``), then the plain one.

    Mailers often send both (``filename="…"; filename*=utf-8''…``); the
    caller picks the first that decodes cleanly.
    """
    sections: dict[int, tuple[str, bool]] = {}
    plain = None
    for name, value in params:
        if name == key:
            plain = value if plain is None else plain
        elif name.startswith(key) and (found := _SECTION.fullmatch(name, len(key))):
            index = int(found.group(1) or 0)
            encoded = bool(found.group(2)) or found.group(1) is None
            sections.setdefault(index, (value, encoded))
    values = [_join_sections(sections)] if sections else []
    return values + ([plain] if plain is not None else [])


def _join_sections(sections: dict[int, tuple[str, bool]]) -> str:
    charset = None
    pieces = []
    for index in range(len(sections)):  # stop at the first missing section
        if index not in sections:
            break
        value, encoded = sections[index]
        if index == 0 and encoded and value.count("'") >= 2:
            charset, _, value = value.split("'", 2)
        data = value.encode("ascii", "surrogateescape")
        pieces.append(urllib.parse.unquote_to_bytes(data) if encoded else data)
    return _decode_bytes(b"".join(pieces), charset)


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Text in a declared charset that may be unknown, wrong or truncated; never raises.

    Bytes the declared charset cannot decode become U+FFFD, so a caller can
    tell a clean decoding from a damaged one; an unknown charset (or a codec
    that is no text encoding) falls back to UTF-8.
    """
    for name, errors in ((charset, "strict"), (charset, "replace")):
        if name:
            try:
                return data.decode(name, errors)
            except Exception:  # LookupError, truncated sequences, codecs refusing errors= (idna)
                continue
    return data.decode("utf-8", "replace")


# --- Attachments ------------------------------------------------------------------------------------


def _attachment(head: Head, body: memoryview) -> Attachment | None:
    disposition = head.get("content-disposition") or ""
    name = _filename(_params(disposition), _params(head.get("content-type")))
    if name is None and disposition.split(";", 1)[0].strip().lower() != "attachment":
        return None  # a message body, not an attachment
    return Attachment(name=name or "", data=_transfer_decoded(head, body))


def _filename(disposition: list[tuple[str, str]], ctype: list[tuple[str, str]]) -> str | None:
    """The attachment's clean name, None if the sender gave none, "" if nothing usable is left of it.

    Content-Disposition's filename comes first, then Content-Type's older
    name=; a name that only decodes with replacement characters gives way to
    one that decodes cleanly, and a name given only that way is kept.
    """
    names = _param_values(disposition, "filename") + _param_values(ctype, "name")
    if not names:
        return None
    cleaned = [_clean_name(n) for n in names]
    return next((n for n in cleaned if n and "\ufffd" not in n), None) or next((n for n in cleaned if n), "")


# --- Clean text -------------------------------------------------------------------------------------

_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Line breaks, tabs and other separators become one space; other controls
# (NUL, ESC, DEL, C1) and invisible format characters (bidi overrides, which
# make "hoa_don\u202exslx.exe" display as "hoa_donexe.xlsx"; zero-width
# characters, BOM, XML non-characters) are removed: text from a sender is
# shown to people and written into the workbook.
_SPACES = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufdd0-\ufdef\ufffe\uffff\U000e0000-\U000e007f]"
)


def _clean_text(text: str) -> str:
    """Text without surrogates, controls or invisible characters, NFC."""
    try:
        # Raw 8-bit header bytes arrive as surrogate escapes; most are UTF-8.
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # lone surrogates that were no escaped bytes (e.g. decoded UTF-16)
        text = _SURROGATES.sub("\ufffd", text)
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    return unicodedata.normalize("NFC", text)


# RFC 2047 encoded words; "charset*language" is RFC 2231 §5.
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words (in Subject, and inside parameters where some clients put them).

    Linear, and never raises (the stdlib's decode_header is quadratic in the
    number of words and raises on bad base64). Adjacent words in one charset
    are joined before decoding, as a character's bytes may be split between
    them; the blanks between encoded words are dropped (RFC 2047 §6.2).
    """
    out: list[str] = []
    run, run_charset, last, after_word = b"", "", 0, False
    for word in _ENCODED_WORD.finditer(text):
        between = text[last:word.start()]
        charset = word.group(1).split("*", 1)[0].lower()
        joined = after_word and not between.strip()  # only blanks since the previous encoded word
        if not (joined and charset == run_charset):
            out.append(_decode_bytes(run, run_charset))
            run = b""
        if not joined:
            out.append(between)
        run += _word_bytes(word.group(2).lower(), word.group(3))
        run_charset, last, after_word = charset, word.end(), True
    out.append(_decode_bytes(run, run_charset))
    out.append(text[last:])
    return "".join(out)


def _word_bytes(kind: str, payload: str) -> bytes:
    data = payload.encode("utf-8", "surrogateescape")
    if kind == "q":
        return binascii.a2b_qp(data, header=True)  # header=True: "_" is a space
    try:
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return data  # undecodable: the text as sent


def _clean_name(name: str) -> str:
    name = _clean_text(_decode_words(_clean_text(name)))
    # Keep the base name only: a sender-chosen path such as "../../x" or
    # "C:\\Users\\x\\f.xlsx" must never steer where a file is written.
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base.strip(".\ufffd "):
        return ""  # ".", "..", or nothing but undecodable bytes
    if len(base) > MAX_NAME_CHARS:
        # Cut the middle, keeping the extension: it decides whether the file is read as a spreadsheet.
        stem, dot, ext = base.rpartition(".")
        ext = dot + ext if dot and 0 < len(ext) <= 16 else ""
        base = base[: MAX_NAME_CHARS - len(ext) - 1] + "…" + ext
    return base


def _sender(raw: str | None) -> str | None:
    # No real From is over 1 KiB or nests comments; on such input the
    # stdlib's address parsers are quadratic (1 s for 8 KiB of commas) or
    # recurse until RecursionError (nested parentheses).
    if raw is None or len(raw) > _MAX_FROM_CHARS or raw.count("(") > _MAX_FROM_COMMENTS:
        return None
    try:
        value = email.policy.default.header_factory("from", raw)
        addresses = value.addresses
        addr = addresses[0].addr_spec if addresses else email.utils.parseaddr(str(value))[1]
    except Exception:
        try:
            addr = email.utils.parseaddr(raw)[1]
        except Exception:
            return None
    addr = _clean_text(addr).strip().lower()
    # 254 characters is the longest address SMTP carries (RFC 5321 §4.5.3.1).
    return addr if "@" in addr and len(addr) <= 254 else None


def _subject(raw: str | None) -> str | None:
    if raw is None:
        return None
    # Only the start is decoded: the result is cut at 1,000 characters anyway, and
    # some codecs an encoded word may name (punycode) are quadratic.
    text = _clean_text(_decode_words(_clean_text(raw[:_MAX_SUBJECT_RAW]))).strip()
    return text if len(text) <= MAX_SUBJECT_CHARS else text[: MAX_SUBJECT_CHARS - 1] + "…"


# --- Date ------------------------------------------------------------------------------------------

# Receipt times are converted to the office's zone and compared with
# deadlines. A year outside this range is a machine with a wrong clock or a
# forged header, not a receipt time; and near datetime's own limits (years 1
# and 9999) the conversion to another zone overflows.
_PLAUSIBLE_YEARS = range(1990, 2101)
_MAX_OFFSET = timedelta(hours=14)  # no zone on Earth is further from UTC (they run from -12:00 to +14:00)
# Digits standing alone (not a time's hh:mm:ss, not a zone's +hhmm).
_NUMBERS = re.compile(r"(?<![\d:+\-])\d+(?![\d:])")


def _parse_date(raw: str | None) -> tuple[datetime | None, str | None]:
    # The raw text, not the parsed DateHeader: that hides the "-0000" versus
    # "+0000" distinction the naive_date flag needs.
    if raw is None or not raw.strip():
        return None, "missing_date"
    text = raw.strip()
    if len(text) > _MAX_DATE_CHARS or not text.isascii():
        return None, "bad_date"
    try:
        dt = email.utils.parsedate_to_datetime(text)
    except Exception:  # ValueError, OverflowError (year 9999 + offset), IndexError…
        return None, "bad_date"
    if dt.year not in _PLAUSIBLE_YEARS or not _year_as_written(text, dt.year):
        return None, "bad_date"
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc), "naive_date"
    if abs(dt.utcoffset()) > _MAX_OFFSET:
        return None, "bad_date"
    return dt, None


def _year_as_written(text: str, year: int) -> bool:
    """Whether the header really wrote ``year``: the stdlib reads "0", "000" and "0000" all as 2000."""
    return any((len(n) == 4 and int(n) == year) or (len(n) == 2 and int(n) == year % 100)
               for n in _NUMBERS.findall(text))
