"""The check kinds: how each `kind:` of the rules file is evaluated on a frame.

Each kind gives a vectorised `fails(frame, check, column)` (True where the cell breaks the rule)
and `details(row, check, column)` (the message placeholders for one failing cell). Rules say *what*
(in YAML), this registry says *how*. A new behaviour is a new kind here, with tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from ..normalise import text
from ..ruleset.spec import CheckSpec, Condition, RuleSet

Fails = Callable[["Context", pd.DataFrame, CheckSpec, str], pd.Series]
Details = Callable[["Context", pd.Series, CheckSpec, str], dict[str, Any]]

DATE_NAMES = {"sent_date": "ngày gửi", "plan_end": "ngày kết thúc kế hoạch", "plan_start": "ngày bắt đầu kế hoạch"}


@dataclass
class Context:
    """What checks need besides the frame: the rules, list values and unit matching."""

    rules: RuleSet
    list_values: Callable[[str], tuple[str, ...]]
    field_list: Callable[[str], str | None]  # column key -> list name
    suggest_unit: Callable[[str], list[str]]
    frame: pd.DataFrame | None = None  # the frame being rendered, for details that look at other rows
    as_of: Any = None  # the date statuses are computed for (campaign rules)
    cache: dict = field(default_factory=dict)  # per rendering: values details compute once


def fmt_date(value: Any) -> str:
    return pd.Timestamp(value).strftime("%d/%m/%Y") if pd.notna(value) else ""


def applies(frame: pd.DataFrame, when: Condition | None) -> pd.Series:
    if when is None:
        return pd.Series(True, index=frame.index)
    hit = frame[when.column].isin(when.values)
    return ~hit if when.negate else hit


def given(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[f"{column}__raw"] != ""


# -- kinds -----------------------------------------------------------------------------------------


def _required(ctx, f, c, col):
    return ~given(f, col)


def _in_list(ctx, f, c, col):
    return given(f, col) & ~f[col].isin(ctx.list_values(ctx.field_list(col)))


def _in_list_details(ctx, row, c, col):
    values = ctx.list_values(ctx.field_list(col))
    return {"values": ", ".join(values), "expected": " hoặc ".join(values)}


def _year_range(ctx, f, c, col):
    high = f["_year"] - c.params["max_age_offset"]
    return given(f, col) & (f[f"{col}__bad"] | (f[col] < c.params["min"]) | (f[col] > high))


def _year_details(ctx, row, c, col):
    return {"min": c.params["min"], "max": int(row["_year"] - c.params["max_age_offset"])}


def _blank(ctx, f, c, col):
    return given(f, col)


def _limits(ctx, f, c) -> list[tuple[str, pd.Series]]:
    out = []
    for ref in c.params.get("not_after", []):
        if ref == "sent_date":
            out.append((ref, f["_sent"]))
        else:
            day = ctx.rules.plan.end if ref == "plan_end" else ctx.rules.plan.start
            out.append((ref, pd.Series(pd.Timestamp(day), index=f.index)))
    return out


def _date(ctx, f, c, col):
    bad = f[f"{col}__bad"].copy()
    for _, limit in _limits(ctx, f, c):
        bad |= f[col].notna() & limit.notna() & (f[col] > limit)
    return given(f, col) & bad


def _date_details(ctx, row, c, col):
    days = {"sent_date": row.get("_sent"), "plan_end": pd.Timestamp(ctx.rules.plan.end),
            "plan_start": pd.Timestamp(ctx.rules.plan.start)}
    limits = [(ref, days[ref]) for ref in c.params.get("not_after", []) if pd.notna(days[ref])]
    if not limits:
        return {"limit_name": "", "limit": ""}
    ref, day = min(limits, key=lambda item: item[1])
    if not row[f"{col}__bad"]:  # name the limit actually passed
        passed = [(r, d) for r, d in limits if row[col] > d]
        ref, day = min(passed, key=lambda item: item[1]) if passed else (ref, day)
    return {"limit_name": DATE_NAMES[ref], "limit": fmt_date(day)}


def _reference(f, c, rules=None) -> pd.Series:
    if c.params["reference"] == "sent_date":
        return f["_sent"]
    day = rules.plan.end if c.params["reference"] == "plan_end" else rules.plan.start
    return pd.Series(pd.Timestamp(day), index=f.index)


def _max_days_before(ctx, f, c, col):
    gap = (_reference(f, c, ctx.rules) - f[col]).dt.days
    return f[col].notna() & gap.notna() & (gap > c.params["days"])


def _max_days_details(ctx, row, c, col):
    ref = {"sent_date": row["_sent"], "plan_end": pd.Timestamp(ctx.rules.plan.end),
           "plan_start": pd.Timestamp(ctx.rules.plan.start)}[c.params["reference"]]
    return {"days": c.params["days"], "actual": int((ref - row[col]).days)}


def _equals(ctx, f, c, col):
    return f[col] != c.params["value"]


def _in_values(ctx, f, c, col):
    return given(f, col) & ~f[col].isin(c.params["values"])  # a blank one is DN-BATBUOC's to report


def _values_details(ctx, row, c, col):
    values = c.params.get("values") or [c.params["value"]]
    return {"values": ", ".join(values), "expected": " hoặc ".join(values)}


def _placeholder(ctx, f, c, col):
    keys = {text.list_key(v) for v in c.params["values"]}
    # Only short cells can be a placeholder: keying every 300-character summary would dominate a city run.
    longest = max(len(v) for v in c.params["values"]) + 10
    short = given(f, col) & (f[col].str.len() <= longest)
    hit = pd.Series(False, index=f.index)
    candidates = f.loc[short, col]
    if len(candidates):
        hit.loc[candidates.index] = [text.list_key(v) in keys for v in candidates]
    return short & hit


def _min_length(ctx, f, c, col):
    return given(f, col) & (f[col].str.len() < c.params["min"])


def _max_length(ctx, f, c, col):
    return given(f, col) & (f[col].str.len() > c.params["max"])


def _length_details(ctx, row, c, col):
    return {"min": c.params.get("min"), "max": c.params.get("max"), "length": len(row[col] or "")}


def _person(f: pd.DataFrame, c: CheckSpec) -> pd.Series:
    parts = [f[k].map(lambda v: text.person_key(v) if isinstance(v, str) else ("" if pd.isna(v) else str(int(v))))
             for k in c.params["columns"]]
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    return key


def _unique(ctx, f, c, col):
    if col != c.params["columns"][0]:  # reported once, on the name cell
        return pd.Series(False, index=f.index)
    # Among the rows that name someone: a blank name is nobody's twin.
    named = given(f, col)
    keys = pd.DataFrame({"f": f["_file"], "k": _person(f, c)})[named]
    return named & keys.duplicated(keep="first").reindex(f.index, fill_value=False)


def _unique_details(ctx, row, c, col):
    if ("first_rows", id(c)) not in ctx.cache:
        f = ctx.frame
        keyed = pd.DataFrame({"f": f["_file"], "k": _person(f, c), "r": f["_row"]})[given(f, col)]
        # Only people listed twice are asked about: a map of every row would cost a city's rows.
        keyed = keyed[keyed.duplicated(["f", "k"], keep=False)]
        ctx.cache[("keys", id(c))] = keyed["k"]
        ctx.cache[("first_rows", id(c))] = keyed.groupby(["f", "k"])["r"].min().to_dict()
    key = ctx.cache[("keys", id(c))].loc[row["_index"]]
    return {"first_row": int(ctx.cache[("first_rows", id(c))][(row["_file"], key)])}


def _whole_number(ctx, f, c, col):
    return given(f, col) & f[f"{col}__bad"]


def _known_unit(ctx, f, c, col):
    return f[col].isna()


def _known_unit_details(ctx, row, c, col):
    raw = row[f"{col}__raw"]
    names = ctx.suggest_unit(raw) if raw else []
    hint = f"; có phải “{names[0]}” không?" if names else "."
    return {"suggestion": hint}


def _in_cycles(ctx, f, c, col):
    return ~f[col].isin(ctx.rules.deadlines.cycles)


def _cycles_details(ctx, row, c, col):
    return {"values": ", ".join(ctx.rules.cycle_label(x) for x in ctx.rules.deadlines.cycles)}


def _min_valid_rows(ctx, f, c, col):
    return f["_valid_nominations"] < c.params["min"]


def _min_rows_details(ctx, row, c, col):
    return {"min": c.params["min"], "count": int(row["_valid_nominations"])}


def _none(ctx, row, c, col):
    return {}


KINDS: dict[str, tuple[Fails, Details]] = {
    "required": (_required, _none),
    "in_list": (_in_list, _in_list_details),
    "year_range": (_year_range, _year_details),
    "blank": (_blank, _none),
    "date": (_date, _date_details),
    "max_days_before": (_max_days_before, _max_days_details),
    "equals": (_equals, _values_details),
    "in_values": (_in_values, _values_details),
    "placeholder": (_placeholder, _none),
    "min_length": (_min_length, _length_details),
    "max_length": (_max_length, _length_details),
    "unique": (_unique, _unique_details),
    "whole_number": (_whole_number, _none),
    "known_unit": (_known_unit, _known_unit_details),
    "in_cycles": (_in_cycles, _cycles_details),
    "min_valid_rows": (_min_valid_rows, _min_rows_details),
}


def target_columns(check: CheckSpec) -> tuple[str, ...]:
    """The frame columns a check reports on (min_valid_rows has no cell: it sits on the counter)."""
    return check.columns or ("_valid_nominations",)


def failing(ctx: Context, frame: pd.DataFrame, check: CheckSpec, column: str) -> pd.Series:
    """True where the cell breaks the check (its `when:` condition included)."""
    fails, _ = KINDS[check.kind]
    return (applies(frame, check.when) & fails(ctx, frame, check, column)).fillna(False).astype(bool)


def details(ctx: Context, row: pd.Series, check: CheckSpec, column: str) -> dict[str, Any]:
    return KINDS[check.kind][1](ctx, row, check, column)
