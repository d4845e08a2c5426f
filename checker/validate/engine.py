"""Compile the rules into pandera schemas, run them once on a concatenated frame, map failures back.

One pandera `Check` per (rule, check, column), named `RULE#n` (name and error both, because the
failure table reports `error` before `name`), vectorised, `ignore_na=False` so a blank cell is seen
by the rules that care about blanks, and validated with `lazy=True` so every failure is collected.
Two choices differ from the textbook use of pandera, both measured here:
- every check is a *column* check: a DataFrame-wide check that returns a row mask is reported by
  pandera once per column of the frame (×40 rows of output), and one that returns a boolean frame
  drops rows holding any NA. A conditional rule ("required for Cá nhân") is attached to the column
  it reports on; its verdict is computed from the whole frame before pandera runs (compile_schema).
- warnings are not `raise_warning` checks: those are emitted as Python warnings without the failing
  index. Severity is ours: it comes from the rules file when findings are rendered.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections import defaultdict

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .columns import CONTEXT_COLUMNS
from .long_texts import holds_packed
from ..model.packed import unpacked
from .registry import details, failing, target_columns
from .row_kinds import Context
from ..process.memory import release_free_memory
from ..ruleset.spec import Rule


def compile_schema(ctx: Context, frame: pd.DataFrame, rules: list[Rule],
                   targets=target_columns) -> pa.DataFrameSchema:
    """A schema for `frame`: each pandera check is handed the verdict of its rule check on that frame.

    The verdicts (True where a cell passes) are computed here, from the frame, once per (check,
    column); the pandera check only picks the rows of the series it is given, so it depends on
    nothing but its own verdict and holds no reference to the frame.
    """
    by_column: dict[str, list[pa.Check]] = defaultdict(list)
    for rule in rules:
        for n, check in enumerate(rule.checks):
            name = f"{rule.id}#{n}"
            for column in targets(check):
                passes = ~failing(ctx, frame, check, column)
                by_column[column].append(pa.Check(lambda series, passes=passes: passes.loc[series.index],
                                                  name=name, error=name, ignore_na=False, element_wise=False))
    columns = {col: pa.Column(checks=checks, nullable=True, required=True) for col, checks in by_column.items()}
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def run_schema(ctx: Context, frame: pd.DataFrame, rules: list[Rule], targets=target_columns) -> pd.DataFrame:
    """Validate once; return the failures as (index, column, check) rows, first check of a rule per cell."""
    empty = pd.DataFrame({"index": pd.Series(dtype="int64"), "column": pd.Series(dtype="object"),
                          "check": pd.Series(dtype="object")})
    if frame.empty or not rules:
        return empty
    schema = compile_schema(ctx, frame, rules, targets)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Not pandera's default deep copy (hundreds of megabytes for a city's frame; nothing is
            # coerced), nor the frame itself: pandera registers the schema on the object it validates,
            # and keeps it for as long as that object lives. A shallow copy (copy-on-write) is
            # registered instead and dropped right after.
            schema.validate(frame.copy(deep=False), lazy=True, inplace=True)
    except SchemaErrors as exc:
        failures = _rule_failures(exc.failure_cases)
    else:
        failures = empty
    release_free_memory()  # pandera's masks and failure tables, before findings are rendered
    return failures


def _rule_failures(cases: pd.DataFrame) -> pd.DataFrame:
    errors = cases[cases["index"].notna() & cases["check"].astype(str).str.contains("#")]
    if len(errors) != len(cases):
        bad = cases[~cases.index.isin(errors.index)].head(3).to_dict("records")
        raise RuntimeError(f"pandera reported failures that are not rule checks: {bad}")
    out = errors[["index", "column", "check"]].copy()
    out["index"] = out["index"].astype("int64")
    # Each check name ("RULE#n") split once, not once per failing cell.
    split = {name: name.split("#") for name in out["check"].unique()}
    out["rule"] = out["check"].map({name: rule for name, (rule, _) in split.items()})
    out["n"] = out["check"].map({name: int(n) for name, (_, n) in split.items()}).astype(int)
    # Within one rule the first failing check (in rules-file order) speaks for a cell:
    # a placeholder summary is not also "too short".
    out = out.sort_values(["index", "column", "rule", "n"]).drop_duplicates(["index", "column", "rule"])
    return out.reset_index(drop=True)


# Columns any check's details may read, besides the failing column's own three.


def render_failures(ctx: Context, frame: pd.DataFrame, failures: pd.DataFrame, rules: list[Rule]):
    """Yield (frame index, column key, rule, check, placeholders, row) for each failure.

    The failing rows are taken out of the frame as plain dicts, one column at a time and with only
    the columns a message can need: a pandas row lookup per failure, or whole rows of a 60-column
    frame for 250,000 failures, cost more time and memory than everything else here at city scale.
    """
    checks = {f"{r.id}#{n}": (r, c) for r in rules for n, c in enumerate(r.checks)}
    if failures.empty:
        return
    # This rendering's own context: the frame (details that look at other rows) and what details
    # compute once for it. The caller's context is not changed, and both go when the rendering ends.
    ctx = dataclasses.replace(ctx, frame=frame, cache={})
    narrow = len(frame.columns) <= 30  # campaign tables: every column (their messages use many)
    for column, group in failures.groupby("column", sort=True):
        wanted = list(frame.columns) if narrow else [
            c for c in dict.fromkeys((*CONTEXT_COLUMNS, column, f"{column}__raw", f"{column}__bad"))
            if c in frame.columns]
        rows = frame.loc[group["index"].unique(), wanted].to_dict("index")
        packed = [c for c in (column, f"{column}__raw") if c in frame.columns and holds_packed(frame[c])]
        for row in rows.values():  # a summary's findings quote it, and its details measure it
            for c in packed:
                row[c] = unpacked(row[c])
        for index, check in group[["index", "check"]].itertuples(index=False):
            rule, spec = checks[check]
            row = rows[index]
            row["_index"] = index
            yield index, column, rule, spec, details(ctx, row, spec, column), row
