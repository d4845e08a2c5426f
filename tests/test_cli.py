"""The `ntvt` command: help everywhere, exit codes, and parity with the library."""

from __future__ import annotations

import datetime as dt
import json
import re
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
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, prog_name="ntvt")


SAMPLES = ROOT / "sample_workbooks"
# Words of click's English, or of ntvt's old English help: none may reach a person. Option names
# (--version, --output) are taken out before looking.
ENGLISH = re.compile(r"Usage|Options|Commands|Error|Show this message|required|default|does not|Example|Exit code|"
                     r"is a directory|Missing|Try |Invalid|No such|version|File|Directory|Path|Aborted|argument|"
                     r"Did you mean|unexpected")


def english(text: str) -> list[str]:
    return ENGLISH.findall(re.sub(r"(?<![\w-])--?[\w-]+", "", text))


HELP_HEAD = {(): "Cách dùng: ntvt [TÙY_CHỌN] LỆNH [THAM_SỐ]...", ("template",): "Cách dùng: ntvt template [TÙY_CHỌN]",
             ("check",): "Cách dùng: ntvt check [TÙY_CHỌN] TỆP...", ("rules",): "Cách dùng: ntvt rules [TÙY_CHỌN]",
             ("consolidate",): "Cách dùng: ntvt consolidate [TÙY_CHỌN] [THƯ_MỤC]",
             ("serve",): "Cách dùng: ntvt serve [TÙY_CHỌN]"}
# Every command's exit-code line names 3 (a bug, its log file) and, but for `serve` (Ctrl+C is how it
# stops, exit 0), 130.
INTERNAL_EXIT = "3: lỗi chương trình (chi tiết ghi vào tệp nhật ký)"
INTERRUPTED_EXIT = "130: đã dừng bằng Ctrl+C."


@pytest.mark.parametrize("command", list(HELP_HEAD))
def test_every_help_is_vietnamese_with_exit_codes_and_an_example(command):
    """Every --help: Vietnamese usage line and headings, exit codes and “Ví dụ:”, no English word."""
    result = run(*command, "--help")
    assert result.exit_code == 0
    lines = [line.strip() for line in result.output.splitlines()]
    assert lines[0] == HELP_HEAD[command]
    assert "Tùy chọn:" in lines
    assert [line.split()[2:] for line in lines if line.startswith("-h, --help")] == [["In", "hướng", "dẫn", "này",
                                                                                      "rồi", "thoát."]]
    if command:
        assert "Ví dụ:" in lines
        assert any(line.startswith("Mã thoát 0: ") for line in lines)
        text = " ".join(result.output.split())
        assert INTERNAL_EXIT in text
        assert (INTERRUPTED_EXIT in text) == (command != ("serve",))
    else:
        assert "Lệnh:" in lines
    assert english(result.output) == [], result.output


def test_help_shows_required_and_metavars_in_vietnamese():
    """consolidate --help says when -o is needed and names its values TỆP, THƯ_MỤC, NGÀY; serve's
    port range is in words."""
    text = " ".join(run("consolidate", "--help").output.split())
    assert ("-o, --output TỆP Tệp tổng hợp (.xlsx) sẽ ghi; không được nằm trong THƯ_MỤC hộp thư. Bắt buộc khi đọc "
            "THƯ_MỤC;") in text
    assert "--port CỔNG Cổng mở trang. [mặc định: 8327; từ 1 đến 65535]" in " ".join(run("serve", "--help").output.split())
    assert "--feedback THƯ_MỤC" in text and "--as-of NGÀY Ngày tính trạng thái, dạng 25/07/2023 hoặc 2023-07-25" in text
    assert " ".join(run("template", "--help").output.split()).count("--month THÁNG Điền sẵn kỳ báo cáo, dạng "
                                                                   "06/2023 hoặc 2023-06.") == 1


def test_check_help_example_names_a_sample_that_exists():
    """The example of `check --help` runs as printed, on a file shipped in sample_workbooks/."""
    examples = [line.split()[2] for line in run("check", "--help").output.splitlines()
                if line.strip().startswith("ntvt check sample_workbooks/")]
    assert examples and all((ROOT / name).is_file() for name in examples), examples


def test_version_is_vietnamese():
    assert run("--version").output.startswith("ntvt, phiên bản ")


def usage_errors(tmp_path):
    """(arguments, the exact last line) of each kind of usage error."""
    folder, mail = tmp_path / "hop_thu", tmp_path / "thu.eml"
    folder.mkdir()
    mail.write_text("Subject: x\n\nx\n", encoding="utf-8")
    sample = SAMPLES / "thang_06" / "NH_Cheo_thang06_lan1.xlsx"
    out = tmp_path / "mau.xlsx"
    commands = ", ".join(sorted(main.commands))  # the commands grow (serve, send…): the line lists them all
    return [
        (["consolidate", SAMPLES], "Lỗi: Thiếu tùy chọn “-o” / “--output”."),
        (["check"], "Lỗi: Thiếu tham số “TỆP...”."),
        (["check", sample, "--as-of", "25-07-2023"], "Lỗi: “--as-of”: “25-07-2023” không phải một ngày: hãy nhập "
         "ngày/tháng/năm (25/07/2023) hoặc năm-tháng-ngày (2023-07-25)."),
        (["template", "-o", out, "--month", "2023-13"], "Lỗi: “--month”: “2023-13” không phải một tháng: hãy nhập "
         "tháng/năm (06/2023) hoặc năm-tháng (2023-06)."),
        (["template", "-o", out, "--month", "01/2024"], "Lỗi: Kỳ báo cáo 01/2024 không có trong tệp quy tắc: các kỳ "
         "là 05/2023, 06/2023, 07/2023, 08/2023, 09/2023."),
        (["template", "-o", out, "--unit", "Không có"], "Lỗi: Không nhận ra đơn vị “Không có”. Mã của mọi đơn vị có "
         "ở cuối `ntvt rules`."),
        (["template", "-o", out, "--unit", "Chèo Hà Nội"], "Lỗi: Không nhận ra đơn vị “Chèo Hà Nội”. Có phải ý bạn là "
         "“Nhà hát Chèo Hà Nội” (--unit CHEO)? Mã của mọi đơn vị có ở cuối `ntvt rules`."),
        (["check", folder], f"Lỗi: “TỆP...”: “{folder}” là một thư mục: `ntvt check` kiểm tra từng tệp .xlsx; để đọc "
         f"cả thư mục, dùng `ntvt consolidate {folder} -o tong_hop.xlsx`."),
        (["check", mail], f"Lỗi: “TỆP...”: “{mail}” là một thư điện tử (.eml): `ntvt check` kiểm tra từng tệp "
         f".xlsx; để đọc cả thư điện tử, dùng `ntvt consolidate {mail} -o tong_hop.xlsx`."),
        (["check", sample, "--anotate", tmp_path], "Lỗi: Không có tùy chọn “--anotate”. Có phải ý bạn là "
         "“--annotate”?"),
        (["frob"], f"Lỗi: Không có lệnh “frob”: các lệnh là {commands} (xem “ntvt --help”)."),
        (["chek", sample], f"Lỗi: Không có lệnh “chek”: các lệnh là {commands} (xem “ntvt --help”). Có phải ý bạn là "
         "“check”?"),
        (["serve", "--port", "0"], "Lỗi: “--port”: 0 nằm ngoài khoảng từ 1 đến 65535."),
        (["check", tmp_path / "khong_co.xlsx"], f"Lỗi: “TỆP...”: Không có “{tmp_path / 'khong_co.xlsx'}”: kiểm tra "
         f"lại tên và thư mục."),
        (["check", "--as-of"], "Lỗi: Tùy chọn “--as-of” cần một giá trị đi kèm."),
        (["consolidate", SAMPLES, "thua", "-o", tmp_path / "o.xlsx"], "Lỗi: Thừa tham số (thua): xem cách dùng ở trên."),
    ]


def test_every_usage_error_is_vietnamese(tmp_path):
    """Each usage error: exit 2, the exact Vietnamese line, Vietnamese usage lines, no English, no repr quotes."""
    for args, expected in usage_errors(tmp_path):
        result = CliRunner().invoke(main, [str(a) for a in args], prog_name="ntvt")
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.splitlines()
        assert lines[-1] == expected, args
        if len(lines) > 1:
            command = " ".join(["ntvt", *[str(a) for a in args[:1] if str(a) in main.commands]])
            assert lines[:2] == [HELP_HEAD[tuple(args[:1]) if args[0] in main.commands else ()],
                                 f"Xem cách dùng: “{command} --help”."], args
        assert english(result.stderr) == [] and "'" not in result.stderr, result.stderr
    assert not (tmp_path / "mau.xlsx").exists()


def test_no_arguments_shows_the_vietnamese_help():
    result = run()
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == HELP_HEAD[()] and english(result.output) == []


def _ntvt(*args):
    """ntvt as a person runs it: a new Python process (the same entry point as the installed `ntvt`)."""
    return subprocess.run([sys.executable, "-m", "checker", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, cwd=ROOT)


def test_help_and_usage_errors_in_a_real_process(tmp_path):
    """The catalogue is installed in a real process too: help and usage errors in Vietnamese."""
    for command in HELP_HEAD:
        done = _ntvt(*command, "--help")
        assert done.returncode == 0 and done.stdout.splitlines()[0] == HELP_HEAD[command], done.stderr
        assert english(done.stdout) == [], done.stdout
    errors = usage_errors(tmp_path)
    for args, expected in errors[:3] + errors[6:7]:
        done = _ntvt(*args)
        assert done.returncode == 2 and done.stderr.splitlines()[-1] == expected, done.stderr
        assert english(done.stderr) == [], done.stderr


def test_month_and_as_of_take_both_forms(tmp_path):
    """--month 06/2023 = --month 2023-06; --as-of 25/07/2023 = --as-of 2023-07-25 (same bytes written)."""
    made = []
    for month, day in (("06/2023", "25/07/2023"), ("2023-06", "2023-07-25")):
        out = tmp_path / f"mau_{len(made)}.xlsx"
        assert run("template", "-o", out, "--unit", "CHEO", "--month", month, "--as-of", day).exit_code == 0
        made.append(out.read_bytes())
    assert made[0] == made[1]
    assert openpyxl.load_workbook(tmp_path / "mau_0.xlsx")["Thông tin đơn vị"]["B4"].value == "Tháng 06/2023"


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
    line = result.stderr.strip()
    assert line.startswith(f"Lỗi: Tệp quy tắc không hợp lệ ở {broken}, dòng ") and "unknown policy" not in line
    log = re.search(r"Chi tiết kỹ thuật đã ghi vào (.+\.log)\.$", line).group(1)
    assert "unknown policy 'later'" in open(log, encoding="utf-8").read()  # the English detail: the log only


def test_consolidate_samples(tmp_path):
    """`consolidate` on the bundled samples writes the workbook, prints the summary and exits 1 (errors found)."""
    out = tmp_path / "tong_hop.xlsx"
    result = run("consolidate", ROOT / "sample_workbooks", "-o", out, "--as-of", "2023-07-25")
    assert result.exit_code == 1
    assert "Kỳ tháng 07/2023: 11 đơn vị đúng hạn" in result.output
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
