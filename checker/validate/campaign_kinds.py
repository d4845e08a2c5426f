"""Campaign rules: deadlines, activities and cross-file checks, as pandera checks on campaign tables.

The row rules run on the nomination rows; the campaign rules run, through the same machinery
(validate.engine.run_schema), on tables consolidation builds: one row per official unit × cycle
(`cycles`), one row per unit (`units`), one row per stated figure of a summary report
(`figures`), and the nomination rows of the files of record (`history`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .row_kinds import Details, Fails, applies
from ..model.words import EVIDENCE_SENT, evidence_words
from ..ruleset.spec import CheckSpec, Condition

__all__ = ["CAMPAIGN_KINDS", "activity_column", "count_where"]

FAILING_STATUS = ("late", "invalid", "missing")


def _monthly_deadline(ctx, f, c, col):
    # "Nộp nhưng chưa hợp lệ" before the deadline is a status, not yet a breach: the unit may still fix it.
    return f["required"] & f["due"] & f["status_code"].isin(FAILING_STATUS)


# What a unit is asked to do, by the status a deadline finding reports (decide.deadlines codes):
# a report not sent is asked for now; a late one is sent, so only the next ones can be on time.
DEADLINE_ACTIONS = {
    "missing": "Đề nghị đơn vị gửi ngay báo cáo",
    "invalid": "Đề nghị đơn vị sửa các lỗi của báo cáo và gửi lại ngay",
    "late": "Đề nghị đơn vị lưu ý gửi trước hạn các kỳ sau",
}


def _receipt_words(ctx, row) -> str:
    """When the report was received and on what evidence, in the plan's local time; or that it was not."""
    moment = row.get("received_at")
    if moment is None or pd.isna(moment):
        return f"đến hết ngày {pd.Timestamp(ctx.as_of):%d/%m/%Y} chưa nhận được báo cáo"
    rules = ctx.rules
    local = rules.deadlines.to_local(pd.Timestamp(moment).to_pydatetime())
    evidence = row.get("evidence") or ""
    sent = rules.field_by_role("sent_date")
    words = evidence_words(evidence, sent.label if sent is not None else "")
    # A date from the file's own sending-date cell has no time of day.
    when = f"ngày {local:%d/%m/%Y}" if evidence == EVIDENCE_SENT else (
        f"lúc {local:%H:%M} ngày {local:%d/%m/%Y} giờ {rules.plan.place}")
    return f"nhận {when}" + (f", theo {words}" if words else "")


def _deadline_details(ctx, row, c, col):
    return {"unit": row["unit_name"], "cycle": row.get("cycle_label", ""), "status": row["status"],
            "deadline": row["deadline"], "receipt": _receipt_words(ctx, row),
            "action": DEADLINE_ACTIONS.get(row["status_code"], "")}


def _summary_deadline_details(ctx, row, c, col):
    return {"unit": row["unit_name"], "status": row["status"], "deadline": row["deadline"],
            "receipt": _receipt_words(ctx, row), "action": DEADLINE_ACTIONS.get(row["status_code"], "")}


def activity_column(c: CheckSpec) -> str:
    return f"activities::{c.params['activity_type']}"


def _activity_in_window(ctx, f, c, col):
    due = pd.Timestamp(c.params["to"]) < pd.Timestamp(ctx.as_of)
    return f["required"] & (f[activity_column(c)] == 0) & due


def _window_details(ctx, row, c, col):
    return {"unit": row["unit_name"], "activity_type": c.params["activity_type"],
            "from": f"{c.params['from']:%d/%m/%Y}", "to": f"{c.params['to']:%d/%m/%Y}"}


def _each_cycle_details(ctx, row, c, col):
    return {"unit": row["unit_name"], "activity_type": c.params["activity_type"], "cycle": row.get("cycle_label", "")}


def _activity_each_cycle(ctx, f, c, col):
    # Only for a cycle the unit reported on: a cycle with nothing sent is HAN-THANG's to report.
    has_role = f["roles"].map(lambda roles: c.params["role"] in roles)
    reported = f["status_code"].isin(["on_time", "late", "invalid"])
    return has_role & f["due"] & reported & (f[activity_column(c)] == 0)


def _summary_matches(ctx, f, c, col):
    return f["stated"].notna() & f["expected"].notna() & (f["stated"] != f["expected"])


def _summary_details(ctx, row, c, col):
    return {"expected": int(row["expected"])}


def _repeat(ctx, f, c, col):
    return f["earlier_cycle"].notna()


def _repeat_details(ctx, row, c, col):
    return {"earlier_cycle": row["earlier_cycle"], "earlier_file": row["earlier_file"]}


def _earlier_plan(ctx, f, c, col):
    return f["earlier_plan"].notna()


def _earlier_plan_details(ctx, row, c, col):
    decision = row["earlier_decision"]  # None or NaN until the council decides
    return {"earlier_plan": row["earlier_plan"], "earlier_year": row["earlier_year"],
            "earlier_unit": row["earlier_unit"], "earlier_cycle": row["earlier_cycle"],
            "earlier_decision": decision if isinstance(decision, str) and decision else c.params["no_decision"]}


# The campaign kinds' implementations, by kind (ruleset.kinds declares them; validate.registry joins).
CAMPAIGN_KINDS: dict[str, tuple[Fails, Details]] = {
    "monthly_deadline": (_monthly_deadline, _deadline_details),
    "summary_deadline": (_monthly_deadline, _summary_deadline_details),
    "activity_in_window": (_activity_in_window, _window_details),
    "activity_each_cycle": (_activity_each_cycle, _each_cycle_details),
    "summary_matches": (_summary_matches, _summary_details),
    "repeat_nomination": (_repeat, _repeat_details),
    "earlier_plan_nomination": (_earlier_plan, _earlier_plan_details),
}



def count_where(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.Series:
    """Per `_file`: the number of rows (or the sum of a column) of rows matching `where`."""
    if frame.empty:
        return pd.Series(dtype="float64")
    mask = pd.Series(True, index=frame.index)
    if "where" in spec:
        w = spec["where"]
        mask = applies(frame, Condition(w["column"], tuple(w.get("in") or w.get("not_in")), "not_in" in w))
    picked = frame[mask]
    if "sum" in spec:
        return picked.groupby("_file")[spec["sum"]].sum(min_count=1).fillna(0)
    return picked.groupby("_file").size()
