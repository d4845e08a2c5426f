"""The council's decisions in the register (real SQLite): one current decision per plan, unit and
person, keyed as decide/review keys a nominee; what changed is counted; where and when each was
decided is kept; the run's review rows overlaid with the decisions kept, the others listed apart."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zoneinfo

import pytest

from checker.decide.review import ReviewRow
from checker.read.decisions import Decided
from checker.workspace.decisions import Decisions, current_rows, record_review_rows
from checker.workspace.register import Register

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.datetime(2023, 7, 24, 9, 30, tzinfo=HANOI)
TUESDAY = dt.datetime(2023, 7, 25, 14, 0, tzinfo=HANOI)
PLAN, PENDING = "KH-A", "Chưa xét"


@pytest.fixture
def decisions(tmp_path):
    return Decisions(Register(tmp_path / "register.sqlite3"))


def web(unit, nominee, birth, decision, reason=""):
    return Decided(0, 0, unit, nominee, birth, decision, reason)


def test_saved_decisions_read_back_with_when_and_where(decisions):
    """Web rows are kept without a cell; an imported workbook's keep its name and cells."""
    assert decisions.save(PLAN, [web("Nhà hát Chèo Hà Nội", "Lê Thị Hoa", "1985", "Trả lại", "Thiếu minh chứng")],
                          decided_at=MONDAY, pending=PENDING) == 1
    assert decisions.save(PLAN, [Decided(7, 9, "Văn phòng Sở", "Đỗ Thị Tuấn", "1991", "Đề nghị Thành phố", "")],
                          decided_at=TUESDAY, origin="hoi_dong.xlsx", pending=PENDING) == 1
    kept = decisions.of_plan(PLAN)
    assert [(d.unit, d.nominee, d.birth_year, d.decision, d.reason, d.decided_at, d.origin, d.origin_row,
             d.origin_col) for d in kept] == [
        ("Nhà hát Chèo Hà Nội", "Lê Thị Hoa", "1985", "Trả lại", "Thiếu minh chứng", MONDAY, "", 0, 0),
        ("Văn phòng Sở", "Đỗ Thị Tuấn", "1991", "Đề nghị Thành phố", "", TUESDAY, "hoi_dong.xlsx", 7, 9)]
    assert kept[0].decided("Hà Nội") == Decided(
        0, 0, "Nhà hát Chèo Hà Nội", "Lê Thị Hoa", "1985", "Trả lại", "Thiếu minh chứng",
        "Quyết định lưu trên trang web “Xét duyệt” lúc 24/07/2023 09:30 giờ Hà Nội")
    assert kept[1].decided("Hà Nội").source == "hoi_dong.xlsx" and kept[1].decided("Hà Nội").row == 7
    assert decisions.of_plan("KH-B") == []


def test_the_same_person_written_otherwise_replaces_the_decision(decisions):
    """Case, spacing, composed diacritics, a birth year as 1985 or "1985": one person, one decision."""
    decisions.save(PLAN, [web("Nhà hát Chèo Hà Nội", "Lê Thị Hoa", "1985", "Khen cấp Sở")], decided_at=MONDAY)
    assert decisions.save(PLAN, [web("nhà hát chèo  hà nội", " LÊ THỊ HOA", 1985, "Đề nghị Thành phố")],
                          decided_at=TUESDAY) == 1
    assert [(d.nominee, d.decision, d.decided_at) for d in decisions.of_plan(PLAN)] == [
        (" LÊ THỊ HOA", "Đề nghị Thành phố", TUESDAY)]
    decisions.save(PLAN, [web("Nhà hát Chèo Hà Nội", "Lê Thị Hòa", "1985", "Khen cấp Sở")], decided_at=TUESDAY)
    assert len(decisions.of_plan(PLAN)) == 2  # "Hòa" is another person


def test_unchanged_rows_and_new_pending_rows_are_not_counted(decisions):
    """Saving the same decision again changes nothing; "not yet reviewed" for someone never decided
    is not recorded; "not yet reviewed" after a decision replaces it."""
    row = web("Văn phòng Sở", "Đỗ Thị Tuấn", "1991", "Khen cấp Sở")
    assert decisions.save(PLAN, [row], decided_at=MONDAY, pending=PENDING) == 1
    assert decisions.save(PLAN, [row, web("Văn phòng Sở", "Vũ Thị Yến", "", PENDING)], decided_at=TUESDAY,
                          pending=PENDING) == 0
    assert [(d.nominee, d.decided_at) for d in decisions.of_plan(PLAN)] == [("Đỗ Thị Tuấn", MONDAY)]
    assert decisions.save(PLAN, [web("Văn phòng Sở", "Đỗ Thị Tuấn", "1991", PENDING)], decided_at=TUESDAY,
                          pending=PENDING) == 1
    assert [d.decision for d in decisions.of_plan(PLAN)] == [PENDING]


def test_a_naive_time_is_refused_and_nothing_is_written(decisions):
    with pytest.raises(ValueError):
        decisions.save(PLAN, [web("Văn phòng Sở", "A", "", "Khen cấp Sở")], decided_at=dt.datetime(2023, 7, 24))
    assert decisions.of_plan(PLAN) == []


def row(nominee, birth, decision=PENDING, reason=""):
    return ReviewRow("Văn phòng Sở", nominee, birth, "Sở", "Tóm tắt", "VP_thang05.xlsx", 5, decision, reason)


def test_review_rows_are_kept_per_run_and_overlaid_with_the_decisions_kept(decisions):
    """The run's rows in order; a decision kept (a blank birth year agrees with any) shows on its row;
    one matching no row is listed apart, unless it is "not yet reviewed"."""
    register = decisions.register
    with register.transaction() as db:
        db.execute("INSERT INTO runs (as_of, rules_sha256, counts, started_at, finished_at) "
                   "VALUES ('2023-07-25', 'x', '{}', 'a', 'b')")
        record_review_rows(db, 1, [row("Đỗ Thị Tuấn", "1991"), row("Vũ Thị Yến", "1990")])
    rows = decisions.review_rows(1)
    assert rows == [row("Đỗ Thị Tuấn", "1991"), row("Vũ Thị Yến", "1990")] and decisions.review_rows(2) == []
    decisions.save(PLAN, [web("Văn phòng Sở", "Vũ Thị Yến", "", "Trả lại", "Chưa có xác nhận"),
                          web("Văn phòng Sở", "Trần Văn Vắng", "1980", "Đề nghị Thành phố"),
                          web("Văn phòng Sở", "Đỗ Thị Tuấn", "1975", "Khen cấp Sở"),
                          web("Văn phòng Sở", "Ngô Ngọc Nam", "", PENDING, "để sau")], decided_at=MONDAY)
    shown, gone = current_rows(rows, decisions.of_plan(PLAN), PENDING)
    assert shown == [row("Đỗ Thị Tuấn", "1991"), row("Vũ Thị Yến", "1990", "Trả lại", "Chưa có xác nhận")]
    assert [(d.nominee, d.birth_year, d.decision) for d in gone] == [
        ("Trần Văn Vắng", "1980", "Đề nghị Thành phố"), ("Đỗ Thị Tuấn", "1975", "Khen cấp Sở")]


def test_one_person_has_one_row_in_the_table(decisions):
    """The table's key is the plan, unit, name and birth year keys: a second row is refused by SQLite."""
    decisions.save(PLAN, [web("Văn phòng Sở", "Đỗ Thị Tuấn", "1991", "Khen cấp Sở")], decided_at=MONDAY)
    with decisions.register.connect() as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO decisions (plan_id, unit_key, name_key, birth_key, unit, nominee, birth_year, decision, "
                   "reason, decided_at, origin, origin_row, origin_col) SELECT plan_id, unit_key, name_key, birth_key, "
                   "unit, nominee, birth_year, decision, reason, decided_at, origin, 0, 0 FROM decisions")
