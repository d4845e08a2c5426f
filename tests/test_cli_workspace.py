"""`ntvt consolidate --workspace`: the command reads and updates the register the page uses."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import zoneinfo

import pytest
from click.testing import CliRunner

from checker import api
from checker.cli import main
from checker.workspace.register import SCHEMA_VERSION

from .conftest import ROOT

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
JUNE = ROOT / "sample_workbooks" / "thang_06"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, prog_name="ntvt")


@pytest.fixture
def ws(tmp_path, rules):
    """A workspace that received June's sample files through the API."""
    ws = api.open_workspace(tmp_path / "ntvt", rules)
    files = [(f"thang_06/{p.name}", p.read_bytes()) for p in sorted(JUNE.iterdir())]
    api.receive_files(ws, files, received_at=dt.datetime(2023, 7, 3, 8, 0, tzinfo=HANOI), as_of=dt.date(2023, 7, 25))
    return ws


def test_consolidate_workspace_writes_ket_qua_and_records_the_run(ws, rules):
    """Exit 1 (June's samples hold errors); the workbook under ket_qua/; the run in the register."""
    result = run("consolidate", "--workspace", ws.root, "--as-of", "25/07/2023")
    assert result.exit_code == 1, result.output
    target = ws.root / "ket_qua" / "tong_hop_2023-07-25.xlsx"
    assert f"Đã ghi bảng tổng hợp: {target}" in result.stdout
    recorded = next(f for f in api.workspace_files(ws) if f.name == "thang_06/CMNTL_thang06.xlsx")
    last = api.last_run(ws)
    assert (last.id, last.as_of, last.output, last.rules_sha256) == (1, dt.date(2023, 7, 25),
                                                                      "ket_qua/tong_hop_2023-07-25.xlsx", rules.sha256)
    assert last.output_sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert last.counts["submissions"] == 19 and len(last.cycles) == 120
    assert (recorded.name, recorded.unit, recorded.cycle, recorded.status) == ("thang_06/CMNTL_thang06.xlsx", "CMNTL",
                                                                               "2023-06", "used")
    assert last.started_at.tzinfo is not None and last.finished_at >= last.started_at


def test_the_command_and_the_api_give_the_same_workbook(ws):
    """The same workspace consolidated by the command and by the API: the same bytes, two runs recorded."""
    run("consolidate", "--workspace", ws.root, "--as-of", "2023-07-25")
    first = (ws.root / "ket_qua" / "tong_hop_2023-07-25.xlsx").read_bytes()
    again = api.consolidate_workspace(ws, as_of=dt.date(2023, 7, 25), run_at=dt.datetime(2030, 1, 1, tzinfo=HANOI))
    assert again.output.read_bytes() == first
    assert [r.id for r in ws.runs()] == [1, 2] and len({r.output_sha256 for r in ws.runs()}) == 1


def test_an_output_outside_the_workspace_is_recorded_by_its_path(ws, tmp_path):
    out = tmp_path / "tong_hop.xlsx"
    assert run("consolidate", "--workspace", ws.root, "-o", out, "--as-of", "2023-07-25").exit_code == 1
    assert out.is_file() and api.last_run(ws).output == out.resolve().as_posix()


WORDS = "Cần đúng một trong hai: THƯ_MỤC hộp thư (ntvt consolidate hop_thu/ -o tong_hop.xlsx) hoặc --workspace " \
        "THƯ_MỤC làm việc (ntvt consolidate --workspace D:/thi_dua)."


@pytest.mark.parametrize("args, line", [
    ([], f"Lỗi: {WORDS}"),
    (["--workspace", "{ws}", ROOT / "sample_workbooks"], f"Lỗi: {WORDS}"),
    ([ROOT / "sample_workbooks"], "Lỗi: Thiếu tùy chọn “-o” / “--output”."),
    (["--workspace", "{ws}", "--feedback", "tra_loi"], "Lỗi: --receipt-log và --feedback chỉ dùng khi đọc THƯ_MỤC "
     "hộp thư: với --workspace, thời điểm nhận lấy từ sổ nhận hồ sơ và thư trả lời ghi vào ket_qua/."),
    (["--workspace", "{ws}", "-o", "tong_hop.ods"], "Lỗi: Tệp kết quả phải có đuôi .xlsx (nhận được “tong_hop.ods”)."),
])
def test_usage_errors_of_the_inbox_or_workspace(tmp_path, args, line):
    """Exactly one of THƯ_MỤC and --workspace; -o required for a folder; exit 2 with one Vietnamese line."""
    result = run("consolidate", *[str(a).replace("{ws}", str(tmp_path / "ws")) for a in args])
    assert (result.exit_code, result.stderr.strip().splitlines()[-1]) == (2, line)
    assert not (tmp_path / "ws").exists()


def test_a_newer_register_is_refused_by_the_command(tmp_path):
    """A register from a newer ntvt: exit 2 and the Vietnamese words, nothing written."""
    (tmp_path / "ws").mkdir()
    with sqlite3.connect(tmp_path / "ws" / "register.sqlite3") as db:
        db.execute("PRAGMA user_version = 99")
    result = run("consolidate", "--workspace", tmp_path / "ws", "--as-of", "2023-07-25")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Lỗi: Không dùng được sổ nhận hồ sơ {tmp_path / 'ws' / 'register.sqlite3'}: sổ "
                                    f"được ghi bởi phiên bản ntvt mới hơn (phiên bản sổ 99, phiên bản này đọc được đến {SCHEMA_VERSION}); "
                                    "hãy cập nhật ntvt rồi mở lại. Chi tiết kỹ thuật đã ghi vào ")
    assert not (tmp_path / "ws" / "ket_qua").exists()
