"""What the pages show, as plain values for the templates: the unit × cycle matrix of a run, a
unit's cycles, each received file with its findings, and the outputs offered for download in words."""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable

from ..api import annotated_name, own_name, unit_slug
from ..model.words import EVIDENCE_SENT, INVALID, MISSING, NOT_DUE, ON_TIME, evidence_words
from ..ruleset.spec import RuleSet


# The matrix's legend (status code, word, what it means), as the workbook's "Tình hình nộp" says it
# (write/workbook/matrix.py).
LEGEND = (("on_time", ON_TIME, "có gương hợp lệ nhận trước hạn"),
          ("late", "Trễ hạn N ngày", "gương hợp lệ đầu tiên nhận sau hạn N ngày"),
          ("invalid", INVALID, "đã nộp nhưng chưa có gương hợp lệ"),
          ("missing", MISSING, "đã quá hạn mà chưa nhận được hồ sơ"),
          ("not_due", NOT_DUE, "hạn nộp của kỳ chưa qua tính đến ngày tính"))


def field(record, name: str, default=None):
    """A record's field, whether the api gives it as an object or as a plain mapping (JSON)."""
    if record is None:
        return default
    if isinstance(record, dict):
        return record.get(name, default)
    return getattr(record, name, default)


def _receipt(row: dict, rules: RuleSet) -> str:
    """"19/05/2023 08:30, thư": the receipt and what it rests on, short, as the workbook's matrix."""
    moment = row.get("received_at")
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if isinstance(moment, dt.datetime):
        moment = rules.deadlines.to_local(moment)
    evidence = row.get("evidence") or ""
    sent = rules.field_by_role("sent_date")
    shown = f"{moment:%d/%m/%Y}" if evidence == EVIDENCE_SENT else f"{moment:%d/%m/%Y %H:%M}"
    said = evidence_words(evidence, sent.label if sent else "", short=True)
    return f"{shown}, {said}" if said else shown


def _cell(row: dict | None, rules: RuleSet) -> dict:
    if row is None:
        return {"status": "", "code": "", "receipt": "", "valid": ""}
    return {"status": row.get("status", ""), "code": row.get("status_code", ""), "receipt": _receipt(row, rules),
            "valid": row.get("valid_nominations", 0)}


def _summary_cell(row: dict | None, rules: RuleSet) -> dict:
    """The summary report's cell: status word and code, receipt; no nominations are counted there."""
    return {**_cell(row, rules), "valid": ""}


def matrix(rules: RuleSet, run) -> dict | None:
    """The matrix of a run: the cycles' labels, and per official unit (the rules file's order) its
    cell per cycle: status word and code (the colour), receipt, valid nominations; and last, as the
    workbook's "Tình hình nộp", the summary report's cell (empty for a run recorded without it)."""
    if run is None:
        return None
    by_key = {(row.get("unit"), row.get("cycle")): row for row in field(run, "cycles", []) or []}
    by_unit = {row.get("unit"): row for row in field(run, "units", []) or []}
    cycles = rules.deadlines.cycles
    rows = [{"unit": unit, "cells": [_cell(by_key.get((unit.id, cycle)), rules) for cycle in cycles],
             "summary": _summary_cell(by_unit.get(unit.id), rules)} for unit in rules.units]
    as_of = field(run, "as_of")
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of[:10])
    return {"cycles": [rules.cycle_label(c) for c in cycles], "summary": rules.consolidation.summary_report,
            "rows": rows, "as_of": f"{as_of:%d/%m/%Y}"}


def severity_code(finding) -> str:
    """"error", "warning" or "info", whether the finding holds a Severity or its value."""
    severity = field(finding, "severity")
    return getattr(severity, "value", severity) or ""


def cycle_rows(rules: RuleSet, run, unit: str) -> list[dict]:
    """One unit's cycles in a run: label and cell; then its summary report's, if the run kept it."""
    if run is None:
        return []
    by_cycle = {row.get("cycle"): row for row in field(run, "cycles", []) or [] if row.get("unit") == unit}
    rows = [{"label": rules.cycle_label(c), **_cell(by_cycle.get(c), rules)} for c in rules.deadlines.cycles]
    summary = next((row for row in field(run, "units", []) or [] if row.get("unit") == unit), None)
    if summary is not None:
        rows.append({"label": rules.consolidation.summary_report, **_summary_cell(summary, rules)})
    return rows


def receipt_rows(received) -> list[dict]:
    """Each file received, with what became of it: new or already received, rejected (and why),
    and its findings (sheet, cell, rule, severity, message)."""
    rows = []
    for got, report in received:
        files = list(getattr(report, "files", []) or [])
        reasons = [f.reason for f in files if f.status in ("rejected", "generated") and f.reason]
        rows.append({"name": field(got, "name"), "duplicate": bool(field(got, "duplicate")),
                     "rejected": bool(reasons) and all(f.status != "checked" for f in files), "reasons": reasons,
                     "parts": [f.name for f in files if f.status == "checked" and f.name != field(got, "name")],
                     "findings": list(getattr(report, "findings", []) or [])})
    return rows


# The outputs' names as api.consolidate_workspace and write/feedback.py write them under ket_qua/.
WORKBOOK = re.compile(r"tong_hop_(\d{4}-\d{2}-\d{2})\.xlsx")
FEEDBACK = re.compile(r"tra_loi_(\d{4}-\d{2}-\d{2})")
COPY = re.compile(r"(.+)_danh_dau(?:_(\d+))?\.xlsx")


def _day(iso: str) -> str:
    return f"{dt.date.fromisoformat(iso):%d/%m/%Y}"


def _kind(parts: list[str]):
    """What an output under ket_qua/ is, from its path there: ("workbook", day), ("draft", day, unit
    slug), ("copy", day, unit slug, stem, n) or None (anything else)."""
    if len(parts) == 1 and (day := WORKBOOK.fullmatch(parts[0])):
        return "workbook", day[1]
    day = FEEDBACK.fullmatch(parts[0]) if len(parts) in (2, 3) else None
    if day and len(parts) == 2 and parts[1].endswith(".eml"):
        return "draft", day[1], parts[1].removesuffix(".eml")
    if day and len(parts) == 3 and (copy := COPY.fullmatch(parts[2])):
        return "copy", day[1], parts[1], copy[1], copy[2]
    return None


def downloads(rules: RuleSet, outputs: Iterable[str], names: Iterable[str]) -> dict:
    """The outputs (paths relative to the workspace, "/"-separated: "ket_qua/…") in words, newest
    day first: the consolidated workbooks; per day, per unit (the rules file's order) its reply draft
    and annotated copies, each copy named by the file it copies (found among `names`, the received
    files' and the findings' names); anything else under its path. Each item: (link path, words, file name)."""
    originals: dict[str, str] = {}
    for name in names:
        originals.setdefault(annotated_name(name), own_name(name))
    units = {unit_slug(u.id): (n, u.name) for n, u in enumerate(rules.units)}
    workbooks, batches, others = [], {}, []
    for rel in outputs:
        parts = rel.split("/")[1:]
        kind = _kind(parts)
        if kind is None:
            others.append((rel, rel, parts[-1]))
        elif kind[0] == "workbook":
            workbooks.append((kind[1], (rel, f"Bảng tổng hợp tính đến hết ngày {_day(kind[1])}", parts[0])))
        else:
            order, unit_name = units.get(kind[2], (len(units), kind[2]))
            group = batches.setdefault(kind[1], {}).setdefault(kind[2], {"order": order, "name": unit_name,
                                                                          "items": []})
            if kind[0] == "draft":
                group["items"].insert(0, (rel, f"Thư trả lời soạn sẵn cho {unit_name}", parts[-1]))
            else:
                original = originals.get(f"{kind[3]}_danh_dau.xlsx", f"{kind[3]}.xlsx")
                again = f" (tệp cùng tên thứ {kind[4]})" if kind[4] else ""
                group["items"].append((rel, f"Bản sao có đánh dấu: {original}{again}", parts[-1]))
    return {"workbooks": [item for _, item in sorted(workbooks, key=lambda w: w[0], reverse=True)],
            "batches": [{"as_of": _day(day), "units": sorted(groups.values(), key=lambda g: (g["order"], g["name"]))}
                        for day, groups in sorted(batches.items(), reverse=True)],
            "others": others}
