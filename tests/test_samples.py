"""The bundled sample inbox: every planted mistake is found at its cell, nothing else is reported."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from checker import consolidate
from checker.model.words import STATUS_WORDS

from .conftest import ROOT

MANIFEST = json.loads((ROOT / "tests" / "golden" / "samples_manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result(rules):
    return consolidate(ROOT / "sample_workbooks", None, rules, as_of=dt.date.fromisoformat(MANIFEST["as_of"]))


def test_manifest_lists_every_sample(result):
    """The manifest describes every submission in the inbox, and only those."""
    assert sorted(MANIFEST["files"]) == sorted(b.name for b in result.validation.books)


@pytest.mark.parametrize("name", sorted(MANIFEST["files"]))
def test_planted_mistakes_found_and_nothing_else(result, name):
    """Each sample's errors and warnings are exactly the mistakes planted in it (campaign ones by unit)."""
    entry = MANIFEST["files"][name]
    planted_cells = sorted((sheet, cell or "", rule) for _, sheet, cell, rule in entry["mistakes"]
                           if sheet != "(toàn đợt)")
    found_cells = sorted((f.sheet, f.cell or "", f.rule_id) for f in result.findings
                         if f.file == name and f.severity.value != "info")
    assert found_cells == planted_cells
    for _, sheet, _, rule in entry["mistakes"]:
        if sheet == "(toàn đợt)":
            assert any(f.file is None and f.rule_id == rule and f.unit == entry["unit"] for f in result.findings)


def test_sample_statuses(result):
    """The samples show each status of the plan: on time, late, resubmitted, invalid, missing, not yet due."""
    status = {(r.unit, r.cycle): r.status for r in result.cycles.itertuples()}
    assert status[("CHEO", "2023-05")] == "Trễ hạn 3 ngày"
    assert status[("XIEC", "2023-05")] == "Nộp nhưng chưa hợp lệ"
    assert status[("PTNK", "2023-05")] == "Chưa nộp"
    assert status[("BTHN", "2023-06")] == "Trễ hạn 1 ngày"
    assert status[("CHEO", "2023-06")] == "Đúng hạn"
    assert status[("VP", "2023-07")] == "Đúng hạn"
    assert status[("VP", "2023-08")] == "Chưa đến hạn"
    superseded = [result.validation.books[d.index].name for d in result.decisions if d.status == "superseded"]
    assert superseded == ["thang_06/NH_Cheo_thang06_lan1.xlsx"]


def test_samples_reconcile(result):
    """Files in = the sum over file statuses, and every row read is in the output."""
    c = result.counts
    assert c["submissions"] == sum(c[status] for status in STATUS_WORDS) == 55
    assert c["rows_in"] == c["rows_out"] > 0


def test_samples_accumulate_a_cycles_files(result):
    """Thanh tra Sở's second July file adds a nominee (both count); Nhà hát Chèo's second June file
    corrects its only nominee (the first file's row is replaced, the file superseded)."""
    cycles = result.cycles.set_index(["unit", "cycle"])
    ttra = cycles.loc[("TTRA", "2023-07")]
    assert (ttra["status"], ttra["submissions"], ttra["valid_nominations"]) == ("Đúng hạn", 2, 2)
    assert ttra["file"] == "thang_07/TTRA_thang07.xlsx; thang_07/TTRA_thang07_bo_sung.xlsx"
    cheo = cycles.loc[("CHEO", "2023-06")]
    assert (cheo["status"], cheo["submissions"], cheo["valid_nominations"]) == ("Đúng hạn", 2, 1)
    frame, states = result.validation.frames.tables["nominations"], result.rows["nominations"]
    names = [b.name for b in result.validation.books]
    replaced = {(names[frame.at[i, "_file"]], int(frame.at[i, "_row"])): (names[frame.at[by, "_file"]], int(frame.at[by, "_row"]))
                for i, by in states.replaced_by[states.replaced_by >= 0].items()}
    assert replaced == {("thang_06/NH_Cheo_thang06_lan1.xlsx", 5): ("thang_06/NH_Cheo_thang06_lan2.xlsx", 5)}
