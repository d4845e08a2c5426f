"""Benchmark `ntvt consolidate` against its floor, the naive pipeline and frictionless, on one inbox.

    python benchmarks/run.py --n 100 1000 --repeats 3
    python benchmarks/run.py --n 10000 --repeats 1 --split

For each N the seeded inbox is generated once (benchmarks/generate.py) and cached under --work,
keyed by N and seed. Then, in this one run, each repeat runs every approach once, in an order that
rotates (and reverses on odd repeats) so that drift on a shared machine falls on all of them:

  (a) floor        python-calamine reads every cell of every sheet of every input, and xlsxwriter
                   (constant_memory, no formats) writes as many rows as ntvt writes: every data row,
                   one row per file and one per planted problem. No validation at all.
  (b) ntvt         `ntvt consolidate INBOX -o OUT --as-of AS_OF` (run as `python -m checker`), end
                   to end, its forked worker included.
  (c) naive        what a developer writes first: openpyxl reads each workbook, pandera validates
                   each file's frames (the same rules, compiled naively), openpyxl writes the result.
  (d) frictionless `frictionless` validates the two table sheets of each file against a Table Schema
                   made from the rules (types, required, enum, min/max, lengths: what a Table Schema
                   can say; conditional and cross-row rules it cannot).

Every approach runs as a child process: its wall time counts interpreter start-up and imports, the
same for all. Peak memory is taken over the whole process tree (the child and all its descendants,
pool workers included), sampled every 50 ms from /proc/<pid>/smaps_rollup: the peak of the summed
RSS (what was asked; it counts the pages forked workers share with their parent once per process)
and the peak of the summed PSS (each shared page split among its sharers: the tree's real
footprint). Sampling can miss a spike shorter than 50 ms.

Recall is the share of planted problems found: for ntvt, read back from the "Lỗi và cảnh báo"
sheet of the workbook it wrote, matching (file, cell, rule); for naive, (file, cell, rule) from its
own findings; for frictionless, which knows no rule ids, (file, cell) only.

For N above --subset (default 1,000), (c) and (d) are measured on the N=subset inbox of the same
seed (which is exactly the first `subset` files of the large inbox) and their time is scaled by
N/subset: they would take a quarter of an hour each at 10,000 files. The output says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

APPROACHES = ["floor", "ntvt", "naive", "frictionless"]
LABELS = {"floor": "(a) floor: calamine read + xlsxwriter write", "ntvt": "(b) ntvt consolidate",
          "naive": "(c) naive: openpyxl + pandera per file + openpyxl", "frictionless": "(d) frictionless validate"}
EXTRA = "bench"  # the setup.cfg extra that installs frictionless for this benchmark
INSTALL_HINT = f"pip install -e '.[{EXTRA}]'  (or: pip install 'frictionless>=5.18')"
SAMPLE_SECONDS = 0.05
FINDINGS_SHEET = "Lỗi và cảnh báo"


# ---------------------------------------------------------------------------------------------
# Measuring a child process tree


def _tree(root: int) -> list[int]:
    """The pid and all its descendants, from /proc/<pid>/task/<tid>/children."""
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    stack.extend(int(x) for x in fh.read().split())
            except OSError:
                continue
    return out


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes. PSS shares each page among the processes mapping it, so
    summed over a forked pool it does not count the pages the workers share with their parent twice."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            values = dict(line.split(":", 1) for line in fh.read().splitlines()[1:] if ":" in line)
        return int(values["Rss"].split()[0]) * 1024, int(values["Pss"].split()[0]) * 1024
    except (OSError, KeyError, ValueError, IndexError):
        return 0, 0


def measure(cmd: list[str], log: Path) -> dict[str, Any]:
    """Run cmd; return wall seconds and the peak RSS and PSS of its whole process tree (sampled)."""
    peak = {"rss": 0, "pss": 0}
    done = threading.Event()
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)

        def sample() -> None:
            while not done.is_set():
                sizes = [_memory(p) for p in _tree(proc.pid)]
                peak["rss"] = max(peak["rss"], sum(r for r, _ in sizes))
                peak["pss"] = max(peak["pss"], sum(p for _, p in sizes))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    return {"seconds": seconds, "peak_tree_rss_mib": peak["rss"] / 2**20, "peak_tree_pss_mib": peak["pss"] / 2**20,
            "returncode": proc.returncode}


# ---------------------------------------------------------------------------------------------
# The approaches, as child processes (`run.py --child NAME ...`)


def inbox_files(inbox: Path) -> list[Path]:
    return sorted((p for p in inbox.rglob("*.xlsx") if p.is_file()), key=lambda p: p.relative_to(inbox).as_posix())


def child_floor(inbox: Path, output: Path, planted: int, sheets: list[str]) -> None:
    """Read every cell with python-calamine, write the same number of rows with plain xlsxwriter.

    Imports nothing of checker (which imports pandas and pandera): the floor pays only for calamine
    and xlsxwriter. `sheets` are the two table sheets, whose rows from row 5 are written out.
    """
    import python_calamine
    import xlsxwriter

    started = time.perf_counter()
    tables: dict[str, list] = {name: [] for name in sheets}
    files, cells = [], 0
    for path in inbox_files(inbox):
        name = path.relative_to(inbox).as_posix()
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        count = 0
        for sheet in wb.sheet_names:
            rows = wb.get_sheet_by_name(sheet).to_python()
            cells += sum(len(r) for r in rows)
            if sheet in tables:
                for r, line in enumerate(rows[4:], start=5):
                    tables[sheet].append([name, sheet, r, *line])
                    count += 1
        files.append((name, count))
    read = time.perf_counter() - started
    wb = xlsxwriter.Workbook(str(output), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    for sheet, rows in tables.items():
        ws = wb.add_worksheet(sheet[:31])
        for i, row in enumerate(rows):
            ws.write_row(i, 0, row)
    ws = wb.add_worksheet("files")
    for i, (name, count) in enumerate(files):
        ws.write_row(i, 0, [name, count])
    ws = wb.add_worksheet("problems")  # one row per planted problem, shaped like ntvt's findings rows
    message = "Ô J13 – “Ngày thực hiện việc tốt” phải là ngày thật dạng ngày/tháng/năm (nhận được “31/02/2023”)."
    for i in range(planted):
        name = files[i % len(files)][0] if files else ""
        ws.write_row(i, 0, [i + 1, "Lỗi", "DN-NGAY", "Mục III, Mục V", "Nhà hát Chèo Hà Nội", name,
                            "Danh sách đề nghị", "J13", message])
    wb.close()
    print(json.dumps({"files": len(files), "cells": cells, "rows": sum(len(r) for r in tables.values()),
                      "read_s": round(read, 3), "write_s": round(time.perf_counter() - started - read, 3)}))


# -- (c) the naive path ------------------------------------------------------------------------


def _strip_marks(label: Any) -> str:
    return str(label or "").replace("(*)", "").replace("*", "").strip()


def _missing(value: Any) -> bool:
    """None, NaN or NaT (what pandas puts in a blank cell of a typed column)."""
    try:
        return value is None or bool(value != value)  # noqa: PLR0124 (NaN is the value unequal to itself)
    except (TypeError, ValueError):
        return False


def _to_date(value: Any) -> dt.date | None:
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
        except ValueError:
            return None
    return None


def naive_schemas(rules):
    """pandera schemas for the table sheets and the info form, one Check per (rule, check, column).

    The checks read the frame being validated and the file's "Ngày gửi" from `state` (set per
    file), because several rules look at a sibling column or at the sending date.
    """
    import pandas as pd
    import pandera.pandas as pa

    state: dict[str, Any] = {}
    year_max = rules.plan.year
    allowed = {name: {v for item in items for v in (item.value, *item.aliases)} for name, items in rules.lists.items()}
    field_list = {f.key: f.list for s in rules.sheets for f in s.fields}

    def blank(s):
        return s.isna() | s.map(lambda v: isinstance(v, str) and not v.strip())

    def when(c):
        df = state["df"]
        if c.when is None:
            return pd.Series(True, index=df.index)
        hit = df[c.when.column].isin(c.when.values)
        return ~hit if c.when.negate else hit

    def text(v) -> str:
        return "" if _missing(v) else str(v)

    def whole(v) -> bool:
        if isinstance(v, bool):
            return False
        if isinstance(v, int):
            return v >= 0
        if isinstance(v, float):
            return v.is_integer() and v >= 0
        return isinstance(v, str) and v.strip().isdigit()

    def fails(c, col):  # True where the cell breaks the check
        df = state["df"]
        s, p, k = df[col], c.params, c.kind
        given = ~blank(s)
        if k == "required":
            bad = ~given
        elif k == "in_list":
            bad = given & ~s.isin(allowed[field_list[col]])
        elif k == "year_range":
            num = pd.to_numeric(s, errors="coerce")
            bad = given & (num.isna() | (num % 1 != 0) | (num < p["min"]) | (num > year_max - p["max_age_offset"]))
        elif k == "blank":
            bad = given
        elif k == "date":
            dates = s.map(_to_date)
            limit = min(state["sent"], rules.plan.end) if "not_after" in p else dt.date.max
            bad = given & dates.map(lambda d: d is None or d > limit)
        elif k == "max_days_before":
            dates = s.map(_to_date)
            bad = dates.map(lambda d: d is not None and (state["sent"] - d).days > p["days"])
        elif k == "equals":
            bad = s != p["value"]
        elif k == "in_values":
            bad = given & ~s.isin(p["values"])
        elif k == "placeholder":
            words = {v.lower() for v in p["values"]}
            bad = given & s.map(lambda v: isinstance(v, str) and v.strip().lower() in words)
        elif k in ("min_length", "max_length"):
            length = s.map(lambda v: len(v) if isinstance(v, str) else len(str(v)))
            bad = given & ((length < p["min"]) if k == "min_length" else (length > p["max"]))
        elif k == "unique":
            if col != p["columns"][0]:
                return pd.Series(False, index=df.index)
            key = df[p["columns"][0]].map(text)
            for other in p["columns"][1:]:
                key = key + "|" + df[other].map(text)
            bad = given & key.duplicated(keep="first")
        elif k == "whole_number":
            bad = given & ~s.map(whole)
        else:  # file-level kinds that need the whole inbox (units, cycles, row counts): not naive
            return pd.Series(False, index=df.index)
        return (bad & when(c)).fillna(False).astype(bool)

    def schema_for(rule_list, columns):
        by_col: dict[str, list] = {c: [] for c in columns}
        for rule in rule_list:
            for n, check in enumerate(rule.checks):
                for col in check.columns:
                    if col in by_col:
                        name = f"{rule.id}#{n}"
                        by_col[col].append(pa.Check(lambda s, c=check, col=col: ~fails(c, col).loc[s.index],
                                                    name=name, error=name, ignore_na=False))
        return pa.DataFrameSchema({c: pa.Column(checks=ch, nullable=True, required=False) for c, ch in by_col.items()
                                   if ch}, strict=False, coerce=False)

    schemas = {}
    for sheet in rules.sheets:
        if sheet.kind == "table":
            schemas[sheet.key] = schema_for([r for r in rules.rules_at("row") if r.sheet == sheet.key],
                                            [f.key for f in sheet.fields])
    schemas["info"] = schema_for([r for r in rules.rules_at("file") if r.sheet == "info"],
                                 [f.key for f in rules.sheet("info").fields])
    return schemas, state


def child_naive(inbox: Path, output: Path, as_of: dt.date) -> None:
    """openpyxl reading, pandera per file, openpyxl writing: the first pipeline one writes."""
    import warnings

    import openpyxl
    import pandas as pd
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter
    from pandera.errors import SchemaErrors

    from checker.ruleset.loader import load_rules

    rules = load_rules()
    schemas, state = naive_schemas(rules)
    info_spec = rules.sheet("info")
    tables = [rules.sheet(k) for k in ("nominations", "activities")]
    out = openpyxl.Workbook()
    out_sheets = {}
    for i, spec in enumerate(tables):
        ws = out.active if i == 0 else out.create_sheet()
        ws.title = spec.name
        ws.append(["Tệp", "Dòng", *[f.label for f in spec.fields]])
        out_sheets[spec.key] = ws
    errors_ws = out.create_sheet("Lỗi")
    errors_ws.append(["Tệp", "Trang", "Ô", "Quy tắc"])
    red = PatternFill("solid", fgColor="FFC7CE")
    found = []

    def validate(frame: pd.DataFrame, key: str) -> list[tuple[int, str, str]]:
        state["df"] = frame
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                schemas[key].validate(frame, lazy=True)
        except SchemaErrors as exc:
            cases = exc.failure_cases
            cases = cases[cases["index"].notna()]
            return sorted({(int(i), c, str(ch).split("#")[0]) for i, c, ch in
                           cases[["index", "column", "check"]].itertuples(index=False)})
        return []

    for path in inbox_files(inbox):
        name = path.relative_to(inbox).as_posix()
        wb = openpyxl.load_workbook(path, data_only=True)
        info_ws = wb[info_spec.name]
        labels = {_strip_marks(f.label): f.key for f in info_spec.fields}
        info, info_rows = {}, {}
        for row in info_ws.iter_rows(min_row=3, max_col=2):
            key = labels.get(_strip_marks(row[0].value))
            if key:
                info[key], info_rows[key] = row[1].value, row[0].row
        sent = _to_date(info.get("sent_date")) or as_of
        state["sent"] = sent
        info_frame = pd.DataFrame([{f.key: info.get(f.key) for f in info_spec.fields}])
        for index, column, rule_id in validate(info_frame, "info"):
            found.append((name, info_spec.name, f"B{info_rows.get(column, 0)}", rule_id))
        for spec in tables:
            ws = wb[spec.name]
            rows = list(ws.iter_rows(min_row=4, values_only=True))
            by_label = {_strip_marks(f.label): f.key for f in spec.fields}
            keys = [by_label.get(_strip_marks(h)) for h in rows[0]] if rows else []
            records = [{k: v for k, v in zip(keys, line) if k} for line in rows[1:]
                       if any(v not in (None, "") for v in line)]
            frame = pd.DataFrame(records, columns=[f.key for f in spec.fields])
            bad = validate(frame, spec.key)
            cols = {k: n + 1 for n, k in enumerate(keys) if k}
            target = out_sheets[spec.key]
            first = target.max_row + 1
            for n, record in enumerate(records):
                target.append([name, n + 5, *[record.get(f.key) for f in spec.fields]])
            position = {f.key: n + 3 for n, f in enumerate(spec.fields)}
            for index, column, rule_id in bad:
                cell = f"{get_column_letter(cols[column])}{index + 5}"
                found.append((name, spec.name, cell, rule_id))
                target.cell(row=first + index, column=position[column]).fill = red
        wb.close()
    for item in found:
        errors_ws.append(list(item))
    out.save(output)
    Path(str(output) + ".findings.json").write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")


# -- (d) frictionless ----------------------------------------------------------------------------


def frictionless_descriptors(rules) -> dict[str, dict]:
    """A Table Schema (as a descriptor) per table sheet name, with what a Table Schema can express
    of the rules: types, unconditional `required`, `enum` lists, year and count bounds, lengths."""
    from checker.write.template import required_marks

    out = {}
    for sheet in rules.sheets:
        if sheet.kind != "table":
            continue
        marks = required_marks(rules, sheet)
        row_rules = [r for r in rules.rules_at("row") if r.sheet == sheet.key]
        required = {c for r in row_rules for ch in r.checks if ch.kind == "required" and ch.when is None
                    for c in ch.columns}
        params: dict[str, dict] = {}
        for r in row_rules:
            for ch in r.checks:
                for col in ch.columns:
                    p = params.setdefault(col, {})
                    if ch.kind == "year_range":
                        p.update(minimum=ch.params["min"], maximum=rules.plan.year - ch.params["max_age_offset"])
                    elif ch.kind == "min_length":
                        p["minLength"] = ch.params["min"]
                    elif ch.kind == "max_length":
                        p["maxLength"] = ch.params["max"]
                    elif ch.kind == "whole_number":
                        p["minimum"] = 0
        items = []
        for f in sheet.fields:
            constraints = dict(params.get(f.key, {}))
            if f.key in required:
                constraints["required"] = True
            if f.type == "list":
                constraints["enum"] = sorted({v for item in rules.lists[f.list] for v in (item.value, *item.aliases)})
            item = {"name": f.label + marks.get(f.key, ""), "type": "string", "constraints": constraints}
            if f.type in ("int", "year"):
                item["type"] = "integer"
            elif f.type == "date":
                item.update(type="date", format="%d/%m/%Y")
            items.append(item)
        out[sheet.name] = {"fields": items}
    return out


def child_frictionless(inbox: Path, output: Path, schemas: Path) -> None:
    """frictionless validates each table sheet of each file; imports nothing of checker."""
    from frictionless import Dialect, Resource, Schema, formats

    def letter(n: int) -> str:
        out = ""
        while n:
            n, rem = divmod(n - 1, 26)
            out = chr(65 + rem) + out
        return out

    descriptors = json.loads(schemas.read_text(encoding="utf-8"))
    by_sheet = {sheet: Schema.from_descriptor(d) for sheet, d in descriptors.items()}
    found = []
    for path in inbox_files(inbox):
        name = path.relative_to(inbox).as_posix()
        for sheet, schema in by_sheet.items():
            # frictionless refuses absolute paths as unsafe: a relative path plus basepath.
            resource = Resource(path=name, basepath=str(inbox), schema=schema,
                                dialect=Dialect(header_rows=[4], controls=[formats.ExcelControl(sheet=sheet)]))
            report = resource.validate()
            for task in report.tasks:
                for err in task.errors:
                    row, col = getattr(err, "row_number", None), getattr(err, "field_number", None)
                    found.append((name, sheet, f"{letter(col)}{row}" if row and col else None, err.type))
    Path(output).write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Recall


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


# ---------------------------------------------------------------------------------------------
# The run


def ensure_inbox(work: Path, n: int, seed: int) -> tuple[Path, dict]:
    """The cached inbox for (n, seed), generated when missing or made by another generator version."""
    from benchmarks.generate import GENERATOR_VERSION, generate, manifest_path

    inbox = work / f"n{n}-s{seed}" / "inbox"
    mpath = manifest_path(inbox)
    if mpath.exists():
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        if manifest.get("generator_version") == GENERATOR_VERSION and manifest.get("n") == n:
            return inbox, manifest
    if inbox.exists():
        shutil.rmtree(inbox)
    print(f"generating N={n} (seed {seed}) in {inbox} …", flush=True)
    manifest = generate(inbox, n, seed)
    print(f"  {manifest['seconds']} s: {manifest['rows']['nominations']} nominations, {manifest['rows']['activities']} "
          f"activities, {manifest['planted_count']} planted problems ({manifest['planted_rate']:.1%} of checked cells)",
          flush=True)
    return inbox, manifest


def command(approach: str, inbox: Path, output: Path, manifest: dict) -> list[str]:
    me = [sys.executable, str(Path(__file__).resolve()), "--child", approach, "--inbox", str(inbox),
          "--output", str(output)]
    if approach == "ntvt":
        return [sys.executable, "-m", "checker", "consolidate", str(inbox), "-o", str(output), "--as-of",
                manifest["as_of"]]
    if approach == "floor":
        from checker.ruleset.loader import load_rules

        rules = load_rules()
        return me + ["--planted", str(manifest["planted_count"]), "--sheets",
                     rules.sheet("nominations").name, rules.sheet("activities").name]
    if approach == "naive":
        return me + ["--as-of", manifest["as_of"]]
    schemas = output.parent / "frictionless-schemas.json"
    if not schemas.exists():
        from checker.ruleset.loader import load_rules

        schemas.write_text(json.dumps(frictionless_descriptors(load_rules()), ensure_ascii=False), encoding="utf-8")
    return me + ["--schemas", str(schemas)]


def output_path(out_dir: Path, approach: str) -> Path:
    return out_dir / (f"{approach}.json" if approach == "frictionless" else f"{approach}.xlsx")


def run_once(approach: str, inbox: Path, manifest: dict, out_dir: Path) -> dict[str, Any]:
    output = output_path(out_dir, approach)
    for stale in (output, Path(str(output) + ".findings.json")):
        stale.unlink(missing_ok=True)
    result = measure(command(approach, inbox, output, manifest), out_dir / f"{approach}.log")
    ok = result["returncode"] in ((0, 1) if approach == "ntvt" else (0,)) and output.exists()
    log = (out_dir / f"{approach}.log").read_text(encoding="utf-8", errors="replace")
    if not ok:
        raise RuntimeError(f"{approach} failed (exit {result['returncode']}) on {inbox}:\n{log[-3000:]}")
    if approach == "floor":  # the floor reports its own read / write split
        result["detail"] = json.loads(log.strip().splitlines()[-1])
    return result


def warm(inbox: Path) -> None:
    """Bring the inbox into the page cache, so that no approach pays the first read from disk."""
    for path in inbox_files(inbox):
        path.read_bytes()


def bench(ns: list[int], repeats: int, seed: int, work: Path, subset: int, approaches: list[str],
          warmup: bool) -> list[dict[str, Any]]:
    results = []
    skipped = []
    if "frictionless" in approaches and importlib.util.find_spec("frictionless") is None:
        approaches = [a for a in approaches if a != "frictionless"]
        skipped.append("frictionless")
        print(f"(d) frictionless skipped: the package is not installed. Install it with: {INSTALL_HINT}", flush=True)
    if warmup:  # imports compiled and cached, lazy imports done, once, untimed
        inbox, manifest = ensure_inbox(work, 20, seed)
        out_dir = inbox.parent / "out"
        out_dir.mkdir(exist_ok=True)
        for approach in approaches:
            run_once(approach, inbox, manifest, out_dir)
    for n in ns:
        inbox, manifest = ensure_inbox(work, n, seed)
        plan = {a: (inbox, manifest, n) for a in approaches}
        if n > subset:
            small, small_manifest = ensure_inbox(work, subset, seed)
            for a in ("naive", "frictionless"):
                if a in plan:
                    plan[a] = (small, small_manifest, subset)
        out_dirs = {}
        for a, (box, _, _) in plan.items():
            out_dirs[a] = box.parent / "out" / f"for-n{n}"
            out_dirs[a].mkdir(parents=True, exist_ok=True)
            warm(box)
        runs: dict[str, list[dict]] = {a: [] for a in approaches}
        for rep in range(repeats):
            order = approaches[rep % len(approaches):] + approaches[:rep % len(approaches)]
            if rep % 2:
                order = order[::-1]
            for a in order:
                box, man, measured_n = plan[a]
                load = os.getloadavg()[0]
                r = run_once(a, box, man, out_dirs[a])
                r["load_before"] = load
                r["commit"] = code_version()  # the checker may change between runs on a shared tree
                runs[a].append(r)
                print(f"  N={n} rep {rep + 1}/{repeats} {a}: {r['seconds']:.2f} s, peak tree RSS "
                      f"{r['peak_tree_rss_mib']:.0f} MiB / PSS {r['peak_tree_pss_mib']:.0f} MiB, load average "
                      f"before {load:.2f}"
                      + (f" (on {measured_n} files)" if measured_n != n else ""), flush=True)
        for a in approaches:
            box, man, measured_n = plan[a]
            measured = statistics.median(r["seconds"] for r in runs[a])
            by_rule, by_cell = approach_recall(a, output_path(out_dirs[a], a), man)
            results.append({
                "n": n, "approach": a, "label": LABELS[a], "measured_on_files": measured_n,
                "extrapolated": measured_n != n, "median_s": measured * n / measured_n, "measured_median_s": measured,
                "runs_s": [r["seconds"] for r in runs[a]], "load_before": [r["load_before"] for r in runs[a]],
                "commits": sorted({r["commit"] for r in runs[a]}),
                "peak_tree_rss_mib": max(r["peak_tree_rss_mib"] for r in runs[a]),
                "peak_tree_pss_mib": max(r["peak_tree_pss_mib"] for r in runs[a]),
                "detail": [r["detail"] for r in runs[a] if "detail" in r],
                "recall_cell_rule": by_rule, "recall_cell": by_cell,
                "rows": manifest["rows"], "planted": manifest["planted_count"],
            })
        for a in skipped:
            results.append({"n": n, "approach": a, "label": LABELS[a], "skipped": f"not installed: {INSTALL_HINT}"})
    _ratios(results)
    return results


def startup_seconds(repeats: int = 3) -> float:
    """ntvt's fixed cost: `python -m checker --help` (interpreter, imports, click), median of a few."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "checker", "--help"], cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _ratios(results: list[dict]) -> None:
    """(b)/(a) for ntvt; (c)/(b) and (d)/(b) for the others."""
    by = {(r["n"], r["approach"]): r for r in results if "median_s" in r}
    for r in results:
        if "median_s" not in r:
            continue
        base = {"ntvt": "floor", "naive": "ntvt", "frictionless": "ntvt"}.get(r["approach"])
        ref = by.get((r["n"], base)) if base else None
        r["ratio_to"] = base
        r["ratio"] = r["median_s"] / ref["median_s"] if ref else None


def _share(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def markdown(results: list[dict]) -> str:
    header = ("| N | approach | median s | ratio | peak RSS / PSS MiB (process tree) | recall (file, cell, rule) | "
              "recall (file, cell) |")
    lines = [header, "|---:|---|---:|---|---:|---:|---:|"]
    letter = {"floor": "a", "ntvt": "b", "naive": "c", "frictionless": "d"}
    for r in results:
        if "skipped" in r:
            lines.append(f"| {r['n']:,} | {r['label']} | skipped: {r['skipped']} | | | | |")
            continue
        seconds = f"{r['median_s']:.2f}"
        rss = f"{r['peak_tree_rss_mib']:.0f} / {r['peak_tree_pss_mib']:.0f}"
        if r["extrapolated"]:
            seconds = f"≈ {r['median_s']:.0f} (×{r['n'] / r['measured_on_files']:g} from {r['measured_on_files']:,} files)"
            rss += f" (on {r['measured_on_files']:,} files)"
        ratio = "1 (floor)" if r["approach"] == "floor" else (
            f"({letter[r['approach']]})/({letter[r['ratio_to']]}) = {r['ratio']:.2f}" if r.get("ratio") else "–")
        lines.append(f"| {r['n']:,} | {r['label']} | {seconds} | {ratio} | {rss} | {_share(r['recall_cell_rule'])} | "
                     f"{_share(r['recall_cell'])} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Where ntvt's time goes (library stages timed by wrapping them from here; checker/ is unchanged)


def time_split(inbox: Path, manifest: dict, output: Path) -> list[tuple[str, float]]:
    import importlib

    from checker import load_rules

    # The stages are wrapped where they are looked up: api.py calls gather, validate and the writer.
    api_mod = importlib.import_module("checker.api")
    check_mod = importlib.import_module("checker.validate.pipeline")
    rule_mod = importlib.import_module("checker.validate.rule_findings")
    cons = importlib.import_module("checker.decide.consolidation")
    xml_mod = importlib.import_module("checker.write.streaming")

    spent: dict[str, float] = {}
    # Stages that do not exist in the checker measured (the pipeline changes) are left out; the ones
    # indented are inside the stage above them. Time spent in the forked worker is in the stage that waits.
    stages = [
        (api_mod, "gather", "gather: walk the inbox, fingerprint the files"),
        (api_mod, "validate", "validate (total, includes the indented stages)"),
        (check_mod, "read_and_frame", "  read_and_frame: calamine read + frames, parent + 1 worker"),
        (rule_mod, "run_schema", "  run_schema: pandera, row and file rules"),
        (check_mod, "reading_findings", "  reading findings"),
        (cons, "decide_files", "decide files of record"),
        (cons, "status_tables", "status tables (unit × cycle)"),
        (cons, "campaign_findings", "campaign rules (incl. their pandera run)"),
        (api_mod, "write_consolidated", "write_consolidated: the output workbook"),
        (xml_mod, "splice", "  splice: big sheets' rows streamed into it (zip copied once)"),
    ]
    stages = [s for s in stages if callable(getattr(s[0], s[1], None))]
    saved = []

    def wrap(mod, attr, label):
        original = getattr(mod, attr)
        saved.append((mod, attr, original))

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t

        setattr(mod, attr, timed)

    for mod, attr, label in stages:
        wrap(mod, attr, label)
    try:
        output.unlink(missing_ok=True)
        rules = load_rules()
        t = time.perf_counter()
        result = api_mod.consolidate(inbox, output, rules, as_of=dt.date.fromisoformat(manifest["as_of"]))
        total = time.perf_counter() - t
    finally:
        for mod, attr, original in saved:
            setattr(mod, attr, original)
    named = [(label, spent[label]) for _, _, label in stages if spent.get(label)]  # 0: ran in workers only
    # After a stage with timed stages inside it (indented), what the inner ones do not account for.
    rests = {"validate": "  rest of validate: rendering findings and messages",
             "write_consolidated": "  rest of the output: xlsxwriter's sheets, layout, comments"}
    at = 0
    while at < len(named):
        end = at + 1
        while end < len(named) and named[end][0].startswith("  "):
            end += 1
        rest = next((text for key, text in rests.items() if named[at][0].startswith(key)), None)
        if rest and end > at + 1:
            named.insert(end, (rest, named[at][1] - sum(s for _, s in named[at + 1:end])))
            end += 1
        at = end
    accounted = sum(s for label, s in named if not label.startswith("  "))
    named.append(("rest (sorting findings, Consolidation object…)", total - accounted))
    named.append(("total consolidate() in-process", total))
    print(f"  ({len(result.findings)} findings, {result.counts['rows_in']} rows)")
    return named


def copy_check_cost(inbox: Path, manifest: dict) -> dict[str, Any]:
    """The copy check's own cost at this N (DN-SAOCHEP, kind copied_text, checker/validate/copy_kinds):
    one in-process validation of the inbox, with copy_kinds.copies (the detection: keys, exact
    groups, cdist or MinHash LSH, rapidfuzz) timed from outside. It runs twice per batch: once for
    the verdicts, once more when the warnings are rendered (the other copy to name)."""
    from checker import load_rules
    from checker.api import validate_files
    from checker.validate import copy_kinds

    calls: list[float] = []
    original = copy_kinds.copies

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            calls.append(time.perf_counter() - t)

    copy_kinds.copies = timed
    try:
        t = time.perf_counter()
        validation = validate_files(inbox_files(inbox), load_rules(), as_of=dt.date.fromisoformat(manifest["as_of"]))
        total = time.perf_counter() - t
    finally:
        copy_kinds.copies = original
    rows = sum(len(frame) for frame in validation.frames.tables.values() if "summary" in frame)
    warned = sum(f.rule_id == "DN-SAOCHEP" for f in validation.findings)
    return {"seconds": round(sum(calls), 3), "calls": len(calls), "rows": rows, "warned": warned,
            "validate_seconds": round(total, 2)}


def code_version() -> str:
    """The commit of the checker measured (and whether the work tree had changes), for the record."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "checker"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        return head + (" (checker/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    try:
        with open("/proc/meminfo") as fh:
            info["mem_gib"] = round(int(fh.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("pandas", "pandera", "openpyxl", "xlsxwriter", "python-calamine", "frictionless"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = None
    return info


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000], help="inbox sizes (default 100 1000)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ntvt-bench"), help="cache of inboxes and outputs")
    parser.add_argument("--out", type=Path, help="results JSON (default WORK/results.json)")
    parser.add_argument("--subset", type=int, default=1000,
                        help="above this N, (c) and (d) run on the first SUBSET files and are scaled")
    parser.add_argument("--approaches", nargs="+", default=APPROACHES, choices=APPROACHES)
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up run on 20 files")
    parser.add_argument("--split", action="store_true", help="also time ntvt's stages in-process at the largest N")
    parser.add_argument("--no-copy-cost", action="store_true",
                        help="skip timing the copy check (one more in-process validation per N)")
    # internal: one approach in a child process
    parser.add_argument("--child", choices=["floor", "naive", "frictionless"], help=argparse.SUPPRESS)
    parser.add_argument("--inbox", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--planted", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    parser.add_argument("--sheets", nargs="+", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--schemas", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        if args.child == "floor":
            child_floor(args.inbox, args.output, args.planted, args.sheets)
        elif args.child == "naive":
            child_naive(args.inbox, args.output, dt.date.fromisoformat(args.as_of))
        else:
            child_frictionless(args.inbox, args.output, args.schemas)
        return None

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    version = code_version()
    print(f"checker at {version}", flush=True)
    results = bench(sorted(args.n), args.repeats, args.seed, work, args.subset, list(args.approaches),
                    not args.no_warmup)
    startup = startup_seconds() if "ntvt" in args.approaches else None
    table = markdown(results)
    report: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "commit": version,
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "repeats": args.repeats, "seed": args.seed, "subset": args.subset,
        "memory_method": f"sums of Rss and of Pss (/proc/<pid>/smaps_rollup) over the child and all its "
                         f"descendants, sampled every {SAMPLE_SECONDS * 1000:.0f} ms; the peak of each sum",
        "ntvt_startup_s": startup, "results": results, "table": table,
    }
    print()
    print(f"medians of {args.repeats} run(s); machine: {report['machine']['cpus']} CPUs, "
          f"Python {report['machine']['python']}")
    print(table)
    if startup is not None:
        print(f"ntvt's fixed start-up cost (`python -m checker --help`: interpreter, imports): {startup:.2f} s")
    if any(r.get("extrapolated") for r in results):
        print(f"≈: extrapolated linearly from the first {args.subset:,} files of the same seeded inbox; "
              "its peak RSS is the one measured on those files.")
    if "ntvt" in args.approaches and not args.no_copy_cost:
        report["copy_check"] = {}
        for n in sorted(args.n):
            cost = copy_check_cost(*ensure_inbox(work, n, args.seed))
            report["copy_check"][n] = cost
            print(f"copy check (DN-SAOCHEP) at N={n}: {cost['seconds']:.2f} s in {cost['calls']} call(s) on "
                  f"{cost['rows']:,} nominations, {cost['warned']:,} warned (in-process validate: "
                  f"{cost['validate_seconds']:.1f} s)", flush=True)
    if args.split:
        n = max(args.n)
        inbox, manifest = ensure_inbox(work, n, args.seed)
        print(f"\nwhere ntvt's time goes at N={n} (one in-process run, stages wrapped from outside):")
        split = time_split(inbox, manifest, inbox.parent / "out" / "split.xlsx")
        total = split[-1][1]
        for label, seconds in split:
            print(f"  {label:<60} {seconds:8.2f} s  {seconds / total:6.1%}")
        report["split"] = {"n": n, "stages": split}
    report["seconds"] = round(time.perf_counter() - started, 1)
    out = args.out or work / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nresults: {out}")
    return report


if __name__ == "__main__":
    main()
