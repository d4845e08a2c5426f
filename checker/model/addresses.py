"""Addresses people type. Email addresses (in a report's "Email" cell, in the rules file's unit
roster): the bare address if the text is one, else None, shared by the rules loader and the reply
drafts, so an address accepted in one place is accepted in the other. Server addresses (HOST[:PORT]
of a mail server) and whether a host is this computer itself (loopback), shared by the web page and
the mailbox commands, so "only on this computer" means one thing everywhere."""

from __future__ import annotations

import ipaddress
import re
import unicodedata

# One mailbox, local@domain.tld: no spaces, quotes, angle brackets, commas or control characters
# (one header line, one recipient: nothing a cell could use to add a header or a second address).
# Letters beyond ASCII are allowed (RFC 6531); 254 characters is SMTP's limit (RFC 5321 §4.5.3.1).
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\.]+(?:\.[^\s@<>()\[\],;:\"\\.]+)+")
MAX_ADDRESS = 254


def email_address(text: object) -> str | None:
    """`text` as a bare address (NFC, trimmed, a "mailto:" dropped, the domain lower-cased), or None."""
    if not isinstance(text, str):
        return None
    value = unicodedata.normalize("NFC", text).strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    if len(value) > MAX_ADDRESS or any(unicodedata.category(ch)[0] == "C" for ch in value):
        return None
    if not _ADDRESS.fullmatch(value):
        return None
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (bracketed or not), localhost: only this computer can reach them."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_server(text: str, example_port: int = 465) -> tuple[str, int | None]:
    """HOST, HOST:PORT or [IPv6]:PORT as (host, port); ValueError with Vietnamese words if malformed
    (their example names `example_port`: 465 for a mail server that sends, 993 for one that keeps mail)."""
    value = text.strip()
    host, port = value, None
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"“{text}” không đúng dạng MÁY_CHỦ[:CỔNG] (ví dụ mail.coquan.gov.vn:{example_port}).")
            port = rest[1:]
    elif value.count(":") == 1:
        host, port = value.split(":")
    if not host or any(ch.isspace() or ch in "/@" for ch in host):
        raise ValueError(f"“{text}” không đúng dạng MÁY_CHỦ[:CỔNG] (ví dụ mail.coquan.gov.vn:{example_port}).")
    if port is None:
        return host, None
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"Cổng “{port}” trong “{text}” phải là một số từ 1 đến 65535.")
    return host, int(port)
