"""Recall: the share of the planted problems (the generator's manifest) an approach found."""

from __future__ import annotations

import json
from pathlib import Path

FINDINGS_SHEET = "Lỗi và cảnh báo"


def planted_keys(manifest: dict) -> tuple[set, set]:
    rule = {(p["file"], p["sheet"], p["cell"], p["rule_id"]) for p in manifest["planted"]}
    return rule, {k[:3] for k in rule}


def recall(found: set, planted: set) -> float | None:
    return len(found & planted) / len(planted) if planted else None


def ntvt_findings(output: Path) -> set | None:
    """(file, sheet, cell, rule) of every finding listed in the consolidated workbook."""
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(str(output))
    if FINDINGS_SHEET not in wb.sheet_names:
        return None
    rows = wb.get_sheet_by_name(FINDINGS_SHEET).to_python()
    header = rows[0]
    try:
        at = {k: header.index(k) for k in ("Quy tắc", "Tệp", "Trang", "Ô")}
    except ValueError:
        return None
    return {(r[at["Tệp"]], r[at["Trang"]], r[at["Ô"]], r[at["Quy tắc"]]) for r in rows[1:]}


def approach_recall(approach: str, output: Path, manifest: dict) -> tuple[float | None, float | None]:
    """(recall on (file, cell, rule), recall on (file, cell)) of one approach's output."""
    by_rule, by_cell = planted_keys(manifest)
    if approach == "ntvt":
        found = ntvt_findings(output)
    elif approach == "naive":
        found = {tuple(x) for x in json.loads(Path(str(output) + ".findings.json").read_text(encoding="utf-8"))}
    elif approach == "frictionless":
        cells = {tuple(x[:3]) for x in json.loads(Path(output).read_text(encoding="utf-8"))}
        return None, recall(cells, by_cell)
    else:
        return None, None
    if found is None:
        return None, None
    return recall(found, by_rule), recall({f[:3] for f in found}, by_cell)
