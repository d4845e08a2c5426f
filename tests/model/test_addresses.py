"""Email addresses as people type them (model.addresses): one bare mailbox, or None."""

from __future__ import annotations

import pytest

from checker.model.addresses import email_address


@pytest.mark.parametrize("typed, address", [
    ("vanthu@cheo.vn", "vanthu@cheo.vn"),
    ("  VanThu@Cheo.Example.VN ", "VanThu@cheo.example.vn"),
    ("mailto:vanthu@cheo.vn", "vanthu@cheo.vn"),
    ("văn.thư@nhàhát.vn", "văn.thư@nhàhát.vn"),
    ("van.thu+ntvt@so-vhtt.hanoi.gov.vn", "van.thu+ntvt@so-vhtt.hanoi.gov.vn"),
    ("", None),
    ("vanthu", None),
    ("vanthu@cheo", None),
    ("vanthu@@cheo.vn", None),
    ("a@b@cheo.vn", None),
    ("vanthu@cheo..vn", None),
    ("vanthu @cheo.vn", None),
    ("vanthu@cheo.vn, khac@cheo.vn", None),
    ("vanthu@cheo.vn; khac@cheo.vn", None),
    ("Văn thư <vanthu@cheo.vn>", None),
    ("vanthu@cheo.vn\r\nBcc: spy@evil.example", None),
    ("vanthu@cheo.vn\nBcc: spy@evil.example", None),
    ("vanthu@cheo.vn\x00", None),
    ("vanthu@cheo.vn\u202e", None),
    ("chưa có", None),
    ("x" * 250 + "@cheo.vn", None),
    (None, None),
    (5, None),
])
def test_email_address(typed, address):
    """A typed address is kept as one bare mailbox; anything that is not exactly one is None."""
    assert email_address(typed) == address
