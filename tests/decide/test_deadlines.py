"""Tests for checker.decide.deadlines: bounds and cycle statuses on a constructed calendar, in Hanoi time."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from checker.decide import deadlines as dl
from checker.decide.deadlines import Receipt
from checker.model.words import POLICY_WORDS
from checker.ruleset.build_plan import POLICIES
from checker.ruleset.loader import load_rules

from ..conftest import ROOT

HANOI = dt.timezone(dt.timedelta(hours=7))
UTC = dt.timezone.utc
STRICT, INCLUSIVE, ROLL = "strict_before", "inclusive", "inclusive_roll_forward"
END = dt.date(2023, 10, 10)  # the plan's last day: everything has arrived by then


def at(day: str, time: str = "12:00:00") -> dt.datetime:
    """An aware Hanoi moment from 'YYYY-MM-DD' and 'HH:MM:SS'."""
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=HANOI)


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


@pytest.fixture(scope="module")
def policy_rules(tmp_path_factory):
    """One RuleSet per policy, each loaded from a modified copy of the bundled rules file."""
    text = (ROOT / "rules" / "kh327-2023.yaml").read_text(encoding="utf-8")
    assert text.count("policy: strict_before") == 1
    out = {}
    for policy in POLICIES:
        path = tmp_path_factory.mktemp(policy) / "kh327-2023.yaml"
        path.write_text(text.replace("policy: strict_before", f"policy: {policy}"), encoding="utf-8")
        out[policy] = load_rules(path)
    return out


@pytest.fixture(scope="module")
def dls(policy_rules):
    """The Deadlines block of each policy's RuleSet."""
    return {policy: r.deadlines for policy, r in policy_rules.items()}


def test_rules_file_policies_match_replaced_dataclass(rules, dls):
    """A rules file with another policy loads to the bundled Deadlines with only the policy changed."""
    assert rules.deadlines.policy == STRICT
    for policy in POLICIES:
        assert dls[policy] == dataclasses.replace(rules.deadlines, policy=policy)


def test_calendar_facts_the_plan_relies_on():
    """20/05/2023 is a Saturday, 20/08/2023 a Sunday and 15/08/2023 a Tuesday."""
    assert [d("2023-05-20").weekday(), d("2023-08-20").weekday(), d("2023-08-15").weekday()] == [5, 6, 1]


@pytest.mark.parametrize(("policy", "cycle", "last"), [
    (STRICT, "2023-05", "2023-05-19"),  # "trước ngày 20": the Friday before the Saturday 20th
    (STRICT, "2023-06", "2023-06-19"),
    (STRICT, "2023-07", "2023-07-19"),
    (STRICT, "2023-08", "2023-08-19"),
    (STRICT, "2023-09", "2023-09-19"),
    (INCLUSIVE, "2023-05", "2023-05-20"),  # the Saturday itself
    (INCLUSIVE, "2023-06", "2023-06-20"),
    (INCLUSIVE, "2023-07", "2023-07-20"),
    (INCLUSIVE, "2023-08", "2023-08-20"),  # the Sunday itself
    (INCLUSIVE, "2023-09", "2023-09-20"),
    (ROLL, "2023-05", "2023-05-22"),  # Saturday 20/05 rolls to Monday 22/05
    (ROLL, "2023-06", "2023-06-20"),  # a Tuesday: no roll
    (ROLL, "2023-07", "2023-07-20"),  # a Thursday: no roll
    (ROLL, "2023-08", "2023-08-21"),  # Sunday 20/08 rolls to Monday 21/08
    (ROLL, "2023-09", "2023-09-20"),  # a Wednesday: no roll
])
def test_cycle_bound(dls, policy, cycle, last):
    """A cycle's bound is midnight Hanoi time after the last on-time day of the policy."""
    bound = dl.cycle_bound(cycle, dls[policy])
    assert bound == dt.datetime.combine(d(last) + dt.timedelta(days=1), dt.time(0), HANOI)
    assert dl.last_day(bound) == d(last)
    assert dl.describe_deadline(bound) == f"nhận chậm nhất ngày {d(last):%d/%m/%Y}"


@pytest.mark.parametrize(("policy", "last"), [(STRICT, "2023-08-14"), (INCLUSIVE, "2023-08-15"), (ROLL, "2023-08-15")])
def test_summary_bound(dls, policy, last):
    """The summary report "trước ngày 15/8/2023" is due by 14/08 (strict) or 15/08, a Tuesday (no roll)."""
    bound = dl.summary_bound(dls[policy])
    assert bound == dt.datetime.combine(d(last) + dt.timedelta(days=1), dt.time(0), HANOI)
    assert dl.last_day(bound) == d(last)


@pytest.mark.parametrize(("policy", "due", "last"), [
    (STRICT, "2023-09-01", "2023-08-31"),
    (INCLUSIVE, "2023-09-01", "2023-09-01"),  # holidays only matter when rolling forward
    (ROLL, "2023-09-01", "2023-09-05"),  # holiday Fri 1/9, weekend, holiday Mon 4/9 → Tue 5/9
    (ROLL, "2023-05-01", "2023-05-04"),  # holidays 1–3/5 → Thu 4/5
    (ROLL, "2023-04-29", "2023-05-04"),  # Saturday, then Sunday and the 1–3/5 holidays
])
def test_bound_for_rolls_over_chained_holidays(dls, policy, due, last):
    """Roll-forward skips weekends and the rules' holidays together; the other policies ignore holidays."""
    assert dl.last_day(dl.bound_for(d(due), dls[policy])) == d(last)


def test_roll_forward_uses_holidays_from_the_rules(rules):
    """A holiday added to the rules moves a weekday deadline to the next working day under roll-forward."""
    extra = dataclasses.replace(rules.deadlines, policy=ROLL,
                                holidays=rules.deadlines.holidays | {d("2023-06-20")})
    assert dl.last_day(dl.cycle_bound("2023-06", extra)) == d("2023-06-21")


@pytest.mark.parametrize(("policy", "cycle", "received", "text", "days"), [
    # Saturday 20/05/2023
    (STRICT, "2023-05", at("2023-05-19", "00:00:00"), "Đúng hạn", 0),
    (STRICT, "2023-05", at("2023-05-19", "23:59:59"), "Đúng hạn", 0),
    (STRICT, "2023-05", at("2023-05-20", "00:00:00"), "Trễ hạn 1 ngày", 1),
    (STRICT, "2023-05", at("2023-05-22", "09:00:00"), "Trễ hạn 3 ngày", 3),
    (INCLUSIVE, "2023-05", at("2023-05-20", "23:59:59"), "Đúng hạn", 0),
    (INCLUSIVE, "2023-05", at("2023-05-21", "00:00:00"), "Trễ hạn 1 ngày", 1),
    (INCLUSIVE, "2023-05", at("2023-05-22", "09:00:00"), "Trễ hạn 2 ngày", 2),
    (ROLL, "2023-05", at("2023-05-20", "10:00:00"), "Đúng hạn", 0),
    (ROLL, "2023-05", at("2023-05-22", "23:59:59"), "Đúng hạn", 0),
    (ROLL, "2023-05", at("2023-05-23", "00:00:00"), "Trễ hạn 1 ngày", 1),
    # Tuesday 20/06/2023: no weekend
    (STRICT, "2023-06", at("2023-06-20", "08:00:00"), "Trễ hạn 1 ngày", 1),
    (INCLUSIVE, "2023-06", at("2023-06-20", "23:59:59"), "Đúng hạn", 0),
    (ROLL, "2023-06", at("2023-06-21", "00:00:00"), "Trễ hạn 1 ngày", 1),
    # Sunday 20/08/2023
    (STRICT, "2023-08", at("2023-08-19", "23:59:59"), "Đúng hạn", 0),
    (STRICT, "2023-08", at("2023-08-20", "08:00:00"), "Trễ hạn 1 ngày", 1),
    (INCLUSIVE, "2023-08", at("2023-08-20", "23:59:59"), "Đúng hạn", 0),
    (INCLUSIVE, "2023-08", at("2023-08-21", "00:00:00"), "Trễ hạn 1 ngày", 1),
    (ROLL, "2023-08", at("2023-08-21", "23:59:59"), "Đúng hạn", 0),
    (ROLL, "2023-08", at("2023-08-22", "00:00:00"), "Trễ hạn 1 ngày", 1),
])
def test_status_before_at_and_after_cycle_deadline(dls, policy, cycle, received, text, days):
    """One valid receipt just before, at and after each policy's bound gets the right status and days late."""
    deadlines = dls[policy]
    bound = dl.cycle_bound(cycle, deadlines)
    status = dl.status([Receipt(received, True)], bound, END, deadlines)
    assert (status.text, status.code, status.days_late) == (text, "on_time" if days == 0 else "late", days)
    assert status.receipt == Receipt(received, True)
    if days:
        assert dl.days_late(received, bound, deadlines) == days


@pytest.mark.parametrize(("policy", "received", "text"), [
    (STRICT, at("2023-08-14", "23:59:59"), "Đúng hạn"),
    (STRICT, at("2023-08-15", "00:00:00"), "Trễ hạn 1 ngày"),
    (INCLUSIVE, at("2023-08-15", "23:59:59"), "Đúng hạn"),
    (INCLUSIVE, at("2023-08-16", "00:00:00"), "Trễ hạn 1 ngày"),
    (ROLL, at("2023-08-15", "23:59:59"), "Đúng hạn"),
    (ROLL, at("2023-08-16", "00:00:00"), "Trễ hạn 1 ngày"),
    (ROLL, at("2023-08-21", "09:00:00"), "Trễ hạn 6 ngày"),
])
def test_status_of_summary_report(dls, policy, received, text):
    """The summary report due before 15/08/2023 is on time or late by whole Hanoi days under each policy."""
    deadlines = dls[policy]
    assert dl.status([Receipt(received, True)], dl.summary_bound(deadlines), END, deadlines).text == text


@pytest.mark.parametrize(("received", "text", "days"), [
    (dt.datetime(2023, 6, 19, 16, 59, 59, tzinfo=UTC), "Đúng hạn", 0),  # 23:59:59 on the 19th in Hanoi
    (dt.datetime(2023, 6, 19, 17, 0, 0, tzinfo=UTC), "Trễ hạn 1 ngày", 1),  # 00:00:00 on the 20th in Hanoi
    (dt.datetime(2023, 6, 19, 17, 20, 0, tzinfo=UTC), "Trễ hạn 1 ngày", 1),
    (dt.datetime(2023, 6, 19, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=9))), "Đúng hạn", 0),  # Tokyo
])
def test_midnight_is_hanoi_midnight(rules, received, text, days):
    """An aware receipt time is compared in Hanoi time (UTC+7), not in UTC or the sender's zone."""
    deadlines = rules.deadlines
    bound = dl.cycle_bound("2023-06", deadlines)
    status = dl.status([Receipt(received, True)], bound, END, deadlines)
    assert (status.text, status.days_late) == (text, days)
    if days:
        assert dl.days_late(received, bound, deadlines) == days


def test_to_local_converts_aware_and_keeps_naive(rules):
    """to_local turns 17:00 UTC into 00:00 Hanoi the next day and reads a naive time as Hanoi time."""
    assert rules.deadlines.to_local(dt.datetime(2023, 6, 19, 17, tzinfo=UTC)) == at("2023-06-20", "00:00:00")
    assert rules.deadlines.to_local(dt.datetime(2023, 6, 19, 17)) == at("2023-06-19", "17:00:00")


def test_naive_receipt_is_hanoi_time(rules):
    """A naive receipt time at 23:59:59 on the 19th is on time under strict_before."""
    deadlines = rules.deadlines
    status = dl.status([Receipt(dt.datetime(2023, 5, 19, 23, 59, 59), True)], dl.cycle_bound("2023-05", deadlines),
                       END, deadlines)
    assert status.text == "Đúng hạn"


@pytest.mark.parametrize(("policy", "not_due", "missing"), [
    (STRICT, "2023-05-18", "2023-05-20"),
    (INCLUSIVE, "2023-05-19", "2023-05-21"),
    (ROLL, "2023-05-21", "2023-05-23"),  # Sunday 21/05 is still before the rolled-forward Monday
])
def test_nothing_received_not_due_then_missing(dls, policy, not_due, missing):
    """With nothing received the status is "Chưa đến hạn" before the bound and "Chưa nộp" after it."""
    deadlines = dls[policy]
    bound = dl.cycle_bound("2023-05", deadlines)
    before = dl.status([], bound, d(not_due), deadlines)
    after = dl.status([], bound, d(missing), deadlines)
    assert (before.text, before.code, before.receipt) == ("Chưa đến hạn", "not_due", None)
    assert (after.text, after.code, after.receipt) == ("Chưa nộp", "missing", None)


def cycles_due(rules, as_of):
    """The cycles whose deadline has passed on as_of (what decide/statuses.py marks due)."""
    return [c for c in rules.deadlines.cycles if dl.passed(dl.cycle_bound(c, rules.deadlines), as_of, rules.deadlines)]


@pytest.mark.parametrize(("policy", "not_due", "missing"), [
    (STRICT, "2023-05-18", "2023-05-20"),
    (INCLUSIVE, "2023-05-19", "2023-05-21"),
    (ROLL, "2023-05-21", "2023-05-23"),
])
def test_cycles_due(policy_rules, policy, not_due, missing):
    """The May cycle is due only once its bound has passed under the policy."""
    assert cycles_due(policy_rules[policy], d(not_due)) == []
    assert cycles_due(policy_rules[policy], d(missing)) == ["2023-05"]


def test_cycles_due_at_plan_end(rules):
    """By the plan's end (10/10/2023) every configured cycle is due."""
    assert cycles_due(rules, END) == ["2023-05", "2023-06", "2023-07", "2023-08", "2023-09"]


def test_receipt_after_as_of_is_not_counted_before_the_bound(rules):
    """A valid receipt dated after as_of is ignored, so a cycle not yet due stays "Chưa đến hạn"."""
    deadlines = rules.deadlines
    status = dl.status([Receipt(at("2023-05-15", "10:00:00"), True)], dl.cycle_bound("2023-05", deadlines),
                       d("2023-05-14"), deadlines)
    assert (status.text, status.receipt) == ("Chưa đến hạn", None)


def test_receipt_after_as_of_is_not_counted_after_the_bound(rules):
    """A late receipt that arrives after as_of leaves the cycle "Chưa nộp" as of that date."""
    deadlines = rules.deadlines
    bound = dl.cycle_bound("2023-05", deadlines)
    receipts = [Receipt(at("2023-05-25", "00:00:00"), True)]
    assert dl.status(receipts, bound, d("2023-05-24"), deadlines).text == "Chưa nộp"
    assert dl.status(receipts, bound, d("2023-05-25"), deadlines).text == "Trễ hạn 6 ngày"


def test_receipt_on_the_as_of_day_is_counted(rules):
    """as_of includes the whole day: a receipt at 23:59:59 on as_of counts."""
    deadlines = rules.deadlines
    status = dl.status([Receipt(at("2023-05-24", "23:59:59"), True)], dl.cycle_bound("2023-05", deadlines),
                       d("2023-05-24"), deadlines)
    assert (status.text, status.days_late) == ("Trễ hạn 5 ngày", 5)


def test_late_valid_after_earlier_invalid_is_late(rules):
    """An on-time invalid submission followed by a late valid one is "Trễ hạn N ngày", resting on the valid one."""
    deadlines = rules.deadlines
    invalid, valid = Receipt(at("2023-05-18", "10:00:00"), False), Receipt(at("2023-05-23", "08:00:00"), True)
    status = dl.status([valid, invalid], dl.cycle_bound("2023-05", deadlines), END, deadlines)
    assert (status.text, status.code, status.days_late, status.receipt) == ("Trễ hạn 4 ngày", "late", 4, valid)


def test_invalid_only_is_submitted_but_not_valid(rules):
    """Only invalid submissions give "Nộp nhưng chưa hợp lệ", resting on the latest of them."""
    deadlines = rules.deadlines
    first, second = Receipt(at("2023-05-10"), False), Receipt(at("2023-05-25"), False)
    status = dl.status([second, first], dl.cycle_bound("2023-05", deadlines), END, deadlines)
    assert (status.text, status.code, status.days_late, status.receipt) == ("Nộp nhưng chưa hợp lệ", "invalid", 0,
                                                                            second)


def test_invalid_then_valid_after_as_of_is_still_invalid(rules):
    """A valid resubmission that arrives after as_of does not yet repair an invalid submission."""
    deadlines = rules.deadlines
    receipts = [Receipt(at("2023-05-18"), False), Receipt(at("2023-05-25"), True)]
    assert dl.status(receipts, dl.cycle_bound("2023-05", deadlines), d("2023-05-24"), deadlines).text == \
        "Nộp nhưng chưa hợp lệ"


def test_on_time_valid_wins_over_a_later_late_resubmission(rules):
    """A cycle is on time if any valid submission arrived before the bound, even when a later one is late."""
    deadlines = rules.deadlines
    early, late = Receipt(at("2023-05-15"), True), Receipt(at("2023-05-30"), True)
    status = dl.status([late, early], dl.cycle_bound("2023-05", deadlines), END, deadlines)
    assert (status.text, status.receipt) == ("Đúng hạn", early)


def test_first_on_time_valid_receipt_is_the_evidence(rules):
    """Of several on-time valid receipts, the status rests on the earliest."""
    deadlines = rules.deadlines
    receipts = [Receipt(at("2023-05-12"), True), Receipt(at("2023-05-03"), True), Receipt(at("2023-05-01"), False)]
    status = dl.status(receipts, dl.cycle_bound("2023-05", deadlines), END, deadlines)
    assert status.receipt == Receipt(at("2023-05-03"), True)


def test_every_policy_has_words(rules):
    """Each policy the rules loader accepts has a Vietnamese description for the output."""
    assert set(POLICY_WORDS) == set(POLICIES)
