"""Deadlines and cycle statuses, in the plan's local time (the rules file's UTC offset), under the rules' policy.

A deadline is represented by its *bound*: the first instant that is late. "trước ngày 20" read
literally (strict_before) gives 20/05 00:00; the inclusive reading 21/05 00:00; the roll-forward
reading moves a weekend or holiday 20th to the end of the next working day. Pure functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model.words import INVALID, LATE, MISSING, NOT_DUE, ON_TIME
from ..ruleset.spec import Deadlines, Plan



def _working(day: dt.date, deadlines: Deadlines) -> bool:
    return day.weekday() < 5 and day not in deadlines.holidays


def bound_for(due_day: dt.date, deadlines: Deadlines) -> dt.datetime:
    """The first late instant for "before `due_day`" under the policy."""
    if deadlines.policy == "strict_before":
        last = due_day - dt.timedelta(days=1)
    elif deadlines.policy == "inclusive":
        last = due_day
    else:  # inclusive_roll_forward
        last = due_day
        while not _working(last, deadlines):
            last += dt.timedelta(days=1)
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), deadlines.zone)


def last_day(bound: dt.datetime) -> dt.date:
    """The last day on which a receipt is on time."""
    return (bound - dt.timedelta(days=1)).date()


def cycle_due_day(cycle: str, deadlines: Deadlines) -> dt.date:
    year, month = (int(x) for x in cycle.split("-"))
    return dt.date(year, month, deadlines.monthly_day)


def cycle_bound(cycle: str, deadlines: Deadlines) -> dt.datetime:
    return bound_for(cycle_due_day(cycle, deadlines), deadlines)


def summary_bound(deadlines: Deadlines) -> dt.datetime:
    return bound_for(deadlines.summary_due, deadlines)


def end_of(day: dt.date, deadlines: Deadlines) -> dt.datetime:
    """The first instant after `day` in local time: "as of 31/07" includes all of the 31st."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), deadlines.zone)


def passed(bound: dt.datetime, as_of: dt.date, deadlines: Deadlines) -> bool:
    """A deadline has passed on `as_of` once its last day is over: on the last day itself a unit may
    still send (a run on 19/05 under "trước ngày 20" does not yet call anyone missing)."""
    return bound <= dt.datetime.combine(as_of, dt.time(0), deadlines.zone)


def days_late(received: dt.datetime, bound: dt.datetime, deadlines: Deadlines) -> int:
    return (deadlines.to_local(received).date() - last_day(bound)).days


@dataclass(frozen=True)
class Receipt:
    """One submission as the deadline logic sees it."""

    received_at: dt.datetime
    valid: bool  # holds at least the required valid content


@dataclass(frozen=True)
class Status:
    text: str  # Vietnamese, as shown
    code: str  # on_time | late | invalid | missing | not_due
    days_late: int = 0
    receipt: Receipt | None = None  # the receipt the status rests on


def status(receipts: list[Receipt], bound: dt.datetime, as_of: dt.date, deadlines: Deadlines) -> Status:
    """The status of one unit for one deadline, counting only what had arrived by the end of as_of."""
    cutoff = end_of(as_of, deadlines)
    receipts = [Receipt(deadlines.to_local(r.received_at), r.valid) for r in receipts]
    arrived = sorted((r for r in receipts if r.received_at < cutoff), key=lambda r: r.received_at)
    on_time = [r for r in arrived if r.valid and r.received_at < bound]
    if on_time:
        return Status(ON_TIME, "on_time", receipt=on_time[0])
    late = [r for r in arrived if r.valid]
    if late:
        n = days_late(late[0].received_at, bound, deadlines)
        return Status(LATE.format(days=n), "late", n, late[0])
    if arrived:
        return Status(INVALID, "invalid", receipt=arrived[-1])
    if passed(bound, as_of, deadlines):
        return Status(MISSING, "missing")
    return Status(NOT_DUE, "not_due")


def describe_deadline(bound: dt.datetime) -> str:
    return f"nhận chậm nhất ngày {last_day(bound):%d/%m/%Y}"


def as_of_note(as_of: dt.date, plan: Plan) -> str | None:
    """A warning line when the day of reckoning lies outside the plan's time (Mục III): accepted, but
    almost surely a mistyped --as-of."""
    if as_of < plan.start:
        return (f"Chú ý: ngày tính {as_of:%d/%m/%Y} trước ngày bắt đầu kế hoạch ({plan.start:%d/%m/%Y}): "
                "chưa kỳ nào đến hạn và mọi tệp nhận sau ngày này chưa được tính; hãy kiểm tra lại ngày tính (--as-of).")
    if as_of > plan.end:
        return (f"Chú ý: ngày tính {as_of:%d/%m/%Y} sau ngày kết thúc kế hoạch ({plan.end:%d/%m/%Y}): mọi kỳ đã "
                "đến hạn; nếu muốn xem tình hình tại một thời điểm của kế hoạch, hãy chọn lại ngày tính (--as-of).")
    return None
