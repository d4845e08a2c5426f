"""What keeps the page the office's alone: loopback by default, a password (argon2 hash, in memory
only) for any other address, a signed session cookie, a CSRF token per session checked on every
POST, a Host header check against the bound host (DNS rebinding) and headers that allow no
outside origin."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..model.addresses import is_loopback

COOKIE = "ntvt_phien"
CSRF_FIELD = "csrf_token"
MAX_SESSIONS = 10_000  # a client without cookies gets a new session on every request
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
           "x-frame-options": "DENY", "cache-control": "no-store"}
# What opens without a login: the login page itself and the static files (its style sheet).
LOGIN_PATH, STATIC_PREFIX = "/dang-nhap", "/static/"


class TooLarge(Exception):
    """The request body passed the upload bound while it streamed in."""


def is_open(path: str) -> bool:
    """A path served without a login."""
    return path == LOGIN_PATH or path.startswith(STATIC_PREFIX)


def hash_password(password: str) -> str:
    """The argon2 hash of a password (what the server keeps; the password itself is dropped)."""
    return PasswordHasher().hash(password)


def read_password_file(path: Path) -> str:
    """The password a file holds: its first line, without the line ending. Empty → ValueError."""
    text = Path(path).read_bytes().decode("utf-8-sig")
    password = text.splitlines()[0] if text.splitlines() else ""
    if not password.strip():
        raise ValueError(f"password file {path} is empty")
    return password


def check_password(password_hash: str, given: str) -> bool:
    try:
        return PasswordHasher().verify(password_hash, given)
    except (VerificationError, InvalidHashError):
        return False


def is_unspecified(host: str) -> bool:
    """0.0.0.0 or ::: every address of this computer."""
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_unspecified
    except ValueError:
        return False


def allowed_hosts(bound: str) -> set[str]:
    """The Host header values a request may carry for a server bound to `bound` (a page reached
    under any other name is a DNS-rebinding attempt): the bound name; for a loopback server every
    loopback name (a browser may say localhost for 127.0.0.1); for one bound to every address,
    this computer's names and addresses too."""
    names = {bound.strip().strip("[]").lower()}
    if is_loopback(bound) or is_unspecified(bound):
        names |= {"127.0.0.1", "::1", "localhost"}
    if is_unspecified(bound):
        own = {socket.gethostname(), socket.getfqdn()}
        names |= {n.lower() for n in own}
        for name in own:
            try:
                names |= {info[4][0].lower() for info in socket.getaddrinfo(name, None)}
            except OSError:
                continue
    return names


def host_of(header: str) -> str:
    """The host part of a Host header: "[::1]:8327" → "::1", "localhost:8327" → "localhost"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


@dataclass
class Session:
    csrf: str
    logged_in: bool = False
    # The mailbox passwords typed in this session when there is no keyring (web/passwords.py): memory only.
    passwords: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass
class Sessions:
    """Sessions kept in memory, their ids signed with a secret drawn when the process starts: a
    restart logs everyone out, which is what a local tool wants."""

    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _store: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _sign(self, sid: str) -> str:
        return hmac.new(self.secret, sid.encode("ascii"), hashlib.sha256).hexdigest()

    def cookie_value(self, sid: str) -> str:
        return f"{sid}.{self._sign(sid)}"

    def find(self, cookie: str | None) -> tuple[str, Session] | None:
        """The session a cookie names, if its signature is ours and the session still exists."""
        if not cookie or cookie.count(".") != 1:
            return None
        sid, mac = cookie.split(".")
        if not sid.isascii() or not hmac.compare_digest(mac, self._sign(sid)):
            return None
        with self._lock:
            session = self._store.get(sid)
        return (sid, session) if session else None

    def new(self) -> tuple[str, Session]:
        sid, session = secrets.token_urlsafe(24), Session(csrf=secrets.token_urlsafe(32))
        with self._lock:
            while len(self._store) >= MAX_SESSIONS:  # bounded memory: the oldest goes first
                self._store.pop(next(iter(self._store)))
            self._store[sid] = session
        return sid, session

    def renew(self, sid: str, *, logged_in: bool) -> tuple[str, Session]:
        """A new session id (and token) at login: an id known before the login is worth nothing."""
        with self._lock:
            self._store.pop(sid, None)
        new_sid, session = self.new()
        session.logged_in = logged_in
        return new_sid, session


def csrf_ok(session: Session | None, given: str | None) -> bool:
    return bool(session and given and hmac.compare_digest(session.csrf.encode(), given.encode("utf-8", "replace")))
