"""Builders of hostile emails, as raw bytes (CRLF line ends, like saved .eml files).

Shared by tests/read/test_hostile_mail.py and the worst-case measurements: `python -m tests.builders.hostile_mail [CASE...]`
builds each case of CASES and reads it in a fresh process, printing the outcome, time and peak RSS.
"""

from __future__ import annotations

import base64

TOP = "From: vanthu@cheo.vn\r\nDate: Fri, 19 May 2023 09:00:00 +0700\r\nMIME-Version: 1.0\r\n"
XLSX = b"PK\x03\x04 a workbook"
B64_XLSX = base64.b64encode(XLSX).decode()


def crlf(text: str) -> bytes:
    """Text with LF line ends as CRLF bytes; raw 8-bit characters are written as UTF-8."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8", "surrogateescape")


def part(headers: str, body: str = B64_XLSX) -> str:
    """One MIME part: its header lines (without the final blank line) and body."""
    return f"{headers}\r\n\r\n{body}"


def attachment(disposition: str = 'attachment; filename="bao_cao.xlsx"',
               content_type: str = "application/vnd.ms-excel", cte: str = "base64",
               body: str = B64_XLSX) -> str:
    """A base64 workbook part with the given Content-Disposition and Content-Type values."""
    return part(f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: {cte}\r\n"
                f"Content-Disposition: {disposition}", body)


def multipart(*parts: str, boundary: str = "XX", subtype: str = "mixed", close: bool = True,
              headers: str = "") -> str:
    """A multipart entity (headers and body) holding ``parts``."""
    body = "".join(f"--{boundary}\r\n{p}\r\n" for p in parts) + (f"--{boundary}--\r\n" if close else "")
    return f'{headers}Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n{body}'


def email(entity: str, top: str = TOP) -> bytes:
    """A whole email: the top headers followed by an entity (its own headers and body)."""
    return crlf(top + entity)


def simple(top: str = TOP, body: str = "Kính gửi Văn phòng.\r\n") -> bytes:
    """A one-part text email with the given top headers."""
    return crlf(top + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body)


def with_attachment(disposition: str = 'attachment; filename="bao_cao.xlsx"',
                    content_type: str = "application/vnd.ms-excel", cte: str = "base64",
                    body: str = B64_XLSX, top: str = TOP) -> bytes:
    """A text body and one attachment."""
    return email(multipart(part("Content-Type: text/plain", "Kính gửi."),
                           attachment(disposition, content_type, cte, body)), top)


def nested_multipart(levels: int) -> bytes:
    """``levels`` multiparts, each inside the previous one, a workbook in the innermost (depth ``levels``)."""
    inner = attachment()
    for level in reversed(range(levels)):
        inner = multipart(inner, boundary=f"b{level}")
    return email(inner)


def unclosed_nesting(levels: int) -> bytes:
    """The 2,000-deep shape from issue 11: multiparts opened and never closed, nothing inside."""
    text = TOP + 'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n'
    text += "".join(f'--b{i - 1}\r\nContent-Type: multipart/mixed; boundary="b{i}"\r\n\r\n' for i in range(1, levels))
    return crlf(text)


def nested_rfc822(levels: int, cte: str = "", body: str = B64_XLSX) -> bytes:
    """``levels`` forwarded emails (message/rfc822), each inside the previous, a workbook in the innermost.

    Each level is two deep: the message/rfc822 part and the forwarded email's multipart.
    ``cte="base64"`` encodes every message/rfc822 body, as some mailers do against RFC 2046.
    """
    inner = multipart(attachment(body=body), boundary=f"b{levels}")
    for level in reversed(range(levels)):
        body = TOP + inner
        if cte == "base64":
            body = base64.encodebytes(crlf(body)).decode().replace("\n", "\r\n")
        forwarded = part("Content-Type: message/rfc822" + (f"\r\nContent-Transfer-Encoding: {cte}" if cte else ""),
                         body)
        inner = multipart(forwarded, boundary=f"b{level}")
    return email(inner)


def bare_rfc822(levels: int) -> bytes:
    """message/rfc822 inside message/rfc822, ``levels`` deep, with no multipart at all."""
    return crlf(TOP + "Content-Type: message/rfc822\r\n\r\n" * levels + "Content-Type: text/plain\r\n\r\nbody\r\n")


def many_attachments(count: int, name: str = "bao_cao.xlsx") -> bytes:
    """One email with ``count`` attachments of the same name."""
    return email(multipart(*(attachment(f'attachment; filename="{name}"') for _ in range(count))))


def big_attachment(size: int) -> bytes:
    """One email of about ``size`` bytes: a single attachment, base64 in 76-character lines."""
    return email(multipart(attachment(body=base64_lines(size))))


def base64_lines(size: int) -> str:
    """About ``size`` characters of base64 in 76-character CRLF lines."""
    raw = size * 3 // 4 * 76 // 78
    return base64.encodebytes((bytes(range(256)) * (raw // 256 + 1))[:raw]).decode().replace("\n", "\r\n")


def header_heavy(size: int, field: str = "X-A: b\r\n", read: int = 0) -> bytes:
    """About ``size`` bytes of parts whose header blocks are each just under the 256 KiB limit.

    ``read`` of the fields are ones mail.py reads ("Received:"), the rest ``field``.
    """
    read_fields = "Received: x\r\n" * read
    block = read_fields + field * ((255 * 1024 - len(read_fields)) // len(field))
    return email(multipart(*[part(block + "Content-Type: text/plain", "b") for _ in range(size // len(block))]))


def parameter_heavy(size: int) -> bytes:
    """About ``size`` bytes of attachments whose Content-Disposition is ~250 KiB of ";" (quadratic in the stdlib)."""
    disposition = "attachment" + ";" * (250 * 1024) + '; filename="bao_cao.xlsx"'
    return email(multipart(*[attachment(disposition) for _ in range(size // len(disposition))]))


CASES = {
    "nesting-2000": lambda: unclosed_nesting(2000),
    "rfc822-2000": lambda: bare_rfc822(2000),
    "attachments-20000": lambda: many_attachments(20000),
    "attachments-2000": lambda: many_attachments(2000),
    "size-4x": lambda: big_attachment(80 * 1024 * 1024 - 64 * 1024),
    "base64-forwarded-9-times-4x": lambda: nested_rfc822(9, "base64", base64_lines(80 * 1024 * 1024 * 10 // 170)),
    "headers-4x": lambda: header_heavy(80 * 1024 * 1024 - 64 * 1024),
    "read-fields-4x": lambda: header_heavy(80 * 1024 * 1024 - 64 * 1024, read=999),
    "parameters-4x": lambda: parameter_heavy(80 * 1024 * 1024 - 64 * 1024),
}


def measure(path: str) -> str:
    """Read one saved email in this (fresh) process; its outcome, time and peak RSS (resource: POSIX only)."""
    import resource
    import time
    from pathlib import Path

    from checker.read.mail import MailError, read_email

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        mail = read_email(Path(path), max_bytes=4 * 20 * 1024 * 1024)  # as intake: 4 x max_file_bytes
        outcome = f"read, {len(mail.attachments)} attachments"
    except MailError as exc:
        outcome = f"MailError {exc.reason}"
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return f"{outcome}, {elapsed:.3f} s, peak RSS {peak / 1024:.0f} MiB (after imports {before / 1024:.0f} MiB)"


if __name__ == "__main__":
    # python -m tests.builders.hostile_mail [CASE...]: build each case in one process, read it in a fresh one
    # (a child inherits its parent's peak RSS, so the builder must not be the reader's parent).
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    for case in sys.argv[1:] or CASES:
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder, "case.eml"))
            build = (f"from pathlib import Path; from tests.builders.hostile_mail import CASES; "
                     f"Path({path!r}).write_bytes(CASES[{case!r}]())")
            subprocess.run([sys.executable, "-c", build], check=True)
            read = f"from tests.builders.hostile_mail import measure; print(measure({path!r}))"
            result = subprocess.run([sys.executable, "-c", read], capture_output=True, text=True, check=True)
            print(f"{case}: {Path(path).stat().st_size:,} bytes: {result.stdout.strip()}")
