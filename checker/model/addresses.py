"""Email addresses people type (in a report's "Email" cell, in the rules file's unit roster): the
bare address if the text is one, else None. Shared by the rules loader and the reply drafts, so an
address accepted in one place is accepted in the other."""

from __future__ import annotations

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
