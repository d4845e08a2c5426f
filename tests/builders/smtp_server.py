"""A real SMTP server on loopback for the sending tests (aiosmtpd, in process), and the reply drafts of
the sample consolidation. Without aiosmtpd the tests are skipped locally and fail under CI."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import ssl
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError:  # pragma: no cover - the test extra installs it
    if os.environ.get("CI"):
        raise
    pytest.skip("aiosmtpd is not installed (pip install -e '.[test]')", allow_module_level=True)

from checker import api

from .dovecot import self_signed

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2023, 7, 25)
OFFICE = "vanphong@sovhtt.example.vn"
USER, PASSWORD = "vanphong", "matkhau-thu-nghiem"
_DRAFTS: dict[str, Path] = {}


class LoopbackController(Controller):
    """aiosmtpd's controller on a free port: 1.4 connects to the port it was given (0) to check it
    started, so the port the server really got is read first."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Collector:
    """Keeps every delivered message (sender, recipients, bytes); refuses the addresses in `refuse` with
    a 550, as a real server refuses an unknown mailbox; with `drop_after` = n, hangs up on the message
    after the n-th delivered (a server going away mid-run)."""

    def __init__(self, refuse=()):
        self.delivered: list[tuple[str, list[str], bytes]] = []
        self.refuse = set(refuse)
        self.drop_after: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_after is not None and len(self.delivered) >= self.drop_after:
            server.transport.close()
            return "421 4.3.0 Shutting down"
        self.delivered.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return f"250 2.0.0 Ok: queued as N{len(self.delivered)}"

    def messages(self):
        """The delivered messages, parsed."""
        return [BytesParser(policy=default).parsebytes(data) for _, _, data in self.delivered]


@pytest.fixture
def smtp_server():
    """A running server (its handler as `.handler`, its port as `.port`), stopped after the test."""
    controller = LoopbackController(Collector(), hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def _login(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (USER.encode(),
                                                                                          PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers the 535 itself


@pytest.fixture
def tls_server(tmp_path):
    """A server that requires STARTTLS (a certificate for 127.0.0.1 made here, `.cafile`) and a login
    (USER, PASSWORD) before any mail, stopped after the test."""
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = LoopbackController(Collector(), hostname="127.0.0.1", port=0, tls_context=context,
                                    require_starttls=True, authenticator=_login, auth_required=True)
    controller.cafile = cert
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def drafts(tmp_path_factory, tmp_path) -> Path:
    """A fresh copy of the reply drafts of the sample consolidation (made once per session)."""
    if "sample" not in _DRAFTS:
        base = tmp_path_factory.mktemp("sample_feedback")
        api.consolidate(ROOT / "sample_workbooks", base / "tong_hop.xlsx", as_of=AS_OF, feedback=base / "tra_loi")
        _DRAFTS["sample"] = base / "tra_loi"
    target = tmp_path / "tra_loi"
    shutil.copytree(_DRAFTS["sample"], target)
    return target


def free_port() -> int:
    """A port on loopback where nothing listens (a server started and stopped)."""
    controller = LoopbackController(Collector(), hostname="127.0.0.1", port=0)
    controller.start()
    port = controller.port
    controller.stop()
    return port
