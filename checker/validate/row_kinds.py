"""The row and file check kinds: how each is evaluated on a frame of rows (or of files' counters).

Each kind gives a vectorised `fails(ctx, frame, check, column)` (True where the cell breaks the
rule) and `details(ctx, row, check, column)` (the message placeholders for one failing cell).
ruleset.kinds declares the kinds (what), ROW_KINDS implements them (how), validate.registry joins
them with the campaign kinds. A new behaviour is a new kind in both, with tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Sequence

import pandas as pd

from .columns import VALID_ROWS
from .long_texts import by_slices, lengths
from ..normalise.people import person_keys
from ..normalise.placeholders import placeholder_mask
from ..model.words import EVIDENCE_SENT
from ..ruleset.kinds import DATE_ACTIONS, DATE_PROBLEMS, DATE_REFERENCES, RECEIPT_OTHER, RECEIPT_REFERENCES
from ..ruleset.spec import CheckSpec, Condition, RuleSet

Fails = Callable[["Context", pd.DataFrame, CheckSpec, str], pd.Series]
Details = Callable[["Context", pd.Series, CheckSpec, str], dict[str, Any]]


@dataclass
class Context:
    """What checks need besides the frame: the rules, list values and unit matching."""

    rules: RuleSet
    list_values: Callable[[str], tuple[str, ...]]
    field_list: Callable[[str], str | None]  # column key -> list name
    suggest_unit: Callable[[str], list[str]]
    as_of: Any = None  # the date statuses are computed for (campaign rules)
    # The batch's workbooks, by `_file`: for messages that name another row's file and cell (copies).
    books: Sequence[Any] = ()
    # Set only on the copy engine.render_failures makes for one rendering: the frame rendered (for
    # details that look at other rows) and what details compute once for it.
    frame: pd.DataFrame | None = None
    cache: dict = field(default_factory=dict)
    # What a verdict computed on a frame that its rendering asks for again (person keys, copies):
    # key -> (frame, check, value). Shared with the renderings' copies of this context; emptied
    # once a sheet's findings are rendered (validate.pipeline), so it holds one sheet's at most.
    memo: dict = field(default_factory=dict)


def frame_memo(ctx: Context, f: pd.DataFrame, key: Hashable, compute: Callable[[], Any],
               check: CheckSpec | None = None) -> Any:
    """compute() for frame `f` (and `check`), computed again only for another frame or check: the
    last one under `key` is kept."""
    held = ctx.memo.get(key)
    if held is not None and held[0] is f and held[1] is check:
        return held[2]
    value = compute()
    ctx.memo[key] = (f, check, value)
    return value


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


def reference_date(rules: RuleSet, ref: str, sent: Any) -> Any:
    """The date a date check compares with (ruleset.kinds.DATE_REFERENCES): the sending date as
    given (a row's value or a frame's column), or the plan's start or end as a Timestamp."""
    if ref == "sent_date":
        return sent
    return pd.Timestamp(rules.plan.end if ref == "plan_end" else rules.plan.start)


def reference_words(ctx, row, ref: str) -> str:
    """How a message names the date it compared with: for the sending date, the file's "Ngày gửi"
    or, where that could not be read, the receipt that stood in for it ("ngày nhận theo thư điện tử")."""
    if ref != "sent_date":
        return DATE_REFERENCES[ref]
    source = row["_sent_from"]
    if isinstance(source, str) and source != EVIDENCE_SENT:
        return RECEIPT_REFERENCES.get(source, RECEIPT_OTHER)
    return DATE_REFERENCES[ref]


def _reference_column(ctx, f, ref: str) -> pd.Series:
    day = reference_date(ctx.rules, ref, f["_sent"])
    return day if isinstance(day, pd.Series) else pd.Series(day, index=f.index)


def _date(ctx, f, c, col):
    bad = f[f"{col}__bad"].copy()
    for ref in c.params.get("not_after", []):
        limit = _reference_column(ctx, f, ref)
        bad |= f[col].notna() & limit.notna() & (f[col] > limit)
    return given(f, col) & bad


def _date_details(ctx, row, c, col):
    days = [(ref, reference_date(ctx.rules, ref, row.get("_sent"))) for ref in c.params.get("not_after", [])]
    limits = [(ref, day) for ref, day in days if pd.notna(day)]
    bad = bool(row[f"{col}__bad"])
    if not limits:
        return {"limit_name": "", "limit": "", **_date_words(ctx, "bad")}
    ref, day = min(limits, key=lambda item: item[1])
    if not bad:  # name the limit actually passed
        passed = [(r, d) for r, d in limits if row[col] > d]
        ref, day = min(passed, key=lambda item: item[1]) if passed else (ref, day)
    values = {"limit_name": reference_words(ctx, row, ref), "limit": fmt_date(day)}
    return {**values, **_date_words(ctx, "bad" if bad else _failed(row, ref), **values)}


def _failed(row, ref: str) -> str:
    """Which DATE_PROBLEMS entry a date after `ref` is: after the file's own sending date, after a
    receipt standing in for it, or after another reference."""
    if ref != "sent_date":
        return "other"
    source = row.get("_sent_from")
    return "receipt" if isinstance(source, str) and source != EVIDENCE_SENT else "sent_date"


def _date_words(ctx, failed: str, **values) -> dict[str, str]:
    """A date check's {problem} (what failed) and {action} (what to do)."""
    sent = ctx.rules.field_by_role("sent_date")
    values = {"sent": sent.label if sent is not None else "", **values}
    return {"problem": DATE_PROBLEMS[failed].format(**values), "action": DATE_ACTIONS[failed].format(**values)}


def _max_days_before(ctx, f, c, col):
    gap = (_reference_column(ctx, f, c.params["reference"]) - f[col]).dt.days
    return f[col].notna() & gap.notna() & (gap > c.params["days"])


def _max_days_details(ctx, row, c, col):
    ref = c.params["reference"]
    day = reference_date(ctx.rules, ref, row["_sent"])
    return {"days": c.params["days"], "actual": int((day - row[col]).days),
            "limit_name": reference_words(ctx, row, ref), "limit": fmt_date(day)}


def _not_before(ctx, f, c, col):
    return f[col].notna() & (f[col] < pd.Timestamp(c.params["not_before"]))


def _not_before_details(ctx, row, c, col):
    return {"limit": fmt_date(c.params["not_before"])}


def _equals(ctx, f, c, col):
    return f[col] != c.params["value"]


def _in_values(ctx, f, c, col):
    return given(f, col) & ~f[col].isin(c.params["values"])  # a blank one is a `required` check's to report


def _equals_details(ctx, row, c, col):
    return {"expected": c.params["value"]}


def _values_details(ctx, row, c, col):
    values = c.params["values"]
    return {"values": ", ".join(values), "expected": " hoặc ".join(values)}


def _placeholder(ctx, f, c, col):
    # By meaning ("Như trên.", "(nt)", "N/A", a lone "."), not by spelling: normalise.placeholders.
    # A long cell can be one too (a row of dots): packed summaries are unpacked a slice at a time.
    filled = given(f, col)
    return filled & by_slices(f[col].where(filled, ""), lambda part: placeholder_mask(part, c.params["values"]))


def _min_length(ctx, f, c, col):
    return given(f, col) & (lengths(f[col]) < c.params["min"])


def _max_length(ctx, f, c, col):
    return given(f, col) & (lengths(f[col]) > c.params["max"])


def _min_length_details(ctx, row, c, col):
    return {"min": c.params["min"], "length": len(row[col] or "")}


def _max_length_details(ctx, row, c, col):
    return {"max": c.params["max"], "length": len(row[col] or "")}


def _person_keys(ctx: Context, f: pd.DataFrame, columns: list[str]) -> pd.Series:
    # The rendering of the duplicates asks again for what the verdict just computed.
    return frame_memo(ctx, f, ("person_keys", tuple(columns)), lambda: person_keys(f, columns))


def _unique(ctx, f, c, col):
    if col != c.params["columns"][0]:  # reported once, on the name cell
        return pd.Series(False, index=f.index)
    # Among the rows that name someone: a blank name is nobody's twin.
    named = given(f, col)
    keys = pd.DataFrame({"f": f["_file"], "k": _person_keys(ctx, f, c.params["columns"])})[named]
    return named & keys.duplicated(keep="first").reindex(f.index, fill_value=False)


def _unique_details(ctx, row, c, col):
    if ("first_rows", id(c)) not in ctx.cache:
        f = ctx.frame
        keyed = pd.DataFrame({"f": f["_file"], "k": _person_keys(ctx, f, c.params["columns"]), "r": f["_row"]})[given(f, col)]
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
    names = ctx.suggest_unit(raw) if raw else []  # at most two, best first
    hint = f"; có phải {' hoặc '.join(f'“{n}”' for n in names)} không?" if names else "."
    return {"suggestion": hint}


def _in_cycles(ctx, f, c, col):
    return ~f[col].isin(ctx.rules.deadlines.cycles)


def _cycles_details(ctx, row, c, col):
    return {"values": ", ".join(ctx.rules.cycle_label(x) for x in ctx.rules.deadlines.cycles)}


def _min_valid_rows(ctx, f, c, col):
    return f[VALID_ROWS] < c.params["min"]


def _min_rows_details(ctx, row, c, col):
    return {"min": c.params["min"], "count": int(row[VALID_ROWS])}


def _none(ctx, row, c, col):
    return {}


# The row and file kinds' implementations, by kind (ruleset.kinds declares them; validate.registry joins).
ROW_KINDS: dict[str, tuple[Fails, Details]] = {
    "required": (_required, _none),
    "in_list": (_in_list, _in_list_details),
    "year_range": (_year_range, _year_details),
    "blank": (_blank, _none),
    "date": (_date, _date_details),
    "date_not_before": (_not_before, _not_before_details),
    "max_days_before": (_max_days_before, _max_days_details),
    "equals": (_equals, _equals_details),
    "in_values": (_in_values, _values_details),
    "placeholder": (_placeholder, _none),
    "min_length": (_min_length, _min_length_details),
    "max_length": (_max_length, _max_length_details),
    "unique": (_unique, _unique_details),
    "whole_number": (_whole_number, _none),
    "known_unit": (_known_unit, _known_unit_details),
    "in_cycles": (_in_cycles, _cycles_details),
    "min_valid_rows": (_min_valid_rows, _min_rows_details),
}

