"""Files stored by content: the path is the SHA-256 and a whitelisted suffix, never the name received."""

from __future__ import annotations

import hashlib

import pytest

from checker.workspace.store import Store, stored_suffix


@pytest.mark.parametrize("name, suffix", [
    ("bao_cao.XLSX", ".xlsx"), ("thu.eml", ".eml"), ("cu.xls", ".xls"), ("a.ods", ".ods"), ("m.xlsm", ".xlsm"),
    ("../../etc/passwd.xlsx", ".xlsx"), ("..\\..\\Windows\\win.ini", ""), ("CON", ""), ("a.exe", ""),
    ("bao_cao.xlsx.exe", ""), ("thu.msg", ".msg"), ("", ""), ("a.xlsx/", ""),
])
def test_the_stored_suffix_comes_from_the_whitelist(name, suffix):
    """Only the reader's endings are kept; anything else is dropped."""
    assert stored_suffix(name) == suffix


def test_put_writes_the_bytes_under_their_hash_and_leaves_no_temporary_file(tmp_path):
    """The stored file is named <sha256><suffix> and holds the bytes; storing again changes nothing."""
    store = Store(tmp_path)
    digest, path = store.put(b"PK\x03\x04 content", ".xlsx")
    assert digest == hashlib.sha256(b"PK\x03\x04 content").hexdigest()
    assert path == tmp_path / f"{digest}.xlsx" and path.read_bytes() == b"PK\x03\x04 content"
    assert store.put(b"PK\x03\x04 content", ".xlsx") == (digest, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{digest}.xlsx"]


@pytest.mark.parametrize("sha, suffix", [("../x", ""), ("A" * 64, ""), ("a" * 63, ""), ("a" * 64, ".txt"),
                                         ("a" * 64, "/../x")])
def test_a_path_is_only_ever_a_hash_and_a_known_suffix(tmp_path, sha, suffix):
    """Store.path refuses anything but 64 lower-case hex digits and a whitelisted suffix."""
    with pytest.raises(ValueError):
        Store(tmp_path).path(sha, suffix)
