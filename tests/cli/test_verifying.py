"""`ntvt verify`'s usage (cli/verifying.py); its behaviour on real inboxes is in tests/decide/test_verification.py."""

from __future__ import annotations

from click.testing import CliRunner

from checker.cli import main


def test_a_missing_inbox_is_a_usage_error(tmp_path):
    book = tmp_path / "tong_hop.xlsx"
    book.write_bytes(b"x")
    result = CliRunner().invoke(main, ["verify", str(book), str(tmp_path / "khong_co")], prog_name="ntvt")
    assert result.exit_code == 2
    assert "khong_co" in result.stderr


def test_help_states_the_exit_codes():
    result = CliRunner().invoke(main, ["verify", "--help"], prog_name="ntvt")
    assert result.exit_code == 0
    assert "Mã thoát 0: khớp; 1: không khớp (có danh sách); 2:" in result.stdout
