"""The peers of the benchmark, each run as a child process of benchmarks/run.py: (c) the naive
pipeline (openpyxl, pandera per file, openpyxl) and (d) frictionless validating each table sheet."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from benchmarks.files import inbox_files

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
