"""Emails for the fetch tests, as a unit's mail client writes them (bytes, CRLF)."""

from __future__ import annotations

import email
import io
import zipfile
from email.message import EmailMessage
from email.policy import SMTP


def message(subject: str, date: str, *, attach: tuple[str, bytes] | None = None, message_id: str | None = None,
            sender: str = "vanthu@cailuong.vn", inner: bytes | None = None) -> bytes:
    m = EmailMessage(policy=SMTP)
    m["From"], m["To"], m["Subject"], m["Date"] = sender, "vanphong@svhtt.hanoi.gov.vn", subject, date
    if message_id:
        m["Message-ID"] = message_id
    m.set_content("Kính gửi Văn phòng Sở.")
    if attach:
        m.add_attachment(attach[1], maintype="application", subtype="octet-stream", filename=attach[0])
    if inner is not None:  # a forwarded email, attached whole
        m.add_attachment(email.message_from_bytes(inner, policy=SMTP))
    return m.as_bytes()


def zipped(*members: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return out.getvalue()
