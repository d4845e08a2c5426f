"""The bundled sample inbox: every planted mistake is found at its cell, nothing else is reported."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from checker import consolidate

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
    """Files in = used + superseded + rejected, and every row read is in the output."""
    c = result.counts
    assert c["submissions"] == c["used"] + c["superseded"] + c["rejected"] == 53
    assert c["rows_in"] == c["rows_out"] > 0
