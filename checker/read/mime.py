"""The MIME structure of an email, split without recursion and in linear time.

The stdlib parser recurses once per nesting level (2,000 levels: ``RecursionError``) and its header
parser is quadratic (256 KiB of header fields: 1.2 s). Here parts are byte ranges of one buffer on
an explicit stack, and the limits are checked before anything below them is looked at; passing one
raises Refused.
"""

from __future__ import annotations

import binascii
import itertools
import re
from email.message import Message

from .mail_headers import Head, Refused, content_type, multipart_boundary

# Limits on one email. A real office email is nested a few levels deep (a
# forwarded email adds two: the message/rfc822 part and its own multipart)
# and has a few dozen parts; the limits only refuse what no mail client
# writes, and keep the cost of one email bounded (see docs/SECURITY.md).
MAX_DEPTH = 20
MAX_PARTS = 500
MAX_HEADER_BYTES = 256 * 1024  # one part's header block; real ones are a few KiB
MAX_FIELDS = 1000  # of the fields read (From, Received, Content-Type…) in one block; real ones have < 100

# A file counts as an email only if it has at least one of these headers;
# the parser accepts any "word: text" line as a header, so junk alone
# could otherwise pass.
EMAIL_HEADERS = frozenset({
    "from", "to", "cc", "date", "subject", "message-id", "mime-version",
    "received", "return-path", "sender", "content-type", "reply-to",
})


_FIELDS = EMAIL_HEADERS | {"content-disposition", "content-transfer-encoding"}


def walk(data: bytes, max_depth: int, max_parts: int):
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
            raise Refused("too_many_parts")
        if depth > max_depth:
            raise Refused("too_deep")
        head, start = _split_head(buf, start, end)
        ctype = content_type(head, default_type)
        boundary = multipart_boundary(head) if ctype.startswith("multipart/") else None
        if boundary is not None:
            # In a digest the parts are emails unless they say otherwise (RFC 2046 §5.1.5).
            child_type = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
            children = _split_multipart(buf, start, end, boundary, max_parts - seen)
            stack.extend((buf, s, e, depth + 1, child_type) for s, e in reversed(children))
            yield head, None
        elif ctype.startswith("message/"):  # rfc822, global (the stdlib reads every message/* so)
            # RFC 2046 forbids encoding a nested email, but some mailers base64 it anyway.
            if transfer_encoding(head) in ("base64", "quoted-printable"):
                buf = transfer_decoded(head, memoryview(buf)[start:end])
                start, end = 0, len(buf)
                # Each level decodes to 3/4 of its parent: 20 levels of an 80 MB email
                # would decode 240 MB (5 s). At most twice the email's size in all
                # (three nested encoded forwards of any size fit).
                decoded += end
                if decoded > 2 * len(data):
                    raise Refused("too_large")
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
            raise Refused("header_too_large")
    head: Head = {}
    first = _FIRST_FIELD.match(buf, start, head_end)
    fields = itertools.chain([first] if first else [], _NEXT_FIELD.finditer(buf, start, head_end))
    for count, field in enumerate(fields):
        if count == MAX_FIELDS:  # 30,000 "Subject:" lines would cost 0.3 s per part
            raise Refused("header_too_large")
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
                raise Refused("too_many_parts")
        if found.group(1):  # close delimiter: the rest is the epilogue
            return parts
        part_start = found.end() + 1 if buf.startswith(b"\n", found.end(), end) else found.end()
    if part_start is not None and part_start < end:
        parts.append((part_start, end))  # no close delimiter (a truncated email): the last part runs to the end
    return parts


def transfer_encoding(head: Head) -> str:
    return (head.get("content-transfer-encoding") or "").strip().lower()


def transfer_decoded(head: Head, body: memoryview) -> bytes:
    """A part's bytes with its Content-Transfer-Encoding undone; unknown encodings give the bytes as sent."""
    cte = transfer_encoding(head)
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
