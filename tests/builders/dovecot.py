"""A real Dovecot IMAP server for tests, on loopback, started and stopped by the test (see
../shared/reference/test-servers.md), and a proxy that drops the connection after N bytes.

Without the `dovecot` binary a test is skipped on a developer's computer and FAILS in CI (CI set).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from checker.mailbox.imap import mailbox_name

from .parts import need

USER, PASSWORD = "vanphong", "matkhau-thu-nghiem"
NOBODY = 65534


def dovecot_or_skip() -> str:
    found = shutil.which("dovecot") or next((p for p in ("/usr/sbin/dovecot",) if os.path.exists(p)), None)
    need(None if found else "Dovecot", "apt-get install dovecot-imapd")
    if os.geteuid() != 0 and os.environ.get("CI") is None:
        pytest.skip("dovecot test servers need root here (mail user nobody)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Dovecot:
    root: Path
    port: int
    tls_port: int | None = None
    cert: Path | None = None

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(USER, PASSWORD)
        return imap

    def append(self, message: bytes, *, folder: str = "INBOX", internaldate: dt.datetime) -> None:
        """Put one message in a folder (created if needed) with the server's date as given."""
        imap = self.client()
        try:
            if folder != "INBOX":
                imap.create(mailbox_name(folder))
            typ, data = imap.append(mailbox_name(folder), None, internaldate, message)
            assert typ == "OK", data
        finally:
            imap.logout()

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().split()[0])
        # The daemon leads its own process group (its children too): killed at once, by that id only.
        # SIGTERM would wait ~2 s for the mail processes to finish.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        for _ in range(100):
            if not _alive(pid):
                return
            time.sleep(0.02)


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie left for a parent that does not reap it counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _config(root: Path, port: int, tls_port: int | None, cert: Path | None, key: Path | None) -> str:
    tls = (f"ssl = required\nssl_cert = <{cert}\nssl_key = <{key}\n" if tls_port else "ssl = no\n")
    imaps = f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls_port}\n    ssl = yes\n  }}\n" \
        if tls_port else "  inet_listener imaps {\n    port = 0\n  }\n"
    return f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
{tls}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={NOBODY} gid={NOBODY} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
{imaps}}}
"""


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made here (cryptography), and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextlib.contextmanager
def dovecot(tls: bool = False, port: int | None = None):
    """A Dovecot on loopback (plain, or STARTTLS with tls=True, on `port` or a free one; with tls=True
    also IMAPS on a second port), with one user."""
    binary = dovecot_or_skip()
    root = Path(tempfile.mkdtemp(prefix="ntvt-dovecot-", dir="/tmp"))
    os.chmod(root, 0o755)  # the mail processes (nobody) walk through it
    (root / "mail").mkdir()
    os.chown(root / "mail", NOBODY, NOBODY)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    cert = key = None
    if tls:
        cert, key = self_signed(root)
    server = Dovecot(root, port or free_port(), free_port() if tls else None, cert)
    (root / "dovecot.conf").write_text(_config(root, server.port, server.tls_port, cert, key))
    # Output to a file, not a pipe: the daemon keeps the pipe open and run() would wait for ever.
    with open(root / "start.log", "w") as said:
        started = subprocess.run([binary, "-c", str(root / "dovecot.conf")], stdout=said, stderr=subprocess.STDOUT)
    try:
        assert started.returncode == 0, (root / "start.log").read_text()
        _wait_for(server.port)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(port: int) -> None:
    for _ in range(200):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.025)
    raise AssertionError(f"dovecot did not listen on {port}")


@contextlib.contextmanager
def dropping_proxy(target_port: int, after_bytes: int):
    """A loopback proxy to target_port that closes both sides once it has passed `after_bytes` bytes
    from the server to the client: a connection lost in the middle of a FETCH."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    done = threading.Event()

    def pump(src, dst, budget):
        sent = 0
        try:
            while not done.is_set():
                block = src.recv(4096)
                if not block:
                    break
                if budget is not None and sent + len(block) > budget:
                    dst.sendall(block[:budget - sent])
                    break
                dst.sendall(block)
                sent += len(block)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def serve():
        with contextlib.suppress(OSError):
            while not done.is_set():
                client, _ = listener.accept()
                server = socket.create_connection(("127.0.0.1", target_port))
                threading.Thread(target=pump, args=(client, server, None), daemon=True).start()
                threading.Thread(target=pump, args=(server, client, after_bytes), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        done.set()
        listener.close()
