"""Where the page keeps the mailbox passwords: the computer's keyring (Windows Credential Manager,
macOS Keychain, the Secret Service) when `keyring` finds a usable one, else the server's memory for
one session only (asked again after a restart or a logout). Never a file, a cookie, a log, a page
or the register."""

from __future__ import annotations

import logging

try:
    import keyring
    from keyring.backends.chainer import ChainerBackend
    from keyring.backends.fail import Keyring as NoKeyring
    from keyring.errors import KeyringError
except ImportError:  # pragma: no cover - setup.cfg installs it; without it, memory only
    keyring = None

log = logging.getLogger(__name__)

SERVICE = "ntvt"


def usable_keyring():
    """The keyring backend if one can really keep a password here, else None."""
    if keyring is None:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001  a broken backend configuration is no keyring
        log.warning("keyring unusable", exc_info=True)
        return None
    if isinstance(backend, NoKeyring) or (isinstance(backend, ChainerBackend) and not backend.backends):
        return None
    return backend


class Passwords:
    """The passwords by name ("imap:user@host"): in `backend` (a keyring) if given, else in the
    session's own memory (a dict it holds)."""

    def __init__(self, backend=None):
        self.backend = backend

    @property
    def in_keyring(self) -> bool:
        return self.backend is not None

    def get(self, session, name: str) -> str | None:
        if session is not None and name in session.passwords:
            return session.passwords[name]
        if self.backend is not None:
            try:
                return self.backend.get_password(SERVICE, name)
            except KeyringError:
                log.warning("keyring read failed for %s", name)
        return None

    def put(self, session, name: str, password: str) -> None:
        if self.backend is not None:
            try:
                self.backend.set_password(SERVICE, name, password)
                return
            except KeyringError:
                log.warning("keyring write failed for %s; kept for this session only", name)
        if session is not None:
            session.passwords[name] = password

    def forget(self, session, name: str) -> None:
        """After a refused login: asked again next time."""
        if self.backend is not None:
            try:
                self.backend.delete_password(SERVICE, name)
            except KeyringError:
                pass
        if session is not None:
            session.passwords.pop(name, None)
