"""Header field values of an email: MIME types, parameters (RFC 2231) and encoded words (RFC 2047).

Read here without the stdlib, in linear time and never raising on what a sender wrote: its
``default`` policy recurses on nested comments and raises on parameters that do not decode
(``x*=utf-16''%00``), and its parameter parser is quadratic (a 32 KiB Content-Type: 15 s).
"""

from __future__ import annotations

import binascii
import re
import urllib.parse

from ..model.marks import EMAIL_HEADER

# A Content-Type or Content-Disposition value; a 255-character Vietnamese
# name in RFC 2231 form takes about 2.5 KiB.
MAX_PARAMETERS_CHARS = 16 * 1024

# A part's header fields: lower-cased name -> the first value as sent (ASCII,
# raw 8-bit bytes as surrogate escapes), unfolded. The first of repeated
# fields counts, as in the stdlib.
Head = dict


class Refused(Exception):
    """Raised while an email is read (a limit passed); read_email turns it into MailError(path, reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def content_type(head: Head, default: str) -> str:
    raw = head.get("content-type")
    if raw is None:
        return default
    ctype = re.sub(r"\s+", "", raw.split(";", 1)[0]).lower()
    return ctype if ctype.count("/") == 1 else "text/plain"  # RFC 2045 §5.2


def multipart_boundary(head: Head) -> bytes | None:
    value = _param(params(head.get("content-type")), "boundary")
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


def params(value: str | None) -> list[tuple[str, str]]:
    """The (lower-cased name, value) parameters of a Content-Type or Content-Disposition value."""
    if not value or ";" not in value:
        return []
    if len(value) > MAX_PARAMETERS_CHARS:
        raise Refused("header_too_large")
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
    """One parameter's value, the RFC 2231 form first (see param_values)."""
    return next(iter(param_values(params, key)), None)


def param_values(params: list[tuple[str, str]], key: str) -> list[str]:
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
    return decode_bytes(b"".join(pieces), charset)


def decode_bytes(data: bytes, charset: str | None) -> str:
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


# RFC 2047 encoded words; "charset*language" is RFC 2231 §5.
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def decode_words(text: str) -> str:
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
            out.append(decode_bytes(run, run_charset))
            run = b""
        if not joined:
            out.append(between)
        run += _word_bytes(word.group(2).lower(), word.group(3))
        run_charset, last, after_word = charset, word.end(), True
    out.append(decode_bytes(run, run_charset))
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



_HEAD_END = re.compile(rb"\r?\n\r?\n")
_GENERATED = re.compile(rb"(?im)^" + re.escape(EMAIL_HEADER.encode()) + rb"[ \t]*:[ \t]*([^\r\n]*)")
MARK_SCAN_BYTES = 1 << 16  # of the top header block searched for the mark (ntvt writes it near the top)


def generated_mark(data: bytes) -> str | None:
    """The value of ntvt's own header (model.marks.EMAIL_HEADER) in a saved message's top header
    block: a reply draft ntvt wrote, not an email from a unit; None when absent. Searched in the
    raw bytes (the MIME walk keeps only the fields it reads), within the first MARK_SCAN_BYTES."""
    head = data[:MARK_SCAN_BYTES]
    end = _HEAD_END.search(head)
    found = _GENERATED.search(head, 0, end.start() if end else len(head))
    return None if found is None else (found.group(1).decode("ascii", "replace").strip() or "unknown")
