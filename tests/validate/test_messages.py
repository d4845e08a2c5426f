"""Tests for checker.validate.messages: one way to render a message and to make a finding."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from checker import check_workbook, consolidate
from checker.model.words import evidence_words

from checker.model.findings import Cell, File, Severity
from checker.validate.messages import check_of_kind, finding, positional, render
from checker.validate.pipeline import with_valid_rows
from checker.validate.rule_findings import VALID_ROWS

from ..builders.hostile_inbox import eml
from ..conftest import Raw, good_row


def test_render_fills_common_placeholders_with_blanks():
    """A placeholder every message may use and the caller did not give renders as nothing."""
    assert render("Trang “{sheet}”{cell}.", {"sheet": "Danh sách"}) == "Trang “Danh sách”."


def test_render_says_a_blank_value_is_blank():
    """A blank value reads "ô đang để trống" after "nhận được", and "ô trống" elsewhere."""
    assert render("Ô A1 phải là số (nhận được “{value}”).", {"value": ""}) == "Ô A1 phải là số (ô đang để trống)."
    assert render("Giá trị “{value}” sai.", {"value": ""}) == "Giá trị ô trống sai."
    assert render("Giá trị “{value}” sai.", {"value": "x"}) == "Giá trị “x” sai."


def test_finding_carries_the_rule_and_check(rules):
    """The finding has its rule's id and clause, its check's kind and severity, and the shared citation."""
    rule, check = check_of_kind(rules, "unreadable")
    f = finding(rules, rule, check, File("a.xlsx"), values={"value": "hỏng"}, value="hỏng", code="corrupt")
    assert (f.rule_id, f.code, f.severity, f.clause) == (rule.id, "corrupt", Severity(check.severity), rule.clause)
    assert f.citation == rules.citation(rule.id) and f.message == f.text + f.citation
    assert "hỏng" in f.text and f.file == "a.xlsx"


def test_finding_code_defaults_to_the_kind(rules):
    """Without a code, a finding's code is its check's kind."""
    rule, check = check_of_kind(rules, "normalised")
    f = finding(rules, rule, check, Cell("a.xlsx", "S", 3, 2), values={"expected": "Nam", "value": "nam"})
    assert (f.code, f.cell) == ("normalised", "B3")


def test_check_of_kind_is_found_by_kind_not_id(rules):
    """The reading stages find their rule by the kind of its check, whatever the rule's id."""
    for kind in ("template_sheet", "template_version", "cell_too_long", "formula_without_value", "legacy_text"):
        rule, check = check_of_kind(rules, kind)
        assert check.kind == kind and check in rule.checks


def test_with_valid_rows_returns_a_new_table():
    """The count of error-free rows per file is a new column of a new table; the input is untouched."""
    files = pd.DataFrame({"_file": [0, 1, 2]})
    rows = pd.DataFrame({"_file": [0, 0, 1, 1]})
    counted = with_valid_rows(files, rows, errors={1, 2, 3})
    assert counted[VALID_ROWS].tolist() == [1, 0, 0]
    assert list(files.columns) == ["_file"]
    assert with_valid_rows(files, None, set())[VALID_ROWS].tolist() == [0, 0, 0]


# -- messages that finish the sentence, on genuine workbooks ---------------------------------------

AS_OF = dt.date(2023, 7, 25)
NGAY = ("Ô {cell} – “Ngày thực hiện việc tốt” phải là ngày thật dạng ngày/tháng/năm, không sau ngày gửi và không "
        "sau ngày kết thúc kế hoạch, nhưng {problem} (nhận được “{value}”): đề nghị {action}.")


def _only(report, rule_id):
    found = [f for f in report.findings if f.rule_id == rule_id]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("deed", "problem", "value", "action"), [
    (Raw("31/02/2023"), "đây không phải là một ngày có thật", "31/02/2023",
     "ghi lại ngày có thật dạng ngày/tháng/năm, ví dụ 15/06/2023"),
    (dt.date(2023, 5, 16), "ngày này sau ngày gửi 15/05/2023 ghi ở ô “Ngày gửi”", "16/05/2023",
     "kiểm tra lại ngày, tháng, năm đã ghi ở ô này và ở ô “Ngày gửi”"),
    (dt.date(2023, 10, 11), "ngày này sau ngày kết thúc kế hoạch 10/10/2023", "11/10/2023",
     "kiểm tra lại ngày, tháng, năm đã ghi: việc sau ngày kết thúc kế hoạch không thuộc đợt này"),
], ids=["not_a_date", "after_sent", "after_plan_end"])
def test_dn_ngay_says_which_condition_failed_and_what_to_do(make_book, rules, deed, problem, value, action):
    """DN-NGAY names the one condition the date broke (not a date / after "Ngày gửi" / after the plan) and what to do."""
    sent = dt.date(2023, 10, 20) if value == "11/10/2023" else dt.date(2023, 5, 15)
    path = make_book([good_row(deed_date=deed)], info={"sent_date": sent})
    f = _only(check_workbook(path, rules, as_of=AS_OF), "DN-NGAY")
    assert f.cell.startswith("J")
    assert f.text == NGAY.format(cell=f.cell, problem=problem, value=value, action=action)


def test_dn_trung_says_what_to_do_naming_the_first_row(make_book, rules):
    """The second row of the same person names the first row and asks to delete one or merge them."""
    path = make_book([good_row(1), good_row(2, name="Nguyễn Thị Hoa 1")])
    f = _only(check_workbook(path, rules, as_of=AS_OF), "DN-TRUNG")
    first = int(f.cell[1:]) - 1
    assert f.text == (f"Ô {f.cell} – “Nguyễn Thị Hoa 1” đã có ở dòng {first} của cùng báo cáo (cùng họ tên và năm "
                      "sinh): mỗi người chỉ được đề nghị một lần trong một báo cáo. Đề nghị xóa một dòng hoặc gộp "
                      f"thành một gương ở dòng {first}.")


def test_han_thang_late_by_email_names_the_receipt_its_evidence_and_the_next_step(tmp_path, make_book, rules):
    """A May report mailed at 09:30 on 22/05 (Hanoi) is late: the message says when, on what evidence, and what to do."""
    book = make_book(info={"sent_date": dt.date(2023, 5, 15)}, directory=tmp_path / "src")
    eml(tmp_path / "inbox" / "thu.eml", [(book.name, book.read_bytes())], date="Mon, 22 May 2023 09:30:00 +0700")
    c = consolidate(tmp_path / "inbox", None, rules, as_of=AS_OF)
    found = [f for f in c.findings if f.rule_id == "HAN-THANG" and f.unit == "CHEO" and f.cycle == "2023-05"]
    assert [f.text for f in found] == [
        "Nhà hát Chèo Hà Nội – Tháng 05/2023: Trễ hạn 3 ngày (hạn: nhận chậm nhất ngày 19/05/2023; nhận lúc 09:30 "
        f"ngày 22/05/2023 giờ Hà Nội, theo {evidence_words('email_date', 'Ngày gửi')}). Đề nghị đơn vị lưu ý gửi "
        "trước hạn các kỳ sau."]


def test_han_thang_missing_asks_to_send_now(tmp_path, make_book, rules):
    """A unit that sent nothing for May is asked to send it now, and told nothing was received by the as-of day."""
    make_book(directory=tmp_path / "inbox", name="CHEO.xlsx")
    c = consolidate(tmp_path / "inbox", None, rules, as_of=AS_OF)
    found = [f.text for f in c.findings if f.rule_id == "HAN-THANG" and f.unit == "KICH" and f.cycle == "2023-05"]
    assert found == ["Nhà hát Kịch Hà Nội – Tháng 05/2023: Chưa nộp (hạn: nhận chậm nhất ngày 19/05/2023; đến hết "
                     "ngày 25/07/2023 chưa nhận được báo cáo). Đề nghị đơn vị gửi ngay báo cáo."]


def test_a_finding_keeps_its_wording_and_makes_its_text_when_read(rules):
    """A finding holds the check's template once made positional (shared by all its findings) and
    the values that fill it, short ones held once; its text reads as the template filled in."""
    rule, check = check_of_kind(rules, "normalised")
    made = [finding(rules, rule, check, Cell(f"{n}.xlsx", "S", 3, 2), values={"cell": "B3", "column": "Giới tính",
                                                                              "expected": "Nam", "value": "nam"})
            for n in range(2)]
    assert made[0].template is made[1].template and "{" in made[0].template
    assert all(a is b for a, b in zip(made[0].args, made[1].args))  # "B3", "nam", …: one object each
    assert made[0].text == render(check.message, {"cell": "B3", "column": "Giới tính", "expected": "Nam",
                                                  "value": "nam"})
    assert "B3" in made[0].text and "{" not in made[0].text


def test_positional_templates_keep_braces_specs_and_repeated_names():
    shape, names = positional("{{x}} Ô {cell}: {similarity:>3}% {cell!r} {value}")
    assert names == ("cell", "similarity", "value")
    assert shape == "{{x}} Ô {0}: {1:>3}% {0!r} {2}"
    assert render("{{x}} Ô {cell}: {similarity:>3}% {cell!r} {value}", {"cell": "K5", "similarity": 95, "value": "v"}) \
        == "{x} Ô K5:  95% 'K5' v"
