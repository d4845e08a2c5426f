"""The `ntvt` command: help everywhere, exit codes, and parity with the library."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner

from checker import check_many, load_rules
from checker.cli import main

from .conftest import ROOT, good_row

AS_OF = ["--as-of", "2023-05-20"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("command", [[], ["template"], ["check"], ["consolidate"], ["rules"]])
def test_every_command_has_help_with_an_example(command):
    """Every command answers --help, and each subcommand shows an example."""
    result = run(*command, "--help")
    assert result.exit_code == 0
    if command:
        assert "Example:" in result.output


def test_check_clean_file_exits_0(make_book):
    """A clean workbook: exit code 0 and a 'no problems' line."""
    result = run("check", make_book(), *AS_OF)
    assert result.exit_code == 0
    assert "Không có lỗi hay cảnh báo." in result.output


def test_check_with_errors_exits_1_and_shows_cells(make_book):
    """A workbook with an error: exit code 1, the cell, the rule and the Vietnamese message."""
    path = make_book([good_row(gender="Na")])
    result = run("check", path, *AS_OF)
    assert result.exit_code == 1
    assert "Danh sách đề nghị!D5" in result.output
    assert "DN-DANHMUC" in result.output
    assert "phải là một trong: Nam, Nữ (nhận được “Na”)" in result.output


def test_check_unreadable_file_exits_2(tmp_path, make_book):
    """An unreadable input gives exit code 2, and the other file is still reported."""
    junk = tmp_path / "hong.xlsx"
    junk.write_bytes(b"%PDF-1.4 not a workbook")
    good = make_book([good_row(gender="Na")])
    result = run("check", junk, good, *AS_OF)
    assert result.exit_code == 2
    assert "KHÔNG ĐỌC ĐƯỢC: không phải bảng tính (nội dung là tệp PDF)" in result.output
    assert "DN-DANHMUC" in result.output


def test_check_json_equals_library_report(make_book, rules):
    """`check --json` prints exactly the library's report."""
    path = make_book([good_row(gender="Na"), good_row(2, summary="x")])
    result = run("check", path, "--json", *AS_OF)
    library = check_many([path], rules, as_of=dt.date(2023, 5, 20))
    assert json.loads(result.stdout) == json.loads(library.to_json())
    assert [(f["cell"], f["rule_id"]) for f in json.loads(result.stdout)["findings"]] == [
        (None, "DV-TOITHIEU"), ("D5", "DN-DANHMUC"), ("K6", "DN-TOMTAT")]


def test_check_annotate_writes_copies(tmp_path, make_book):
    """`check --annotate DIR` writes an annotated copy beside, never over, the input."""
    path = make_book([good_row(gender="Na")], name="don_vi.xlsx")
    out = tmp_path / "tra_lai"
    result = run("check", path, "--annotate", out, *AS_OF)
    assert result.exit_code == 1
    copy = out / "don_vi_danh_dau.xlsx"
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "Kết quả kiểm tra"
    assert wb["Danh sách đề nghị"]["D5"].comment is not None


def test_template_command(tmp_path):
    """`template` writes the template; `--unit/--month` pre-fill; an unknown unit is a usage error (2)."""
    out = tmp_path / "mau.xlsx"
    assert run("template", "-o", out, "--unit", "CHEO", "--month", "2023-06", *AS_OF).exit_code == 0
    ws = openpyxl.load_workbook(out)["Thông tin đơn vị"]
    assert ws["B3"].value == "Nhà hát Chèo Hà Nội"
    assert ws["B4"].value == "Tháng 06/2023"
    result = CliRunner().invoke(main, ["template", "-o", str(out), "--unit", "Không có"])
    assert result.exit_code == 2


def test_template_all_units(tmp_path):
    """`template --all-units DIR` writes one pre-filled template per official unit."""
    result = run("template", "--all-units", tmp_path / "mau", "--month", "2023-05", *AS_OF)
    assert result.exit_code == 0
    assert len(list((tmp_path / "mau").glob("*.xlsx"))) == 24


def test_rules_lists_and_checks(tmp_path):
    """`rules` lists every rule with its clause; `rules --check` accepts the bundled file and rejects a broken one."""
    result = run("rules")
    assert result.exit_code == 0
    for rule in load_rules().rules:
        assert rule.id in result.output
    assert run("rules", "--check", ROOT / "rules" / "kh327-2023.yaml").exit_code == 0
    broken = tmp_path / "r.yaml"
    broken.write_text((ROOT / "rules" / "kh327-2023.yaml").read_text(encoding="utf-8").replace(
        "policy: strict_before", "policy: later"), encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "--check", str(broken)])
    assert result.exit_code == 2
    assert "unknown policy 'later'" in result.output


def test_consolidate_samples(tmp_path):
    """`consolidate` on the bundled samples writes the workbook, prints the summary and exits 1 (errors found)."""
    out = tmp_path / "tong_hop.xlsx"
    result = run("consolidate", ROOT / "sample_workbooks", "-o", out, "--as-of", "2023-07-25")
    assert result.exit_code == 1
    assert "Kỳ Tháng 07/2023: 11 đơn vị đúng hạn" in result.output
    assert out.exists()


def test_consolidate_as_a_process_leaves_stderr_clean(tmp_path):
    """Run as the user runs it: nothing on stderr but what ntvt means to say (no warnings or
    "Exception ignored" from a library at interpreter exit)."""
    out = tmp_path / "tong_hop.xlsx"
    done = subprocess.run([sys.executable, "-m", "checker", "consolidate", str(ROOT / "sample_workbooks"), "-o",
                           str(out), "--as-of", "2023-07-25"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr and "Warning" not in done.stderr, done.stderr
    assert out.exists()


def test_consolidate_refuses_output_inside_inbox(tmp_path, make_book):
    """The output may not be written inside the inbox (it would become an input): exit 2."""
    inbox = tmp_path / "inbox"
    make_book(directory=inbox)
    result = CliRunner().invoke(main, ["consolidate", str(inbox), "-o", str(inbox / "out.xlsx")])
    assert result.exit_code == 2
    assert "đó là tệp đầu vào hoặc nằm trong thư mục đầu vào" in result.output
