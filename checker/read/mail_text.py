"""Clean text from an email's headers: attachment names, the sender's address, the subject.

Every string an email gives the rest of ntvt passes here: raw 8-bit bytes are read as UTF-8, and
surrogates, control and invisible formatting characters never get out (they crash xlsxwriter, or
disguise a name on screen). The stdlib is used for the From address, length-capped.
"""

from __future__ import annotations

import email.policy
import email.utils
import re
import unicodedata

from .mail_headers import decode_words

MAX_NAME_CHARS = 255  # what file systems allow; names are shown to people and written to the workbook
MAX_SUBJECT_CHARS = 1000
# Caps on the From header handed to the stdlib's address parser (see sender_address).
_MAX_FROM_CHARS = 1024
_MAX_FROM_COMMENTS = 16
_MAX_SUBJECT_RAW = 16 * 1024

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


def clean_text(text: str) -> str:
    """Text without surrogates, controls or invisible characters, NFC."""
    try:
        # Raw 8-bit header bytes arrive as surrogate escapes; most are UTF-8.
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # lone surrogates that were no escaped bytes (e.g. decoded UTF-16)
        text = _SURROGATES.sub("\ufffd", text)
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    return unicodedata.normalize("NFC", text)


def clean_name(name: str) -> str:
    name = clean_text(decode_words(clean_text(name)))
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


def sender_address(raw: str | None) -> str | None:
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
    addr = clean_text(addr).strip().lower()
    # 254 characters is the longest address SMTP carries (RFC 5321 §4.5.3.1).
    return addr if "@" in addr and len(addr) <= 254 else None


def clean_subject(raw: str | None) -> str | None:
    if raw is None:
        return None
    # Only the start is decoded: the result is cut at 1,000 characters anyway, and
    # some codecs an encoded word may name (punycode) are quadratic.
    text = clean_text(decode_words(clean_text(raw[:_MAX_SUBJECT_RAW]))).strip()
    return text if len(text) <= MAX_SUBJECT_CHARS else text[: MAX_SUBJECT_CHARS - 1] + "…"
