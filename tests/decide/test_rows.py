"""Rows in force (decide.rows): a cycle's files accumulate, a later row replaces an earlier one only
for the same nominee (or activity), and every output that counts nominations counts those in force.
Each test consolidates genuine workbooks and reads the written workbook back with openpyxl."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from checker import consolidate
from checker.cli import main as cli_main

from ..conftest import good_row

AS_OF = dt.date(2023, 7, 25)
ACTIVITY = {"stt": 1, "date": dt.date(2023, 5, 5), "type": "Phát động thi đua",
            "content": "Phát động phong trào tại đơn vị", "participants": 40}


def sheet_rows(ws, first: str = "Tệp") -> list[dict]:
    """The rows under the header row whose first cell is `first`."""
    top = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == first)
    head = [c.value for c in ws[top]]
    return [dict(zip(head, (c.value for c in row))) for row in ws.iter_rows(min_row=top + 1) if row[0].value]


def city_names(wb) -> list[str]:
    ws = wb["Đề xuất Thành phố"]
    head_row = next(r for r in range(1, 10) if ws.cell(row=r, column=1).value == "STT")
    return [ws.cell(row=r, column=2).value for r in range(head_row + 1, ws.max_row + 1)
            if isinstance(ws.cell(row=r, column=1).value, int)]


def matrix_row(c, unit: str, cycle: str) -> dict:
    rows = c.cycles[(c.cycles["unit"] == unit) & (c.cycles["cycle"] == cycle)]
    return rows.iloc[0].to_dict()


def status(c, name: str) -> str:
    return next(d.status for d in c.decisions if c.validation.books[d.index].name == name)


def row_states(wb) -> dict[tuple[str, int], tuple[str, str]]:
    """(file, row) -> (nominee, "Tình trạng dòng") of "Danh sách đề nghị"."""
    return {(r["Tệp"], r["Dòng"]): (r["Họ và tên / Tên tập thể"], r["Tình trạng dòng"])
            for r in sheet_rows(wb["Danh sách đề nghị"])}


def test_two_on_time_files_with_different_nominees_both_count(tmp_path, make_book, rules):
    """Mục V: a unit proposes "ngay tại thời điểm phát hiện": two May files, two nominees, both kept
    in "Danh sách đề nghị" and in "Đề xuất Thành phố", and the matrix counts 2."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="Trần Thị Bích")], name="a.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 10)})
    make_book([good_row(1, name="Lê Văn Cường")], name="b.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 15)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert row_states(wb) == {("a.xlsx", 5): ("Trần Thị Bích", "Đang có hiệu lực"),
                              ("b.xlsx", 5): ("Lê Văn Cường", "Đang có hiệu lực")}
    assert sorted(city_names(wb)) == ["Lê Văn Cường", "Trần Thị Bích"]
    row = matrix_row(c, "CHEO", "2023-05")
    assert (row["status"], row["valid_nominations"], row["submissions"], row["file"]) == (
        "Đúng hạn", 2, 2, "a.xlsx; b.xlsx")
    assert (status(c, "a.xlsx"), status(c, "b.xlsx")) == ("used", "used")
    matrix = wb["Tình hình nộp"]
    cheo = next(r for r in matrix.iter_rows(values_only=True) if r[1] and str(r[1]).startswith("Nhà hát Chèo"))
    assert 2 in cheo  # the May valid count beside the May status


def test_valid_on_time_then_invalid_late_keeps_the_valid_nominee(tmp_path, make_book, rules):
    """An on-time valid file followed by a late invalid one: "Đúng hạn", the valid nominee still in
    force and counted; the invalid one is listed in force too, with its error."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="Trần Thị Bích")], name="dung_han.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 10)})
    make_book([good_row(1, name="Lê Văn Cường", summary="x")], name="tre.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 25)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    row = matrix_row(c, "CHEO", "2023-05")
    assert (row["status"], row["valid_nominations"]) == ("Đúng hạn", 1)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert city_names(wb) == ["Trần Thị Bích"]
    assert row_states(wb)[("tre.xlsx", 5)] == ("Lê Văn Cường", "Đang có hiệu lực")
    assert [(f.file, f.cell) for f in c.findings if f.rule_id == "DN-TOMTAT"] == [("tre.xlsx", "K5")]


def test_a_later_row_for_the_same_nominee_is_a_correction(tmp_path, make_book, rules):
    """Same person (name in another case and spacing + birth year): the later row replaces the earlier,
    which says by which row of which file; the earlier file, all of whose rows were replaced, is
    superseded; the corrected nominee is counted once."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="Trần Thị Bích", gender="Na")], name="lan1.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 10)})
    make_book([good_row(1, name="Lê Văn Cường"), good_row(2, name="TRẦN  THỊ BÍCH")], name="lan2.xlsx",
              directory=inbox, info={"sent_date": dt.date(2023, 5, 12)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert row_states(wb) == {
        ("lan1.xlsx", 5): ("Trần Thị Bích", "Được thay bằng dòng 6 của tệp lan2.xlsx"),
        ("lan2.xlsx", 5): ("Lê Văn Cường", "Đang có hiệu lực"),
        ("lan2.xlsx", 6): ("TRẦN THỊ BÍCH", "Đang có hiệu lực")}
    lan1 = next(d for d in c.decisions if c.validation.books[d.index].name == "lan1.xlsx")
    assert (lan1.status, lan1.superseded_by) == ("superseded", "lan2.xlsx")
    assert lan1.reason == "mọi dòng đã được thay bằng các tệp gửi sau (tệp gửi sau cùng: lan2.xlsx)"
    assert matrix_row(c, "CHEO", "2023-05")["valid_nominations"] == 2
    assert sorted(city_names(wb)) == ["Lê Văn Cường", "TRẦN THỊ BÍCH"]
    files = {r["Tệp"]: r["Tình trạng"] for r in sheet_rows(wb["Tệp đã nhận"]) if r.get("Tình trạng")}
    assert (files["lan1.xlsx"], files["lan2.xlsx"]) == ("Đã thay thế", "Được dùng")


def test_a_file_keeping_one_row_in_force_stays_in_use(tmp_path, make_book, rules):
    """Only one of two rows corrected: the first file stays used, one row replaced, one in force."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="Trần Thị Bích"), good_row(2, name="Lê Văn Cường")], name="lan1.xlsx",
              directory=inbox, info={"sent_date": dt.date(2023, 5, 10)})
    make_book([good_row(1, name="Lê Văn Cường", level="Sở")], name="lan2.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 12)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert row_states(wb)[("lan1.xlsx", 6)] == ("Lê Văn Cường", "Được thay bằng dòng 5 của tệp lan2.xlsx")
    assert row_states(wb)[("lan1.xlsx", 5)] == ("Trần Thị Bích", "Đang có hiệu lực")
    assert (status(c, "lan1.xlsx"), status(c, "lan2.xlsx")) == ("used", "used")
    assert city_names(wb) == ["Trần Thị Bích"]  # Cường, corrected to level "Sở", left the City list
    assert matrix_row(c, "CHEO", "2023-05")["valid_nominations"] == 2


@pytest.mark.parametrize("first, second, same", [
    (1985, 1985, True),
    (None, 1985, True),  # the correction fills in a birth year left out: the same person
    (1985, 1990, False),  # two people of one name
])
def test_same_name_is_the_same_person_only_with_a_compatible_birth_year(tmp_path, make_book, rules, first, second, same):
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="Nguyễn Văn Hùng", birth_year=first)], name="lan1.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 10)})
    make_book([good_row(1, name="Nguyễn Văn Hùng", birth_year=second)], name="lan2.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 12)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    states = row_states(openpyxl.load_workbook(tmp_path / "out.xlsx"))
    expected = "Được thay bằng dòng 5 của tệp lan2.xlsx" if same else "Đang có hiệu lực"
    assert states[("lan1.xlsx", 5)][1] == expected
    assert status(c, "lan1.xlsx") == ("superseded" if same else "used")


def test_a_second_correction_replaces_the_first(tmp_path, make_book, rules):
    """Three files for one nominee: the first is replaced by the second, the second by the third."""
    inbox = tmp_path / "inbox"
    for n, day in enumerate((10, 12, 14), start=1):
        make_book([good_row(1, name="Trần Thị Bích", position=f"Diễn viên, lần {n}")], name=f"lan{n}.xlsx",
                  directory=inbox, info={"sent_date": dt.date(2023, 5, day)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    states = row_states(openpyxl.load_workbook(tmp_path / "out.xlsx"))
    assert [states[(f"lan{n}.xlsx", 5)][1] for n in (1, 2, 3)] == [
        "Được thay bằng dòng 5 của tệp lan2.xlsx", "Được thay bằng dòng 5 của tệp lan3.xlsx", "Đang có hiệu lực"]
    assert [status(c, f"lan{n}.xlsx") for n in (1, 2, 3)] == ["superseded", "superseded", "used"]
    assert matrix_row(c, "CHEO", "2023-05")["valid_nominations"] == 1


def test_receipt_order_not_file_name_decides_which_row_is_the_correction(tmp_path, make_book, rules):
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="Trần Thị Bích")], name="b_gui_truoc.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 10)})
    make_book([good_row(1, name="Trần Thị Bích")], name="a_gui_sau.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 12)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    assert (status(c, "b_gui_truoc.xlsx"), status(c, "a_gui_sau.xlsx")) == ("superseded", "used")


def test_the_same_nominee_twice_in_one_file_is_not_a_correction(tmp_path, make_book, rules):
    """Within one file a repeated person is DN-TRUNG's error; both rows stay in force."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="Trần Thị Bích"), good_row(2, name="Trần Thị Bích")], name="a.xlsx",
              directory=inbox)
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    states = row_states(openpyxl.load_workbook(tmp_path / "out.xlsx"))
    assert {v[1] for v in states.values()} == {"Đang có hiệu lực"}
    assert [(f.cell, f.rule_id) for f in c.findings if f.rule_id == "DN-TRUNG"] == [("B6", "DN-TRUNG")]


def test_activities_accumulate_and_a_resent_activity_is_counted_once(tmp_path, make_book, rules):
    """A second May file resending the first file's activity and adding one: two activities in force."""
    inbox = tmp_path / "inbox"
    other = {**ACTIVITY, "date": dt.date(2023, 5, 8), "content": "Tuyên dương gương người tốt"}
    make_book([good_row(1, name="Trần Thị Bích")], name="a.xlsx", directory=inbox, activities=[ACTIVITY],
              info={"sent_date": dt.date(2023, 5, 10)})
    make_book([good_row(1, name="Lê Văn Cường")], name="b.xlsx", directory=inbox, activities=[ACTIVITY, other],
              info={"sent_date": dt.date(2023, 5, 12)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    activities = c.validation.frames.tables["activities"]
    in_force = activities[c.rows["activities"].in_force]
    assert sorted(zip(in_force["_file"].map(lambda i: c.validation.books[i].name), in_force["_row"])) == [
        ("b.xlsx", 5), ("b.xlsx", 6)]
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    shown = {(r["Tệp"], r["Dòng"]): r["Tình trạng dòng"] for r in sheet_rows(wb["Hoạt động"])}
    assert shown[("a.xlsx", 5)] == "Được thay bằng dòng 5 của tệp b.xlsx"
    assert status(c, "a.xlsx") == "used"  # its nominee is still in force



def test_activity_counts_per_cycle_and_in_the_window_count_only_the_units_files(tmp_path, make_book, rules):
    """The status tables count the activities in force of each unit's files: per cycle by type
    (activity_each_cycle), and over the campaign in its window (activity_in_window), another unit's
    and one dated outside the window left out."""
    inbox, anniversary, news = tmp_path / "inbox", "Kỷ niệm 75 năm Lời kêu gọi thi đua ái quốc", "Tuyên truyền (tin, bài)"

    def act(stt, day, kind):
        return {**ACTIVITY, "stt": stt, "date": day, "type": kind, "content": f"Hoạt động {stt}"}

    make_book([good_row(1, name="Trần Thị Bích")], name="may.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 18)},
              activities=[act(1, dt.date(2023, 5, 5), anniversary), act(2, dt.date(2023, 5, 6), news),
                          act(3, dt.date(2023, 5, 8), news)])
    make_book([good_row(1, name="Lê Văn Cường")], name="june.xlsx", directory=inbox, period="2023-06",
              info={"sent_date": dt.date(2023, 7, 5)},
              activities=[act(1, dt.date(2023, 6, 5), anniversary), act(2, dt.date(2023, 7, 2), anniversary),
                          act(3, dt.date(2023, 6, 9), news)])
    make_book([good_row(1, name="Phạm Thu Hà")], name="vp.xlsx", directory=inbox, unit="VP",
              info={"sent_date": dt.date(2023, 5, 18)}, activities=[act(1, dt.date(2023, 5, 9), anniversary)])
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    assert {status(c, name) for name in ("may.xlsx", "june.xlsx", "vp.xlsx")} == {"used"}
    column = {kind: f"activities::{kind}" for kind in (anniversary, news)}
    assert [matrix_row(c, "CHEO", cycle)[column[news]] for cycle in ("2023-05", "2023-06", "2023-07")] == [2, 1, 0]
    units = c.units.set_index("unit")
    # In the window 01/05 - 30/06: the May one and the June 5th one; July 2nd is outside it.
    assert (units.loc["CHEO", column[anniversary]], units.loc["VP", column[anniversary]]) == (2, 1)
    assert units.loc["TTRA", column[anniversary]] == 0

# ---------------------------------------------------------------------------------------------
# As of a day (item 6)


def test_files_received_after_as_of_are_not_counted_nor_in_the_exit_code(tmp_path, make_book, rules):
    """Every file later than --as-of: "Nhận sau ngày tính", no findings kept, exit code 0, and no
    row of theirs in force."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, gender="Na")], name="loi.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 6, 10)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=dt.date(2023, 5, 31))
    assert [d.status for d in c.decisions] == ["later"]
    assert [f.rule_id for f in c.findings if f.file == "loi.xlsx"] == []
    assert c.counts["findings_error"] == 0 or all(f.file is None for f in c.findings if f.severity.value == "error")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert row_states(wb)[("loi.xlsx", 5)][1] == "Chưa tính: tệp nhận sau ngày tính"
    files = {r["Tệp"]: r["Tình trạng"] for r in sheet_rows(wb["Tệp đã nhận"]) if r.get("Tình trạng")}
    assert files["loi.xlsx"] == "Nhận sau ngày tính"
    out = tmp_path / "out2.xlsx"
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["consolidate", str(inbox), "-o", str(out), "--as-of", "2023-05-15"], standalone_mode=True)
    assert exit_info.value.code == 0  # nothing due yet on 15/05, and the one file is not counted


@pytest.mark.parametrize("day, words", [
    ("2023-01-25", "Chú ý: ngày tính 25/01/2023 trước ngày bắt đầu kế hoạch (27/04/2023)"),
    ("2024-01-10", "Chú ý: ngày tính 10/01/2024 sau ngày kết thúc kế hoạch (10/10/2023)"),
])
def test_an_as_of_outside_the_plan_is_accepted_with_a_warning_line(tmp_path, make_book, capsys, day, words):
    inbox = tmp_path / "inbox"
    make_book(directory=inbox)
    with pytest.raises(SystemExit):
        cli_main(["consolidate", str(inbox), "-o", str(tmp_path / "out.xlsx"), "--as-of", day])
    printed = capsys.readouterr().out
    assert words in printed
    overview = [c.value for row in openpyxl.load_workbook(tmp_path / "out.xlsx")["Tổng quan"].iter_rows()
                for c in row if isinstance(c.value, str)]
    assert any(v.startswith(words) for v in overview)


def test_an_as_of_inside_the_plan_has_no_warning_line(tmp_path, make_book, capsys):
    inbox = tmp_path / "inbox"
    make_book(directory=inbox)
    with pytest.raises(SystemExit):
        cli_main(["consolidate", str(inbox), "-o", str(tmp_path / "out.xlsx"), "--as-of", "2023-07-25"])
    assert "Chú ý: ngày tính" not in capsys.readouterr().out


def test_names_differing_only_by_a_tone_mark_are_two_people(tmp_path, make_book, rules):
    """"Lê Thị Hòa" in a later file does not replace "Lê Thị Hoa": a silent replacement would lose a nominee."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="Lê Thị Hoa")], name="lan1.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 10)})
    make_book([good_row(1, name="Lê Thị Hòa")], name="lan2.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 12)})
    c = consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    assert {v[1] for v in row_states(openpyxl.load_workbook(tmp_path / "out.xlsx")).values()} == {"Đang có hiệu lực"}
    assert matrix_row(c, "CHEO", "2023-05")["valid_nominations"] == 2


def test_a_blank_birth_year_replaces_nothing_when_two_earlier_people_share_the_name(tmp_path, make_book, rules):
    """Two "Nguyễn Văn Hùng" (1985, 1990) earlier; a later one with no year could be either: nothing is
    replaced, all three stay in force (the office sees them all)."""
    inbox = tmp_path / "inbox"
    make_book([good_row(1, name="Nguyễn Văn Hùng", birth_year=1985), good_row(2, name="Nguyễn Văn Hùng", birth_year=1990)],
              name="lan1.xlsx", directory=inbox, info={"sent_date": dt.date(2023, 5, 10)})
    make_book([good_row(1, name="Nguyễn Văn Hùng", birth_year=None)], name="lan2.xlsx", directory=inbox,
              info={"sent_date": dt.date(2023, 5, 12)})
    consolidate(inbox, tmp_path / "out.xlsx", rules, as_of=AS_OF)
    states = row_states(openpyxl.load_workbook(tmp_path / "out.xlsx"))
    assert [states[k][1] for k in (("lan1.xlsx", 5), ("lan1.xlsx", 6), ("lan2.xlsx", 5))] == ["Đang có hiệu lực"] * 3
