"""Each row, file and campaign kind on a small hand-built frame: the exact rows that fail, the exact details."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from checker.model.words import evidence_words
from checker.ruleset.kinds import KINDS as DECLARED
from checker.ruleset.spec import CheckSpec, Condition, Rule
from checker.validate.engine import render_failures
from checker.validate.registry import KINDS, failing
from checker.validate.row_kinds import Context

T = pd.Timestamp
NA = np.nan


def cell_frame(values, raw=None, bad=None, **extra) -> pd.DataFrame:
    """A frame with one checked column `x` (value, `x__raw`, `x__bad`) and the context columns."""
    n = len(values)
    frame = pd.DataFrame({"x": values, "x__raw": raw if raw is not None else ["" if v is None else str(v)
                                                                               for v in values],
                          "x__bad": bad if bad is not None else [False] * n, "_file": ["a.xlsx"] * n,
                          "_row": range(5, 5 + n), "_sent": [T("2023-05-15")] * n, "_sent_from": ["sent_cell"] * n,
                          "_year": [2023] * n},
                         index=range(5, 5 + n))
    for key, column in extra.items():
        frame[key] = column
    return frame


def run(rules, kind: str, frame: pd.DataFrame, column: str = "x", when: Condition | None = None,
        as_of=None, **params):
    """(frame indexes that fail, details of each failing row) for one check of `kind`."""
    ctx = Context(rules, rules.list_values, lambda key: "genders",
                  lambda name: ["Nhà hát Chèo Hà Nội"] if "Cheo" in name else [], as_of=as_of)
    check = CheckSpec("T-X", kind, "error", "{cell}", params, when)
    mask = failing(ctx, frame, check, column)
    failed = [int(i) for i in frame.index[mask]]
    failures = pd.DataFrame({"index": failed, "column": [column] * len(failed), "check": ["T-X#0"] * len(failed)})
    rule = Rule("T-X", DECLARED[kind].level, None, "Mục V", "t", "", (check,))
    rendered = [extra for _, _, _, _, extra, _ in render_failures(ctx, frame, failures, [rule])]
    return failed, rendered


COPIED = "Đồng chí đã cứu một em nhỏ bị đuối nước tại hồ Văn Quán."

# (kind, frame, params, failing indexes, details of the first failing row)
ROW_CASES = [
    ("required", lambda: cell_frame(["a", None]), {"columns": ["x"]}, [6], {}),
    ("in_list", lambda: cell_frame(["Nam", "Khác", None]), {"columns": ["x"]}, [6],
     {"values": "Nam, Nữ", "expected": "Nam hoặc Nữ"}),
    ("year_range", lambda: cell_frame([1985.0, 1850.0, 2010.0, NA], raw=["1985", "1850", "2010", "198x"],
                                      bad=[False, False, False, True]),
     {"column": "x", "min": 1900, "max_age_offset": 16}, [6, 7, 8], {"min": 1900, "max": 2007}),
    ("blank", lambda: cell_frame([None, "a"]), {"column": "x"}, [6], {}),
    ("date", lambda: cell_frame([T("2023-05-01"), T("2023-05-20"), T("2023-12-01"), pd.NaT],
                                raw=["1/5/2023", "20/5/2023", "1/12/2023", "32/5"], bad=[False, False, False, True]),
     {"column": "x", "not_after": ["sent_date", "plan_end"]}, [6, 7, 8],
     {"limit_name": "ngày gửi", "limit": "15/05/2023", "problem": "ngày này sau ngày gửi 15/05/2023 ghi ở ô “Ngày gửi”",
      "action": "kiểm tra lại ngày, tháng, năm đã ghi ở ô này và ở ô “Ngày gửi”"}),
    ("date_not_before", lambda: cell_frame([T("2022-11-30"), T("2022-12-01"), pd.NaT],
                                           raw=["30/11/2022", "01/12/2022", "x"], bad=[False, False, True]),
     {"column": "x", "not_before": dt.date(2022, 12, 1)}, [5], {"limit": "01/12/2022"}),
    ("max_days_before", lambda: cell_frame([T("2023-05-01"), T("2023-01-01"), pd.NaT]),
     {"column": "x", "reference": "sent_date", "days": 30}, [6],
     {"days": 30, "actual": 134, "limit_name": "ngày gửi", "limit": "15/05/2023"}),
    ("equals", lambda: cell_frame(["Có", "Không"]), {"columns": ["x"], "value": "Có"}, [6], {"expected": "Có"}),
    ("in_values", lambda: cell_frame(["A", "C", None]), {"column": "x", "values": ["A", "B"]}, [6],
     {"expected": "A hoặc B", "values": "A, B"}),
    ("placeholder", lambda: cell_frame(["x", " Không ", "Một việc tốt"]), {"column": "x", "values": ["x", "không"]},
     [5, 6], {}),
    ("min_length", lambda: cell_frame(["abcdef", "ab", None]), {"column": "x", "min": 3}, [6],
     {"min": 3, "length": 2}),
    ("max_length", lambda: cell_frame(["abcdef", "ab"]), {"column": "x", "max": 3}, [5], {"max": 3, "length": 6}),
    ("whole_number", lambda: cell_frame([1.0, NA], raw=["1", "1,5"], bad=[False, True]), {"columns": ["x"]}, [6], {}),
    ("known_unit", lambda: cell_frame(["VP", None, None], raw=["Văn phòng", "Nha hat Cheo", ""]),
     {"column": "x"}, [6, 7], {"suggestion": "; có phải “Nhà hát Chèo Hà Nội” không?"}),
    ("copied_text", lambda: cell_frame([COPIED, "Một việc tốt khác hẳn, kể bằng lời khác", COPIED, COPIED],
                                       name=["A", "B", "C", "A"], _file=[0, 0, 1, 1]),
     {"column": "x", "person": ["name"], "threshold": 90, "min_length": 10}, [5, 7, 8],
     {"other_file": "", "other_sheet": "", "other_cell": "dòng 7", "other_unit": "", "similarity": 100}),
    ("in_cycles", lambda: cell_frame(["2023-05", "2022-01"]), {"column": "x"}, [6],
     {"values": "Tháng 05/2023, Tháng 06/2023, Tháng 07/2023, Tháng 08/2023, Tháng 09/2023"}),
]


@pytest.mark.parametrize("kind, make, params, failed, first", ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_row_kind(rules, kind, make, params, failed, first):
    """A row kind fails exactly the rows that break it, with the placeholders its messages may use."""
    rows, rendered = run(rules, kind, make(), **params)
    assert rows == failed
    assert rendered[0] == first


def test_unique_names_the_first_row(rules):
    """A person listed twice in one file is reported on the later row, naming the first; a blank name is nobody."""
    frame = cell_frame(["Nguyễn Văn A", "Nguyen Van  A", "Lê B", None, None], y=[1980.0, 1980.0, 1980.0, NA, NA])
    rows, rendered = run(rules, "unique", frame, columns=["x", "y"])
    assert rows == [6]
    assert rendered == [{"first_row": 5}]
    assert run(rules, "unique", frame, column="y", columns=["x", "y"])[0] == []  # reported on the name only


def test_when_condition_limits_the_rows(rules):
    """`when:` keeps a check to the rows whose column holds (or, negated, does not hold) the values."""
    frame = cell_frame([None, None], kind=["Cá nhân", "Tập thể"])
    assert run(rules, "required", frame, when=Condition("kind", ("Cá nhân",), False), columns=["x"])[0] == [5]
    assert run(rules, "required", frame, when=Condition("kind", ("Cá nhân",), True), columns=["x"])[0] == [6]


def test_min_valid_rows(rules):
    """A file with fewer valid nominations than the minimum fails on its counter."""
    frame = pd.DataFrame({"_valid_nominations": [2, 0]}, index=[0, 1])
    rows, rendered = run(rules, "min_valid_rows", frame, column="_valid_nominations", min=1)
    assert (rows, rendered) == ([1], [{"min": 1, "count": 0}])


def status_frame(**columns) -> pd.DataFrame:
    base = {"unit_name": ["Đơn vị A", "Đơn vị B", "Đơn vị C"], "required": [True, True, False],
            "due": [True, True, True], "status_code": ["late", "on_time", "missing"],
            "status": ["Trễ hạn", "Đúng hạn", "Chưa nộp"], "deadline": ["19/06/2023"] * 3,
            "cycle_label": ["Tháng 06/2023"] * 3,
            "received_at": [pd.Timestamp("2023-06-22 09:05", tz="Asia/Ho_Chi_Minh"), None, None],
            "evidence": ["email_date", "", ""]}
    return pd.DataFrame({**base, **columns})


CAMPAIGN_CASES = [
    ("monthly_deadline", status_frame, {}, [0],
     {"unit": "Đơn vị A", "cycle": "Tháng 06/2023", "status": "Trễ hạn", "deadline": "19/06/2023",
      "receipt": "nhận lúc 09:05 ngày 22/06/2023 giờ Hà Nội, theo " + evidence_words("email_date", ""),
      "action": "Đề nghị đơn vị lưu ý gửi trước hạn các kỳ sau"}),
    ("summary_deadline", lambda: status_frame(status_code=["on_time", "missing", "missing"]), {}, [1],
     {"unit": "Đơn vị B", "status": "Đúng hạn", "deadline": "19/06/2023",
      "receipt": "đến hết ngày 25/07/2023 chưa nhận được báo cáo", "action": "Đề nghị đơn vị gửi ngay báo cáo"}),
    ("activity_in_window", lambda: status_frame(**{"activities::Phát động thi đua": [0, 1, 0]}),
     {"activity_type": "Phát động thi đua", "from": dt.date(2023, 5, 1), "to": dt.date(2023, 6, 30)}, [0],
     {"unit": "Đơn vị A", "activity_type": "Phát động thi đua", "from": "01/05/2023", "to": "30/06/2023"}),
    ("activity_each_cycle", lambda: status_frame(**{"activities::Phát động thi đua": [0, 0, 0],
                                                    "roles": [("tuyen_truyen",), (), ("tuyen_truyen",)]},
                                                 status_code=["on_time", "late", "missing"]),
     {"role": "tuyen_truyen", "activity_type": "Phát động thi đua"}, [0],
     {"unit": "Đơn vị A", "activity_type": "Phát động thi đua", "cycle": "Tháng 06/2023"}),
    ("summary_matches", lambda: pd.DataFrame({"stated": [3.0, 4.0, NA], "expected": [3.0, 5.0, 1.0]}), {}, [1],
     {"expected": 5}),
    ("repeat_nomination", lambda: pd.DataFrame({"earlier_cycle": [None, "Tháng 05/2023"],
                                                "earlier_file": [None, "a.xlsx"]}),
     {"person": ["name"], "deed": ["summary"]}, [1], {"earlier_cycle": "Tháng 05/2023", "earlier_file": "a.xlsx"}),
    # The council's decision when the register has one, else the rule's no_decision words.
    ("earlier_plan_nomination", lambda: pd.DataFrame({
        "earlier_plan": [None, "327/KH-SVHTT", "327/KH-SVHTT"], "earlier_year": [None, "2023", "2023"],
        "earlier_unit": [None, "Nhà hát Chèo Hà Nội", "Thanh tra Sở"], "earlier_cycle": [None, "tháng 05/2023", "tháng 06/2023"],
        "earlier_decision": [None, None, "“Khen cấp Sở”"]}),
     {"no_decision": "chưa có"}, [1, 2],
     {"earlier_plan": "327/KH-SVHTT", "earlier_year": "2023", "earlier_unit": "Nhà hát Chèo Hà Nội",
      "earlier_cycle": "tháng 05/2023", "earlier_decision": "chưa có"}),
]


@pytest.mark.parametrize("kind, make, params, failed, first", CAMPAIGN_CASES, ids=[c[0] for c in CAMPAIGN_CASES])
def test_campaign_kind(rules, kind, make, params, failed, first):
    """A campaign kind fails exactly the units, cycles, figures or rows that break it, with its placeholders."""
    rows, rendered = run(rules, kind, make(), column=DECLARED[kind].table[1], as_of=dt.date(2023, 7, 25), **params)
    assert rows == failed
    assert rendered[0] == first


def test_every_implemented_kind_has_a_case():
    """The cases above cover every implementation (a new kind needs its own)."""
    covered = {c[0] for c in ROW_CASES + CAMPAIGN_CASES} | {"unique", "min_valid_rows"}
    assert covered == set(KINDS)


@pytest.mark.parametrize("kind, make, params, failed, first", ROW_CASES + CAMPAIGN_CASES,
                         ids=[c[0] for c in ROW_CASES + CAMPAIGN_CASES])
def test_details_are_the_declared_placeholders(kind, make, params, failed, first):
    """What a kind's details() returns is exactly what the kinds table lets its messages use."""
    assert set(first) == set(DECLARED[kind].placeholders)
