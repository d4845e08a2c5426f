"""Exit codes and leftovers: every failure has its exit code and one Vietnamese line; an output that
cannot be written leaves the earlier one intact and no scratch behind; forged zips are refused."""

from __future__ import annotations

import errno
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import checker.api
from checker.write import files as fileio
from checker.write import workbook as output
from checker.read import safety
from checker.write import streaming as sheetxml
from checker.write import template
from checker.cli import main
from checker.ruleset.loader import load_rules
from checker.write.names import template_name

from .conftest import ROOT, good_row
from .builders.hostile import NOMINATIONS_SHEET
from .builders.hostile_exits import (DOCTYPE, copy_with, declare_size, doctype_in_sheet, minimal_ods, utf16_sheet,
                            with_marker_at)

AS_OF = ["--as-of", "2023-05-20"]
EARLIER = b"earlier output: must survive a failed write"
INTERNAL = re.compile(r"Lỗi chương trình \(không phải do tệp của đơn vị\): chi tiết đã ghi vào (.+\.log)\. "
                      r"Hãy gửi tệp này cho người quản trị ntvt\.")
DETAIL = re.compile(r" Chi tiết kỹ thuật đã ghi vào (.+\.log)\.$")
WORDS = fileio._OS_WORDS


@pytest.fixture(autouse=True)
def systmp(tmp_path, monkeypatch):
    """The system temp folder of the run (where logs and stray temporary files would go)."""
    folder = tmp_path / "systmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line(result) -> str:
    """The single line a failed command wrote on stderr (click's usage lines aside), after the
    count line a check prints before it ("1 tệp: 1 lỗi, …": the findings were printed first)."""
    lines = [line for line in result.stderr.splitlines() if not COUNT_LINE.fullmatch(line)]
    assert len(lines) == 1, result.stderr
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    """What a write may leave: scratch folders, .tmp and .splice files, xlsxwriter's tmp* files."""
    return sorted(p.name for p in folder.iterdir()
                  if fileio.SCRATCH_MARK in p.name or p.name.endswith((".tmp", ".splice")) or p.name.startswith("tmp"))


COUNT_LINE = re.compile(r"\d+ tệp: \d+ lỗi, \d+ cảnh báo, \d+ thông tin\.")


def output_failure(result, target: Path, errno_words: str) -> Path:
    """Assert exit 2 and the line "Không ghi được kết quả vào <target>: <what to do>. Chi tiết…"; return the log."""
    assert result.exit_code == 2, result.stderr
    line = one_line(result)
    assert line.startswith(f"Lỗi: Không ghi được kết quả vào {target}: {errno_words}."), line
    log = Path(DETAIL.search(line).group(1))
    assert "cannot write" in log.read_text(encoding="utf-8")
    return log


@pytest.fixture
def inbox(tmp_path, make_book):
    folder = tmp_path / "inbox"
    make_book(directory=folder, name="cheo.xlsx")
    return folder


# ---------------------------------------------------------------------------------------------
# Internal errors: exit 3, one line, the traceback in a log


@pytest.mark.parametrize("command, patched", [
    (["check", "{book}"], "validate_files"),
    (["consolidate", "{inbox}", "-o", "{out}"], "consolidate"),
    (["template", "-o", "{out}"], "make_template"),
    (["rules"], "load_rules"),
    (["rules", "--check", str(ROOT / "rules" / "kh327-2023.yaml")], "load_rules"),
])
def test_internal_error_exits_3_with_a_log(command, patched, monkeypatch, tmp_path, inbox, systmp):
    """A bug in any command exits 3 with one Vietnamese line naming a log that holds the traceback."""
    def broken(*args, **kwargs):
        raise RuntimeError("boom: a bug, not the unit's file")

    monkeypatch.setattr(checker.api, patched, broken)
    args = [a.format(book=inbox / "cheo.xlsx", inbox=inbox, out=tmp_path / "out.xlsx") for a in command]
    result = run(*args, *(AS_OF if command[0] != "rules" else []))
    assert result.exit_code == 3
    log = Path(INTERNAL.fullmatch(one_line(result)).group(1))
    assert log.parent == systmp and log.name.startswith("ntvt-loi-") and f"-{os.getpid()}-" in log.name
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: boom: a bug, not the unit's file" in text
    assert "in broken" in text


def test_internal_error_mid_write_keeps_earlier_output_and_leaves_nothing(monkeypatch, tmp_path, inbox, systmp):
    """A bug while the consolidated workbook is half written: exit 3, the earlier output unchanged, no
    scratch folder and no xlsxwriter temporary file (they hold input data) anywhere."""
    out = tmp_path / "out" / "tong_hop.xlsx"
    out.parent.mkdir()
    out.write_bytes(EARLIER)
    seen = {}

    def broken(ctx, ws):
        # constant_memory: the rows written so far are in xlsxwriter's temporary files, in the scratch folder.
        seen["scratch"] = sorted(os.listdir(Path(ctx.path).parent))
        raise RuntimeError("boom in the middle of writing")

    monkeypatch.setattr(output.manifest, "write_manifest", broken)
    result = run("consolidate", inbox, "-o", out, *AS_OF)
    assert result.exit_code == 3
    INTERNAL.fullmatch(one_line(result))
    assert len([n for n in seen["scratch"] if n.startswith("tmp")]) >= output.SHEET_COUNT
    assert out.read_bytes() == EARLIER
    assert leftovers(out.parent) == []
    assert [p.name.startswith("ntvt-loi-") for p in systmp.iterdir()] == [True]


def test_internal_error_in_template_writer_leaves_nothing(monkeypatch, tmp_path, systmp):
    """A bug while the template is written: exit 3, nothing beside the target or in the temp folder."""
    monkeypatch.setattr(template._TemplateWriter, "_lists_sheet", lambda self: 1 / 0)
    out = tmp_path / "mau.xlsx"
    result = run("template", "-o", out, *AS_OF)
    assert result.exit_code == 3
    INTERNAL.fullmatch(one_line(result))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["systmp"]
    assert "ZeroDivisionError" in next(systmp.iterdir()).read_text(encoding="utf-8")


def test_internal_error_during_splice_leaves_no_splice_file(monkeypatch, tmp_path, inbox, systmp):
    """A bug while the big sheets are spliced in: no `.splice` copy and no scratch folder remain."""
    def broken(pieces, sink):
        sink.write(b"<row/>" * 1000)
        raise RuntimeError("boom while splicing")

    monkeypatch.setattr(sheetxml, "_pump", broken)
    out = tmp_path / "tong_hop.xlsx"
    result = run("consolidate", inbox, "-o", out, *AS_OF)
    assert result.exit_code == 3
    assert not out.exists()
    assert leftovers(tmp_path) == [] and leftovers(systmp) == []


def test_no_log_possible_prints_the_traceback(monkeypatch, tmp_path):
    """When the temp folder cannot hold a log, the traceback goes to stderr instead: exit 3 still."""
    blocked = tmp_path / "a_file"
    blocked.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked / "sub"))
    monkeypatch.setattr(checker.api, "load_rules", lambda *a, **k: 1 / 0)
    result = run("rules")
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr and "ZeroDivisionError" in result.stderr
    assert result.stderr.splitlines()[-1] == ("Lỗi chương trình (không phải do tệp của đơn vị), không ghi được tệp "
                                              "chi tiết: hãy gửi nội dung trên cho người quản trị ntvt.")


def test_ctrl_c_exits_130(monkeypatch, tmp_path, inbox):
    """Ctrl+C: a short Vietnamese line and exit 130 (128 + SIGINT), not a traceback, not 1."""
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(checker.api, "consolidate", interrupted)
    result = run("consolidate", inbox, "-o", tmp_path / "out.xlsx", *AS_OF)
    assert result.exit_code == 130
    assert one_line(result) == "Đã dừng theo yêu cầu (Ctrl+C); kết quả cũ, nếu có, vẫn giữ nguyên."


def _python(code: str, tmp_path: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to oneself is POSIX")
def test_real_ctrl_c_mid_write_exits_130_and_cleans_up(tmp_path, inbox):
    """A real SIGINT while the workbook is half written: exit 130, one line, the earlier output
    intact and the scratch folder (xlsxwriter's files included) removed."""
    target = tmp_path / "tong_hop.xlsx"
    target.write_bytes(EARLIER)
    done = _python("import os, signal, checker.write.workbook.manifest as o; "
                   "o.write_manifest = lambda ctx, ws: os.kill(os.getpid(), signal.SIGINT); "
                   "from checker.cli import main; "
                   f"main(['consolidate', {str(inbox)!r}, '-o', {str(target)!r}, '--as-of', '2023-05-20'])", tmp_path)
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1] == "Đã dừng theo yêu cầu (Ctrl+C); kết quả cũ, nếu có, vẫn giữ nguyên."
    assert target.read_bytes() == EARLIER
    assert leftovers(tmp_path) == []


def test_real_process_internal_error_prints_one_line(tmp_path):
    """`python -m checker` with a bug: exit 3 and exactly the one line on stderr, nothing else."""
    done = _python("import runpy, checker.api; checker.api.load_rules = lambda *a, **k: {}['missing']; "
                   "import sys; sys.argv = ['ntvt', 'rules']; runpy.run_module('checker', run_name='__main__')", tmp_path)
    assert done.returncode == 3, done.stderr
    log = Path(INTERNAL.fullmatch(done.stderr.rstrip("\n")).group(1))
    assert log.parent == tmp_path
    assert "KeyError: 'missing'" in log.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Configuration and usage problems: exit 2, Vietnamese on screen, English in the log


def test_checker_error_without_message_is_generic_vietnamese(monkeypatch, tmp_path, inbox):
    """A CheckerError with English detail only: a Vietnamese line, the detail in the log, exit 2."""
    def refuse(*args, **kwargs):
        raise checker.CheckerError("receipt log column 'file' missing (English detail)")

    monkeypatch.setattr(checker.api, "consolidate", refuse)
    result = run("consolidate", inbox, "-o", tmp_path / "out.xlsx", *AS_OF)
    assert result.exit_code == 2
    line = one_line(result)
    assert line.startswith("Lỗi: Không thực hiện được lệnh: kiểm tra các tệp và tùy chọn đã nhập rồi chạy lại. ")
    assert "English" not in line
    assert "receipt log column 'file' missing" in Path(DETAIL.search(line).group(1)).read_text(encoding="utf-8")


def test_output_inside_inbox_is_refused_in_vietnamese(inbox):
    """Writing into the inbox is refused: Vietnamese on screen, "refusing to write" only in the log."""
    target = inbox / "out.xlsx"
    result = run("consolidate", inbox, "-o", target, *AS_OF)
    assert result.exit_code == 2
    line = one_line(result)
    assert line.startswith(f"Lỗi: Không ghi được kết quả vào {target}: đó là tệp đầu vào hoặc nằm trong thư mục "
                           f"đầu vào {inbox}; hãy chọn nơi ghi khác.")
    assert "refusing" not in result.stderr
    assert "refusing to write" in Path(DETAIL.search(line).group(1)).read_text(encoding="utf-8")


def test_broken_rules_file_still_names_the_place(tmp_path):
    """A broken rules file: exit 2, and the line still says where (whoever edits the file needs it)."""
    broken = tmp_path / "r.yaml"
    broken.write_text("plan: [unclosed\n", encoding="utf-8")
    result = run("rules", "--check", broken)
    assert result.exit_code == 2
    line = one_line(result)
    assert line.startswith(f"Lỗi: Tệp quy tắc không hợp lệ ở {broken}, dòng 2: không đọc được cấu trúc YAML ở đây: "
                           "thường do thụt lề không đều (các khóa cùng cấp phải thẳng cột), thiếu dấu “:” sau một "
                           "khóa, hoặc thiếu dấu đóng (ngoặc kép, ] hoặc }); hãy sửa dòng này hoặc dòng ngay trên. "
                           f"Sửa tệp rồi kiểm tra lại bằng `ntvt rules --check {broken}`. Chi tiết kỹ thuật đã ghi vào ")
    assert "not valid YAML" in Path(DETAIL.search(line).group(1)).read_text(encoding="utf-8")  # English: log only


@pytest.mark.parametrize("command", ["template", "check", "consolidate"])
@pytest.mark.parametrize("day, shown", [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01"),
                                        ("31/12/9999", "9999-12-31"), ("1999-12-31", "1999-12-31"),
                                        ("2101-01-01", "2101-01-01")])
def test_as_of_out_of_range_is_a_usage_error(command, day, shown, tmp_path, inbox):
    """A status date far from any plan is a usage error (exit 2), not an OverflowError."""
    args = {"template": ["-o", tmp_path / "m.xlsx"], "check": [inbox / "cheo.xlsx"],
            "consolidate": [inbox, "-o", tmp_path / "o.xlsx"]}[command]
    result = run(command, *args, "--as-of", day)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Lỗi: “--as-of”: “{day}” nằm ngoài khoảng cho phép (năm 2000–2100): hãy nhập lại."
    assert not (tmp_path / "m.xlsx").exists() and not (tmp_path / "o.xlsx").exists()


@pytest.mark.parametrize("day, code", [("2000-01-01", 0), ("2100-12-31", 1)])
def test_as_of_at_the_edges_is_accepted(day, code, tmp_path, inbox):
    """The first and last days of the span are accepted, for consolidate too (end_of(as_of) + 1 day):
    in 2000 nothing is due yet (0), in 2100 every unit but one is missing (1)."""
    out = tmp_path / "o.xlsx"
    result = run("consolidate", inbox, "-o", out, "--as-of", day)
    assert result.exit_code == code, result.stderr
    assert out.exists()


# ---------------------------------------------------------------------------------------------
# Outputs that cannot be written: exit 2, what to do, the earlier output intact, nothing left


def test_output_under_a_regular_file(tmp_path):
    """-o a_file/mau.xlsx: the path goes through a file: "chọn thư mục khác", exit 2."""
    (tmp_path / "a_file").write_bytes(EARLIER)
    target = tmp_path / "a_file" / "mau.xlsx"
    output_failure(run("template", "-o", target, *AS_OF), target, WORDS[errno.EEXIST])
    assert (tmp_path / "a_file").read_bytes() == EARLIER


def test_consolidated_output_under_a_regular_file(tmp_path, inbox):
    """consolidate -o a_file/x/tong_hop.xlsx: exit 2 after the whole run, the file untouched."""
    (tmp_path / "a_file").write_bytes(EARLIER)
    target = tmp_path / "a_file" / "x" / "tong_hop.xlsx"
    log = output_failure(run("consolidate", inbox, "-o", target, *AS_OF), target, WORDS[errno.ENOTDIR])
    assert "NotADirectoryError" in log.read_text(encoding="utf-8")
    assert (tmp_path / "a_file").read_bytes() == EARLIER


def test_unit_template_target_is_a_directory(tmp_path, rules):
    """template --all-units DIR where a unit's file name is taken by a folder: EISDIR words, exit 2."""
    folder = tmp_path / "mau"
    taken = folder / template_name(rules.plan.short_name, rules.units[0].id, "2023-05")
    (taken / "inside").mkdir(parents=True)
    output_failure(run("template", "--all-units", folder, "--month", "2023-05", *AS_OF), taken, WORDS[errno.EISDIR])
    assert taken.is_dir() and (taken / "inside").is_dir()
    assert leftovers(folder) == []


def test_annotated_copy_target_is_a_directory(tmp_path, make_book):
    """check --annotate DIR where the copy's name is a folder: EISDIR words, exit 2."""
    book = make_book([], name="don_vi.xlsx")
    taken = tmp_path / "tra_lai" / "don_vi_danh_dau.xlsx"
    taken.mkdir(parents=True)
    output_failure(run("check", book, "--annotate", tmp_path / "tra_lai", *AS_OF), taken, WORDS[errno.EISDIR])
    assert leftovers(tmp_path / "tra_lai") == []


def _chattr(path: Path, flag: str) -> None:
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True)
    if done.returncode:
        pytest.skip(f"chattr {flag} not possible here: {done.stderr.decode(errors='replace').strip()}")


@pytest.fixture
def immutable(request):
    """Make paths immutable (`chattr +i`: even root cannot replace them), undone after the test."""
    made = []

    def make(path: Path) -> Path:
        _chattr(path, "+i")
        made.append(path)
        return path

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


@pytest.mark.skipif(sys.platform == "win32", reason="chattr is Linux")
def test_locked_consolidated_output(tmp_path, inbox, immutable):
    """An output that cannot be replaced (open in Excel on Windows; immutable here): the Excel
    advice, exit 2, the earlier bytes unchanged, no scratch left."""
    target = tmp_path / "tong_hop.xlsx"
    target.write_bytes(EARLIER)
    immutable(target)
    log = output_failure(run("consolidate", inbox, "-o", target, *AS_OF), target, WORDS[errno.EPERM])
    assert "PermissionError" in log.read_text(encoding="utf-8")
    assert "đóng tệp trong Excel rồi chạy lại" in WORDS[errno.EPERM]
    assert target.read_bytes() == EARLIER
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="chattr is Linux")
def test_locked_folder(tmp_path, immutable):
    """A folder nothing can be created in: the permission advice, exit 2, the earlier file unchanged."""
    folder = tmp_path / "khoa"
    folder.mkdir()
    (folder / "mau.xlsx").write_bytes(EARLIER)
    immutable(folder)
    output_failure(run("template", "-o", folder / "mau.xlsx", *AS_OF), folder / "mau.xlsx", WORDS[errno.EPERM])
    assert (folder / "mau.xlsx").read_bytes() == EARLIER
    assert sorted(os.listdir(folder)) == ["mau.xlsx"]


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a small tmpfs (root only): a real full or read-only disk. Skips where mounting is not allowed."""
    mounted = []

    def mount(size: str) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
        mounted.append(point)
        return point

    yield mount
    gc.collect()  # a writer that failed may still hold its (deleted) temporary files open
    for point in mounted:
        if subprocess.run(["umount", str(point)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(point)], capture_output=True)  # detached once the files close


@pytest.mark.skipif(sys.platform == "win32", reason="tmpfs is Linux")
def test_full_disk(tmpfs):
    """A disk with no space left (ENOSPC, on a real 8 KiB tmpfs): free-space advice, exit 2, earlier file intact."""
    disk = tmpfs("8k")
    target = disk / "mau.xlsx"
    target.write_bytes(EARLIER)
    log = output_failure(run("template", "-o", target, *AS_OF), target, WORDS[errno.ENOSPC])
    assert "giải phóng dung lượng ổ đĩa" in WORDS[errno.ENOSPC]
    assert "No space left on device" in log.read_text(encoding="utf-8")
    assert target.read_bytes() == EARLIER
    assert sorted(os.listdir(disk)) == ["mau.xlsx"]


@pytest.mark.skipif(sys.platform == "win32", reason="tmpfs is Linux")
def test_full_disk_for_a_big_consolidation(tmpfs, inbox):
    """The consolidated workbook (constant_memory, streamed rows, splice) on a full disk: same outcome."""
    disk = tmpfs("24k")
    target = disk / "tong_hop.xlsx"
    target.write_bytes(EARLIER)
    output_failure(run("consolidate", inbox, "-o", target, *AS_OF), target, WORDS[errno.ENOSPC])
    assert target.read_bytes() == EARLIER
    assert sorted(os.listdir(disk)) == ["tong_hop.xlsx"]


@pytest.mark.skipif(sys.platform == "win32", reason="tmpfs is Linux")
def test_read_only_disk(tmpfs):
    """A read-only disk (EROFS): "chọn thư mục khác", exit 2, the earlier file intact."""
    disk = tmpfs("1m")
    target = disk / "mau.xlsx"
    target.write_bytes(EARLIER)
    if subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot remount read-only")
    output_failure(run("template", "-o", target, *AS_OF), target, WORDS[errno.EROFS])
    assert target.read_bytes() == EARLIER


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_file_size_limit_in_a_real_process(tmp_path):
    """A process whose files may not grow (RLIMIT_FSIZE: EFBIG, like a full quota): exit 2, the advice."""
    target = tmp_path / "mau.xlsx"
    target.write_bytes(EARLIER)
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)); from checker.cli import main; "
            f"main(['template', '-o', {str(target)!r}, '--as-of', '2023-05-02'])")
    done = _python(code, tmp_path, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"Lỗi: Không ghi được kết quả vào {target}: {WORDS[errno.EFBIG]}."), done.stderr
    assert target.read_bytes() == EARLIER
    assert leftovers(tmp_path) == []


def test_name_too_long(tmp_path):
    """A file name over the file system's 255 bytes: ENAMETOOLONG words, exit 2, nothing left."""
    target = tmp_path / ("a" * 300 + ".xlsx")
    output_failure(run("template", "-o", target, *AS_OF), target, WORDS[errno.ENAMETOOLONG])
    assert leftovers(tmp_path) == []


def test_longest_legal_name_is_written(tmp_path):
    """A 255-byte name is legal: its scratch folder and temporary file must not make it too long."""
    target = tmp_path / ("b" * 250 + ".xlsx")
    result = run("template", "-o", target, *AS_OF)
    assert result.exit_code == 0, result.stderr
    assert zipfile.is_zipfile(target)
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# Leftovers of killed runs


@pytest.mark.parametrize("command", ["template", "consolidate"])
def test_stale_scratch_of_the_same_target_is_removed(command, tmp_path, inbox):
    """What killed runs left for this target (scratch folders, old `.tmp`/`.splice` files) goes; other
    targets' leftovers stay."""
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".ket_qua.ntvt-tmp-abc123", out / ".ket_qua.ntvt-tmp-zzz"]
    for folder in stale:
        folder.mkdir()
        (folder / "tmp9x8y7z").write_text("rows of a unit's file")
    legacy = [out / ".ket_qua.k2j3h4_x.xlsx.tmp", out / ".ket_qua.k2j3h4_x.xlsx.tmp.splice"]
    for path in legacy:
        path.write_bytes(b"half a zip")
    other = [out / ".khac.ntvt-tmp-abc123", out / ".khac.q1w2e3.xlsx.tmp", out / "ket_qua.tmp.txt"]
    other[0].mkdir()
    other[1].write_bytes(b"another target's")
    other[2].write_bytes(b"not ours")
    args = ["-o", out / "ket_qua.xlsx"] if command == "template" else [inbox, "-o", out / "ket_qua.xlsx"]
    result = run(command, *args, *AS_OF)
    assert result.exit_code in (0, 1), result.stderr
    assert sorted(os.listdir(out)) == sorted(["ket_qua.xlsx", *(p.name for p in other)])


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_stale_scratch_that_is_a_link_is_unlinked_not_followed(tmp_path):
    """A "scratch folder" that is a link to a real folder: the link goes, the folder's files stay."""
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    (tmp_path / ".mau.ntvt-tmp-link").symlink_to(precious, target_is_directory=True)
    assert run("template", "-o", tmp_path / "mau.xlsx", *AS_OF).exit_code == 0
    assert not (tmp_path / ".mau.ntvt-tmp-link").exists()
    assert (precious / "keep.txt").read_text() == "keep"


def test_killed_run_leaves_earlier_output_and_next_run_cleans_up(tmp_path, inbox):
    """A run killed mid-write (os._exit: no finally runs) leaves the earlier output and a scratch
    folder; the next run of the same target removes that folder and writes the output."""
    target = tmp_path / "tong_hop.xlsx"
    target.write_bytes(EARLIER)
    code = ("import os, checker.write.workbook.manifest as o; o.write_manifest = lambda ctx, ws: os._exit(9); "
            "from checker.cli import main; "
            f"main(['consolidate', {str(inbox)!r}, '-o', {str(target)!r}, '--as-of', '2023-05-20'])")
    done = _python(code, tmp_path)
    assert done.returncode == 9, done.stderr
    assert target.read_bytes() == EARLIER
    left = leftovers(tmp_path)
    assert len(left) == 1 and left[0].startswith(".tong_hop.ntvt-tmp-")
    assert any(n.startswith("tmp") for n in os.listdir(tmp_path / left[0]))  # xlsxwriter's rows, in the scratch
    result = run("consolidate", inbox, "-o", target, *AS_OF)
    assert result.exit_code == 1
    assert zipfile.is_zipfile(target)
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# Zips with two parts of one name


def _check_json(path: Path) -> dict:
    result = run("check", path, "--json", *AS_OF)
    assert result.exit_code == 2, result.stderr
    return json.loads(result.stdout)["files"][0]


def _verdict(path: Path):
    return safety.inspect_bytes(path.name, path.read_bytes(), load_rules().limits)


HIDDEN = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
         b'<sheetData><row r="5"><c r="B5" t="inlineStr"><is><t>hidden copy</t></is></c></row></sheetData></worksheet>'
NFD_NAME = unicodedata.normalize("NFD", "xl/media/ảnh.png")


@pytest.mark.parametrize("first, second", [
    (NOMINATIONS_SHEET, NOMINATIONS_SHEET),
    (NOMINATIONS_SHEET, NOMINATIONS_SHEET.upper()),
    (NOMINATIONS_SHEET, "Xl/Worksheets/Sheet3.XML"),
    (NOMINATIONS_SHEET, NOMINATIONS_SHEET.replace("/", "\\")),
    (NOMINATIONS_SHEET, "/" + NOMINATIONS_SHEET),
    ("xl/workbook.xml", "XL\\WORKBOOK.XML"),
    ("xl/media/ảnh.png", NFD_NAME),
])
def test_duplicate_parts_are_refused(first, second, tmp_path, make_book):
    """Two parts a reader may take for one (same name, other case, "\\", a leading "/", NFD): rejected."""
    base = make_book()
    extra = [(second, HIDDEN)] if first != "xl/media/ảnh.png" else [(first, b"png1"), (second, b"png2")]
    forged = copy_with(base, tmp_path / "gia.xlsx", extra=extra)
    both = f"“{first}”" if first == second else f"“{first}” và “{second}”"
    reason = (f"tệp nén có hai thành phần cùng tên ({both}): nghi là tệp bị làm giả, không đọc; hãy mở bằng "
              f"Excel, lưu lại rồi gửi lại")
    verdict = _verdict(forged)
    assert (verdict.code, verdict.reason) == ("duplicate_part", reason)
    assert _check_json(forged)["reason"] == reason


def test_similar_but_distinct_part_names_are_accepted(tmp_path, make_book):
    """image1.png and image10.png, sheet3.xml and sheet3.xml.rels are different parts: accepted."""
    book = copy_with(make_book(), tmp_path / "ok.xlsx", extra=[("xl/media/image1.png", b"1"),
                                                                ("xl/media/image10.png", b"2"),
                                                                ("xl/media/image1.jpg", b"3")])
    assert _verdict(book) == "xlsx"
    assert run("check", book, *AS_OF).exit_code == 0


# ---------------------------------------------------------------------------------------------
# DOCTYPE anywhere in any part


def _bomb_reason(part: str) -> str:
    return f"phần {part} khai báo DOCTYPE/ENTITY: nghi là bom XML, không đọc"


@pytest.mark.parametrize("at, marker", [
    (5_000, DOCTYPE),
    (100_000, DOCTYPE),
    (safety.SCAN_BLOCK - 4, DOCTYPE),  # "<!DO" in one block, "CTYPE" in the next
    (safety.SCAN_BLOCK - 1, DOCTYPE),
    (safety.SCAN_BLOCK + 10, b"<!doctype worksheet>"),
    (70_000, b'<!ENTITY a "ha">'),
    (3 * safety.SCAN_BLOCK - 5, b"<!EnTiTy a SYSTEM 'file:///etc/passwd'>"),
])
def test_doctype_anywhere_in_the_sheet_is_refused(at, marker, tmp_path, make_book):
    """A DOCTYPE or ENTITY at any byte of a part, in any case, even across two inflated blocks: rejected."""
    bomb = doctype_in_sheet(make_book(), tmp_path / "bom.xlsx", at, marker)
    verdict = _verdict(bomb)
    assert (verdict.code, verdict.reason) == ("xml_bomb", _bomb_reason(NOMINATIONS_SHEET))
    assert _check_json(bomb)["reason"] == _bomb_reason(NOMINATIONS_SHEET)


@pytest.mark.parametrize("codec, bom", [("utf-16-le", True), ("utf-16-be", True), ("utf-16-le", False),
                                        ("utf-16-be", False)])
def test_doctype_in_utf16_xml_is_refused(codec, bom, tmp_path, make_book):
    """XML parsers read UTF-16, where "<!DOCTYPE" has NUL bytes between its letters: still rejected."""
    bomb = utf16_sheet(make_book(), tmp_path / "bom16.xlsx", codec, bom)
    verdict = _verdict(bomb)
    assert (verdict.code, verdict.reason) == ("xml_bomb", _bomb_reason(NOMINATIONS_SHEET))


VML = b'<xml xmlns:v="urn:schemas-microsoft-com:vml"><v:shape/></xml>'


@pytest.mark.parametrize("part, data", [
    ("xl/drawings/vmlDrawing9.vml", with_marker_at(VML, 5_000)),
    ("xl/worksheets/_rels/sheet3.xml.rels", with_marker_at(b'<?xml version="1.0"?><Relationships/>', 200)),
    ("customXml/item1.dat", b"<root>" + b" " * 9000 + DOCTYPE + b"</root>"),
    ("xl/embeddings/oleObject1.bin", b"\x00\x01binary" + DOCTYPE),
    ("docProps/custom.xml", with_marker_at(b'<?xml version="1.0"?><Properties/>', 4_097)),
])
def test_doctype_in_any_part_is_refused(part, data, tmp_path, make_book):
    """Whatever a part is called (.vml, .rels, .dat, .bin), a DOCTYPE in it rejects the file."""
    bomb = copy_with(make_book(), tmp_path / "bom.xlsx", extra=[(part, data)])
    verdict = _verdict(bomb)
    assert (verdict.code, verdict.reason) == ("xml_bomb", _bomb_reason(part))


@pytest.mark.parametrize("part", ["content.xml", "styles.xml", "meta.xml", "settings.xml", "META-INF/manifest.xml"])
def test_doctype_in_an_ods_part_is_refused(part, tmp_path):
    """Each XML part of an OpenDocument spreadsheet is scanned to its end: a DOCTYPE at byte 6,000 rejects it."""
    plain = minimal_ods(tmp_path / "ok.ods")
    with zipfile.ZipFile(plain) as z:
        xml = z.read(part)
    bomb = minimal_ods(tmp_path / "bom.ods", {part: with_marker_at(xml, 6_000)})
    verdict = _verdict(bomb)
    assert (verdict.code, verdict.reason) == ("xml_bomb", _bomb_reason(part))
    assert _check_json(bomb)["reason"] == _bomb_reason(part)


def test_doctype_hidden_past_the_declared_size_is_refused(tmp_path, make_book):
    """A part that declares fewer bytes than it holds hides its tail from zipfile, not from calamine:
    the whole stream is inflated and the DOCTYPE found."""
    base = make_book()
    with zipfile.ZipFile(base) as z:
        sheet = z.read(NOMINATIONS_SHEET)
    grown = copy_with(base, tmp_path / "grown.xlsx", {NOMINATIONS_SHEET: sheet + b" " * 20_000 + DOCTYPE})
    liar = declare_size(grown, tmp_path / "liar.xlsx", NOMINATIONS_SHEET, len(sheet))
    verdict = _verdict(liar)
    assert (verdict.code, verdict.reason) == ("xml_bomb", _bomb_reason(NOMINATIONS_SHEET))


def test_part_lying_about_its_size_is_refused(tmp_path, make_book):
    """A part whose declared size is not what it inflates to: a damaged or forged file, rejected."""
    base = make_book()
    with zipfile.ZipFile(base) as z:
        size = z.getinfo(NOMINATIONS_SHEET).file_size
    liar = declare_size(base, tmp_path / "liar.xlsx", NOMINATIONS_SHEET, size - 100)
    verdict = _verdict(liar)
    reason = (f"tệp nén hỏng hoặc bị cắt cụt (phần {NOMINATIONS_SHEET} không đúng kích thước hoặc mã kiểm tra "
              f"đã khai báo)")
    assert (verdict.code, verdict.reason) == ("corrupt", reason)
    assert _check_json(liar)["reason"] == reason


def test_normal_files_are_still_accepted(tmp_path, make_book):
    """A clean filled template, its annotated copy (comments: a .vml part) and a plain .ods pass the scan."""
    book = make_book([good_row(gender="Na")], name="don_vi.xlsx")
    assert _verdict(book) == "xlsx"
    result = run("check", book, "--annotate", tmp_path / "tra_lai", *AS_OF)
    assert result.exit_code == 1
    copy = tmp_path / "tra_lai" / "don_vi_danh_dau.xlsx"
    with zipfile.ZipFile(copy) as z:
        assert any(n.endswith(".vml") for n in z.namelist())
    assert _verdict(copy) == "xlsx"
    assert _verdict(minimal_ods(tmp_path / "ok.ods")) == "ods"


def test_sample_inbox_is_accepted_whole():
    """Every bundled sample workbook still passes the full-part scan: none is rejected."""
    limits = load_rules().limits
    samples = sorted(p for p in (ROOT / "sample_workbooks").rglob("*") if p.suffix in (".xlsx", ".xls", ".ods"))
    verdicts = {p.name: safety.inspect_bytes(p.name, p.read_bytes(), limits) for p in samples}
    assert len(samples) > 40
    assert {n: v for n, v in verdicts.items() if not isinstance(v, str)} == {}
