"""The guards' pieces: which hosts are loopback, which Host headers a server accepts, signed
session cookies, CSRF tokens and argon2 passwords."""

from __future__ import annotations

import pytest

from checker.web import security


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("LOCALHOST", True), ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("localhost.evil", False),
    ("example.org", False), ("", False)])
def test_loopback_hosts(host, loopback):
    """Only addresses of this computer alone count as loopback."""
    assert security.is_loopback(host) is loopback


@pytest.mark.parametrize("header, host", [
    ("127.0.0.1:8327", "127.0.0.1"), ("localhost", "localhost"), ("[::1]:8327", "::1"), ("[::1]", "::1"),
    ("Evil.Example:80", "evil.example"), ("::1", "::1")])
def test_host_of_a_header(header, host):
    """The host part of a Host header, port and brackets dropped, in lower case."""
    assert security.host_of(header) == host


def test_a_loopback_server_accepts_only_loopback_names():
    """127.0.0.1 answers to its loopback names, not to a name a rebinding DNS points at it."""
    assert security.allowed_hosts("127.0.0.1") == {"127.0.0.1", "::1", "localhost"}
    assert "evil.example" not in security.allowed_hosts("localhost")


def test_a_named_server_accepts_its_name_only():
    """A server bound to one LAN address accepts that address, not loopback names or others."""
    assert security.allowed_hosts("192.168.1.10") == {"192.168.1.10"}


def test_session_cookie_is_signed():
    """A cookie names a session only with the signature of this process's secret."""
    sessions = security.Sessions()
    sid, session = sessions.new()
    cookie = sessions.cookie_value(sid)
    assert sessions.find(cookie) == (sid, session)
    assert sessions.find(f"{sid}.{'0' * 64}") is None
    assert sessions.find(security.Sessions().cookie_value(sid)) is None  # another process's secret
    assert sessions.find(sid) is None
    assert sessions.find(None) is None
    assert sessions.find("ä.ö") is None


def test_renewed_session_forgets_the_old_id():
    """Logging in gives a new session id; the id known before is worth nothing after."""
    sessions = security.Sessions()
    sid, _ = sessions.new()
    new_sid, session = sessions.renew(sid, logged_in=True)
    assert new_sid != sid and session.logged_in
    assert sessions.find(sessions.cookie_value(sid)) is None
    assert sessions.find(sessions.cookie_value(new_sid)) == (new_sid, session)


def test_csrf_token_must_match():
    """The token of the session, and nothing else, passes."""
    session = security.Session(csrf="abc")
    assert security.csrf_ok(session, "abc")
    assert not security.csrf_ok(session, "abd")
    assert not security.csrf_ok(session, "")
    assert not security.csrf_ok(session, None)
    assert not security.csrf_ok(None, "abc")
    assert not security.csrf_ok(session, "ábc")


def test_password_is_kept_as_an_argon2_hash(tmp_path):
    """The file's first line is the password; only its argon2 hash is kept, and it verifies."""
    path = tmp_path / "mat_khau.txt"
    path.write_bytes("\ufeffMật khẩu 1\r\ndòng sau\r\n".encode("utf-8"))
    password = security.read_password_file(path)
    assert password == "Mật khẩu 1"
    hashed = security.hash_password(password)
    assert hashed.startswith("$argon2id$") and "Mật" not in hashed
    assert security.check_password(hashed, "Mật khẩu 1")
    assert not security.check_password(hashed, "mật khẩu 1")
    assert not security.check_password("not a hash", "Mật khẩu 1")


def test_an_empty_password_file_is_refused(tmp_path):
    """A file with no password on its first line is an error, not an empty password."""
    path = tmp_path / "rong.txt"
    path.write_bytes(b"  \n")
    with pytest.raises(ValueError):
        security.read_password_file(path)


def test_sessions_are_bounded():
    """Past MAX_SESSIONS the oldest session is forgotten, the newest kept."""
    sessions = security.Sessions()
    first, _ = sessions.new()
    for _ in range(security.MAX_SESSIONS):
        last, session = sessions.new()
    assert len(sessions._store) == security.MAX_SESSIONS
    assert sessions.find(sessions.cookie_value(first)) is None
    assert sessions.find(sessions.cookie_value(last)) == (last, session)
