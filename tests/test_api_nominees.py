"""Across years (issue 17 item 4): the workspace's register keeps every plan's nominees in force, and a
person put forward again under another plan gets DN-NAMTRUOC (info) with the earlier nomination."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zoneinfo
from dataclasses import replace

from checker import api
from checker.write.filling import fill_template

from .conftest import good_info, good_row

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
MAY, JUNE = dt.date(2023, 5, 31), dt.date(2023, 6, 30)


def book(rules, path, unit, period, rows, sent):
    fill_template(rules, path, as_of=dt.date(2023, 5, 2), unit=unit, period=period,
                  info=good_info(sent_date=sent), nominations=rows, activities=[], summary=None, signature=False)
    return (path.name, path.read_bytes())


def nominee_rows(ws):
    with sqlite3.connect(ws.register.path) as db:
        return db.execute("SELECT plan_id, plan_year, unit, name, person_key, birth_year, cycle, level, file, sheet, "
                          "row, run_id, decision FROM nominees ORDER BY id").fetchall()


def test_a_person_nominated_under_an_earlier_plan_is_noted(tmp_path, rules):
    ws = api.open_workspace(tmp_path / "ntvt", rules)
    first = book(rules, tmp_path / "cheo_t5.xlsx", "CHEO", "2023-05",
                 [good_row(1, name="Phạm Thị Lan", birth_year=1980), good_row(2, name="Lê Văn Tâm", birth_year=1975)],
                 dt.date(2023, 5, 15))
    api.receive_files(ws, [first], received_at=dt.datetime(2023, 5, 15, 9, tzinfo=HANOI), as_of=MAY)
    for n in (1, 2):  # the same plan consolidated twice: its nominees are the last run's, not piled up
        result = api.consolidate_workspace(ws, as_of=MAY, run_at=dt.datetime(2023, 5, 31, 16, n, tzinfo=HANOI),
                                           output=ws.outputs_folder / f"lan_{n}.xlsx")
        assert [f for f in result.findings if f.rule_id == "DN-NAMTRUOC"] == []
    sheet = "Danh sách đề nghị"
    assert nominee_rows(ws) == [
        ("KH-327-SVHTT-2023", 2023, "CHEO", "Phạm Thị Lan", "phạm thị lan|1980", "1980", "2023-05", "Thành phố",
         "cheo_t5.xlsx", sheet, 5, 2, None),
        ("KH-327-SVHTT-2023", 2023, "CHEO", "Lê Văn Tâm", "lê văn tâm|1975", "1975", "2023-05", "Thành phố",
         "cheo_t5.xlsx", sheet, 6, 2, None)]

    # The next plan (another id, number and year): the May file is not of its cycles, KICH's June file is.
    later = replace(rules, plan=replace(rules.plan, id="KH-15-SVHTT-2024", number="15/KH-SVHTT", year=2024),
                    deadlines=replace(rules.deadlines, cycles=tuple(c for c in rules.deadlines.cycles
                                                                    if c != "2023-05")))
    second = book(rules, tmp_path / "kich_t6.xlsx", "KICH", "2023-06",
                  [good_row(1, name="Phạm Thị Lan", birth_year=1980, deed_date=dt.date(2023, 6, 2)),
                   good_row(2, name="Lê Văn Tâm", birth_year=1976, deed_date=dt.date(2023, 6, 2))],
                  dt.date(2023, 6, 15))
    api.receive_files(ws, [second], received_at=dt.datetime(2023, 6, 15, 9, tzinfo=HANOI), as_of=JUNE, rules=later)
    result = api.consolidate_workspace(ws, as_of=JUNE, rules=later, run_at=dt.datetime(2023, 6, 30, 16, tzinfo=HANOI))
    found = [(f.file, f.sheet, f.cell, f.severity.value, f.message) for f in result.findings
             if f.rule_id == "DN-NAMTRUOC"]
    assert found == [(
        "kich_t6.xlsx", sheet, "B5", "info",
        "Ô B5 (trang “Danh sách đề nghị”) – “Phạm Thị Lan” đã được đề nghị theo Kế hoạch số 327/KH-SVHTT năm 2023 "
        "(Nhà hát Chèo Hà Nội, kỳ tháng 05/2023); quyết định của Hội đồng: chưa có. Hội đồng có thể cân nhắc điều "
        "này khi xét đề nghị lần này. (Căn cứ: Mục V, Kế hoạch số 15/KH-SVHTT.)")]
    # The run records it, and both plans' nominees are kept, each plan's own.
    assert [f.rule_id for f in api.run_findings(ws, 3, rule="DN-NAMTRUOC")] == ["DN-NAMTRUOC"]
    assert [(r[0], r[2], r[3], r[6]) for r in nominee_rows(ws)] == [
        ("KH-327-SVHTT-2023", "CHEO", "Phạm Thị Lan", "2023-05"), ("KH-327-SVHTT-2023", "CHEO", "Lê Văn Tâm", "2023-05"),
        ("KH-15-SVHTT-2024", "KICH", "Phạm Thị Lan", "2023-06"), ("KH-15-SVHTT-2024", "KICH", "Lê Văn Tâm", "2023-06")]

    # The council's decision on the earlier nomination (the column item 1 fills) is quoted; a later run of the
    # earlier plan keeps it, and its rows get no note from the later plan.
    with sqlite3.connect(ws.register.path) as db:
        db.execute("UPDATE nominees SET decision = 'Khen cấp Sở' WHERE plan_id = 'KH-327-SVHTT-2023' AND row = 5")
    again = api.consolidate_workspace(ws, as_of=MAY, run_at=dt.datetime(2023, 6, 30, 17, tzinfo=HANOI),
                                      output=ws.outputs_folder / "lan_3.xlsx")
    assert [f for f in again.findings if f.rule_id == "DN-NAMTRUOC"] == []
    assert [(r[3], r[11], r[12]) for r in nominee_rows(ws)][:2] == [("Phạm Thị Lan", 4, "Khen cấp Sở"),
                                                                    ("Lê Văn Tâm", 4, None)]
    result = api.consolidate_workspace(ws, as_of=JUNE, rules=later, run_at=dt.datetime(2023, 6, 30, 18, tzinfo=HANOI),
                                       output=ws.outputs_folder / "nam_sau_2.xlsx")
    [note] = [f.message for f in result.findings if f.rule_id == "DN-NAMTRUOC"]
    assert "(Nhà hát Chèo Hà Nội, kỳ tháng 05/2023); quyết định của Hội đồng: “Khen cấp Sở”. Hội đồng" in note


def test_the_folder_consolidation_has_no_register_and_no_such_finding(tmp_path, rules):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book(rules, inbox / "cheo_t5.xlsx", "CHEO", "2023-05", [good_row(1, name="Phạm Thị Lan", birth_year=1980)],
         dt.date(2023, 5, 15))
    result = api.consolidate(inbox, None, rules, as_of=MAY)
    assert [f for f in result.findings if f.rule_id == "DN-NAMTRUOC"] == [] and result.counts["used"] == 1
