"""Running the page: the address it may listen on (loopback, or any other only with a password),
the socket bound before the server starts (so a port in use is said in words), uvicorn in this
one process (no reload, no worker processes: Windows has no fork) and the browser opened on it."""

from __future__ import annotations

import os
import socket
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from ..model.addresses import is_loopback
from ..model.errors import CheckerError
from ..ruleset.spec import RuleSet
from . import security
from .app import create_app

DEFAULT_PORT = 8327


def default_workspace() -> Path:
    """Where the office's workspace lives unless told: a folder of the user's documents."""
    return Path.home() / "Documents" / "ntvt"


def refuse_open_host(host: str, password_file: Path | None) -> None:
    """Raise CheckerError (Vietnamese message) for a host other computers can reach, without a password."""
    if password_file is None and not is_loopback(host):
        raise CheckerError(f"refusing to listen on non-loopback host {host!r} without --password-file",
                           message=f"Không mở trang trên địa chỉ “{host}” khi chưa đặt mật khẩu: máy khác trong "
                                   "mạng sẽ xem được hồ sơ có dữ liệu cá nhân. Hãy bỏ “--host” (chỉ máy này mở "
                                   "được) hoặc thêm “--password-file TỆP” (tệp chứa mật khẩu).")


def password_hash_of(password_file: Path | None) -> str | None:
    if password_file is None:
        return None
    try:
        return security.hash_password(security.read_password_file(password_file))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CheckerError(f"cannot read password file {password_file}: {exc}",
                           message=f"Không đọc được mật khẩu trong tệp {password_file}: tệp phải là văn bản "
                                   "UTF-8, mật khẩu ở dòng đầu. Hãy sửa tệp rồi chạy lại.") from exc


@dataclass
class Server:
    app: object
    sock: socket.socket
    url: str

    def run(self, *, open_browser: bool) -> None:
        """Serve until Ctrl+C; open the default browser on the page once it listens."""
        config = uvicorn.Config(self.app, workers=1, reload=False, log_level="info", proxy_headers=False,
                                server_header=False, lifespan="off")
        server = uvicorn.Server(config)
        if open_browser:
            def opener():
                while not server.started and not server.should_exit:
                    threading.Event().wait(0.1)
                if server.started:
                    webbrowser.open(self.url)
            threading.Thread(target=opener, name="ntvt-browser", daemon=True).start()
        server.run(sockets=[self.sock])


def prepare(workspace: Path, rules: RuleSet, *, host: str, port: int, password_file: Path | None) -> Server:
    """The app over `workspace` and its bound socket; CheckerError (Vietnamese) if the host is
    refused, the password file unreadable or the port taken."""
    refuse_open_host(host, password_file)
    password_hash = password_hash_of(password_file)
    app = create_app(workspace, rules, password_hash=password_hash, host=host)
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if os.name != "nt":  # a quick restart after Ctrl+C (on Windows the option would let another take the port)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((bare, port))
    except OSError as exc:
        sock.close()
        raise CheckerError(f"cannot bind {host}:{port}: {exc}",
                           message=f"Không mở được cổng {port} trên địa chỉ “{host}” (có thể một “ntvt serve” "
                                   "khác đang chạy). Hãy đóng chương trình đó hoặc chọn cổng khác bằng “--port”.")
    if security.is_unspecified(bare):  # every address: this computer opens it as 127.0.0.1
        bare = "127.0.0.1"
    shown = f"[{bare}]" if ":" in bare else bare
    return Server(app=app, sock=sock, url=f"http://{shown}:{port}/")
