"""Smoke test of the benchmark (benchmarks/): the generator's planted problems are all found at their
cells, the floor's lean writer writes what it is given, and run.py runs end to end. No timing is asserted: times belong to the benchmark's report."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from benchmarks import check_lean, run
from benchmarks.generate import generate, manifest_path
from benchmarks.lean_xlsx import LeanWriter
from checker import Severity
from checker import consolidate

# Seed 7 at N=20 plants at least one problem for each of these rules.
PLANTED_RULES = {"DN-BATBUOC", "DN-CAP", "DN-DANHMUC", "DN-KIPTHOI", "DN-MINHCHUNG", "DN-NAMSINH", "DN-NGAY",
                 "DN-TIEUCHI", "DN-TOMTAT", "DN-TRUNG", "DV-KEHOACH", "DV-THUTRUONG", "HD-BATBUOC", "HD-DANHMUC",
                 "HD-NGAY", "HD-SO"}


def key(item) -> tuple:
    return (item["file"], item["sheet"], item["cell"], item["rule_id"]) if isinstance(item, dict) else (
        item.file, item.sheet, item.cell, item.rule_id)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, rules):
    path = tmp_path_factory.mktemp("bench") / "inbox"
    return path, generate(path, 20, seed=7, workers=1, rules=rules)


def test_manifest_lies_next_to_the_inbox(inbox):
    """The manifest is written beside the inbox, never inside it, and lists every kind planted."""
    path, manifest = inbox
    assert json.loads(manifest_path(path).read_text(encoding="utf-8"))["planted"] == manifest["planted"]
    assert sorted(p.suffix for p in path.rglob("*") if p.is_file()) == [".xlsx"] * 20
    assert {p["rule_id"] for p in manifest["planted"]} == PLANTED_RULES
    assert 0.04 <= manifest["planted_rate"] <= 0.06


def test_every_planted_problem_is_found_at_its_cell(inbox, rules):
    """The library finds each planted (file, cell, rule) and no error at a cell that was not planted."""
    path, manifest = inbox
    result = consolidate(path, None, rules, as_of=dt.date.fromisoformat(manifest["as_of"]))
    planted = {key(p) for p in manifest["planted"]}
    found = {key(f) for f in result.findings}
    assert sorted(planted - found) == []
    unplanted_errors = [key(f) for f in result.findings if f.cell and f.severity is Severity.ERROR
                        and key(f) not in planted]
    assert unplanted_errors == []
    assert result.counts["rejected"] == 0


def test_generation_is_seeded_and_prefix_stable(inbox, tmp_path, rules):
    """File i depends only on (seed, i): a smaller inbox is the start of a larger one."""
    path, manifest = inbox
    small = generate(tmp_path / "small", 5, seed=7, workers=1, rules=rules)
    files = {p["file"] for p in small["planted"]}
    assert small["planted"] == [p for p in manifest["planted"] if p["file"] in files]
    first = sorted(p.relative_to(tmp_path / "small").as_posix() for p in (tmp_path / "small").rglob("*.xlsx"))
    assert all((path / name).read_bytes() == (tmp_path / "small" / name).read_bytes() for name in first)


def test_lean_writer_cells_read_back_with_openpyxl(tmp_path):
    """The floor's writer puts each value where it belongs: no `r=` attributes, so an empty cell inside
    a row and an empty row must keep the later cells in place; text is escaped, dates are dates."""
    path = tmp_path / "lean.xlsx"
    writer = LeanWriter(path)
    writer.add_sheet("Danh sách đề nghị", [["STT", "Họ và tên", "Năm sinh", "Ngày"],
                                           [1.0, "Nguyễn Văn A & <B>", 1985, dt.date(2023, 5, 18)],
                                           [],
                                           ["", " lề trái", 2.5, True, "", ""]])
    writer.add_sheet("Lỗi và cảnh báo", [["Họ và tên"], ["Nguyễn Văn A & <B>"]])
    writer.close()
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Danh sách đề nghị", "Lỗi và cảnh báo"]
    ws = book["Danh sách đề nghị"]
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["STT", "Họ và tên", "Năm sinh", "Ngày"],
        [1, "Nguyễn Văn A & <B>", 1985, dt.datetime(2023, 5, 18)],
        [None, None, None, None],
        [None, " lề trái", 2.5, True]]
    assert ws["D2"].number_format == "dd/mm/yyyy"
    assert book["Lỗi và cảnh báo"]["A2"].value == "Nguyễn Văn A & <B>"
    assert (writer.cells, len(writer.strings)) == (13, 6)


@pytest.mark.slow
def test_run_script_end_to_end(tmp_path, capsys):
    """run.py measures every approach at N=20: full recall for ntvt and naive, and the floor's lean
    workbook holds exactly the cells of ntvt's (openpyxl reads back what calamine reads from ntvt's)."""
    out = tmp_path / "results.json"
    report = run.main(["--n", "20", "--repeats", "1", "--no-warmup", "--work", str(tmp_path / "work"),
                       "--out", str(out)])
    printed = capsys.readouterr().out
    rows = {r["approach"]: r for r in report["results"]}
    assert set(rows) == {"floor", "ntvt", "naive", "frictionless"}
    assert rows["ntvt"]["recall_cell_rule"] == 1.0
    assert rows["naive"]["recall_cell_rule"] == 1.0
    assert rows["ntvt"]["ratio_to"] == "floor" and rows["naive"]["ratio_to"] == "ntvt"
    if "skipped" in rows["frictionless"]:
        assert "frictionless skipped" in printed and run.EXTRA in printed
    else:
        assert 0 < rows["frictionless"]["recall_cell"] < 1  # a Table Schema cannot say the conditional rules
    assert "| 20 | (b) ntvt consolidate |" in printed
    assert json.loads(out.read_text(encoding="utf-8"))["table"] == report["table"]
    read, write = rows["floor"]["detail"][0]["read"], rows["floor"]["detail"][0]["write"]
    assert (read["files"], read["workers"]) == (20, 2)
    assert read["sheets"] == ["Thông tin đơn vị", "Danh sách đề nghị", "Hoạt động", "Tổng kết"]
    assert all(len(r["load"][0]) == 2 and r["median_cpu_s"] > 0 for r in rows.values() if "load" in r)
    out_dir = tmp_path / "work" / "n20-s42" / "out" / "for-n20"
    assert check_lean.differences(out_dir / "ntvt-cells.xlsx", out_dir / "floor.xlsx") == []
    assert write["cells"] == sum(len([v for v in r if v not in ("", None)]) for ws in
                                  openpyxl.load_workbook(out_dir / "floor.xlsx", read_only=True)
                                  for r in ws.iter_rows(values_only=True))
