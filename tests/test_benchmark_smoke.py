"""Smoke test of the benchmark (benchmarks/): the generator's planted problems are all found at their
cells, and run.py runs end to end. No timing is asserted: times belong to the benchmark's report."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from benchmarks import run
from benchmarks.generate import generate, manifest_path
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


@pytest.mark.slow
def test_run_script_end_to_end(tmp_path, capsys):
    """run.py measures every approach at N=20 and reports full recall for ntvt (frictionless may be skipped)."""
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
