"""Where the mailbox passwords are kept: a keyring when one is usable, else the session's memory."""

from __future__ import annotations

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as NoKeyring
from keyring.errors import PasswordDeleteError

from checker.web.passwords import Passwords, usable_keyring
from checker.web.security import Sessions


class DictKeyring(KeyringBackend):
    """A keyring backend of this test's own (keyring's plugin interface), holding passwords in a dict."""

    priority = -1  # never the one keyring picks by itself (defining the class registers it)

    def __init__(self):
        super().__init__()
        self.kept = {}

    def get_password(self, service, username):
        return self.kept.get((service, username))

    def set_password(self, service, username, password):
        self.kept[(service, username)] = password

    def delete_password(self, service, username):
        if self.kept.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


def test_no_backend_means_no_keyring():
    before = keyring.get_keyring()
    try:
        keyring.set_keyring(NoKeyring())
        assert usable_keyring() is None
        keyring.set_keyring(DictKeyring())
        assert isinstance(usable_keyring(), DictKeyring)
    finally:
        keyring.set_keyring(before)


def test_without_a_keyring_a_password_lives_in_its_session_only():
    sessions = Sessions()
    _, mine = sessions.new()
    _, other = sessions.new()
    passwords = Passwords(None)
    passwords.put(mine, "imap:vanphong@127.0.0.1", "bi-mat")
    assert passwords.get(mine, "imap:vanphong@127.0.0.1") == "bi-mat"
    assert passwords.get(other, "imap:vanphong@127.0.0.1") is None
    assert "bi-mat" not in repr(mine)
    passwords.forget(mine, "imap:vanphong@127.0.0.1")
    assert passwords.get(mine, "imap:vanphong@127.0.0.1") is None


def test_with_a_keyring_the_password_is_kept_there_not_in_the_session():
    backend = DictKeyring()
    _, session = Sessions().new()
    passwords = Passwords(backend)
    passwords.put(session, "smtp:guithu@mail.coquan.gov.vn", "bi-mat")
    assert backend.kept == {("ntvt", "smtp:guithu@mail.coquan.gov.vn"): "bi-mat"} and session.passwords == {}
    assert passwords.get(None, "smtp:guithu@mail.coquan.gov.vn") == "bi-mat"
    passwords.forget(session, "smtp:guithu@mail.coquan.gov.vn")
    passwords.forget(session, "smtp:guithu@mail.coquan.gov.vn")  # twice: nothing there, no error
    assert backend.kept == {}
