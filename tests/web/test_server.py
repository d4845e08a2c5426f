"""Starting the page: a host other computers reach is refused without a password (exit 2, in
Vietnamese), the password file is read and kept hashed, a port in use is said in words."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.model.errors import CheckerError
from checker.web import prepare
from checker.web.security import check_password

from ..test_cli import english


def serve(*args):
    return CliRunner().invoke(main, ["serve", *map(str, args)], prog_name="ntvt")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_an_open_host_without_a_password_exits_2_in_vietnamese(tmp_path, host):
    """`ntvt serve --host H` for a non-loopback H without --password-file: exit 2, a Vietnamese line,
    and no workspace created."""
    result = serve("--host", host, "--workspace", tmp_path / "ws", "--no-browser")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Lỗi: Không mở trang trên địa chỉ “{host}” khi chưa đặt mật khẩu: máy khác "
                                    "trong mạng sẽ xem được hồ sơ có dữ liệu cá nhân.")
    assert "--password-file TỆP" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "ws").exists()


def test_an_open_host_with_a_password_is_prepared(tmp_path, rules):
    """With a password file the same host is accepted; the server keeps only the argon2 hash."""
    secret = tmp_path / "mat_khau.txt"
    secret.write_bytes("Hoa sen 2023\n".encode("utf-8"))
    server = prepare(tmp_path / "ws", rules, host="0.0.0.0", port=0, password_file=secret)
    try:
        site = server.app.state.site
        assert check_password(site.password_hash, "Hoa sen 2023")
        assert "Hoa sen" not in site.password_hash
        assert server.url.startswith("http://127.0.0.1:")
        assert {"127.0.0.1", "localhost", "0.0.0.0"} <= site.hosts
        assert (tmp_path / "ws" / "register.sqlite3").is_file()
    finally:
        server.sock.close()


def test_an_empty_password_file_is_refused(tmp_path, rules):
    secret = tmp_path / "rong.txt"
    secret.write_bytes(b"")
    with pytest.raises(CheckerError) as caught:
        prepare(tmp_path / "ws", rules, host="0.0.0.0", port=0, password_file=secret)
    assert caught.value.message.startswith(f"Không đọc được mật khẩu trong tệp {secret}")


def test_a_port_in_use_is_said_in_words(tmp_path, rules):
    """Another program on the port: a Vietnamese message naming the port and --port."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        with pytest.raises(CheckerError) as caught:
            prepare(tmp_path / "ws", rules, host="127.0.0.1", port=port, password_file=None)
    finally:
        taken.close()
    assert caught.value.message == (f"Không mở được cổng {port} trên địa chỉ “127.0.0.1” (có thể một “ntvt serve” "
                                    "khác đang chạy). Hãy đóng chương trình đó hoặc chọn cổng khác bằng “--port”.")


def test_the_help_is_vietnamese_and_names_the_defaults():
    """serve --help: the Vietnamese usage line, exit codes, an example, no English word, and the
    defaults 127.0.0.1 and 8327."""
    result = serve("--help")
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert lines[0] == "Cách dùng: ntvt serve [TÙY_CHỌN]"
    assert "Ví dụ:" in lines and any(line.startswith("Mã thoát 0: ") for line in lines)
    assert english(result.stdout) == [], result.stdout
    assert "[mặc định: 127.0.0.1]" in result.stdout and "[mặc định: 8327;" in result.stdout
