"""write/console.py: the rules in words (#14 item 12), the rules table's columns, the cycle inside a
sentence (#14 item 16). The same sentences fill the "Quy tắc" sheet's column and the web page's."""

from __future__ import annotations

from checker.ruleset.loader import load_rules
from checker.write.console import check_params, rule_checks, rule_sentences, rules_table

from ..conftest import ROOT

SOURCE = (ROOT / "rules" / "kh327-2023.yaml").read_text(encoding="utf-8")


def sentences(rules, rule_id):
    return rule_sentences(rules, rules.rule(rule_id))


def test_each_check_is_one_sentence_with_its_condition(rules):
    assert sentences(rules, "DN-NAMSINH") == [
        "“Năm sinh” phải là năm từ 1930 đến 2007 (từ 16 tuổi trở lên) khi “Cá nhân/Tập thể” không phải là “Tập thể”.",
        "“Năm sinh” phải để trống khi “Cá nhân/Tập thể” là “Tập thể”."]
    assert sentences(rules, "DV-BATBUOC") == [
        "“Loại báo cáo”, “Người lập biểu” và “Ngày gửi” phải được điền.",
        "“Loại báo cáo” phải là một giá trị trong danh sách thả xuống của cột.",
        "“Ngày gửi” phải là ngày có thật (ngày/tháng/năm)."]
    assert sentences(rules, "DV-KEHOACH") == [  # a warning's checks say "nên"
        "“Số kế hoạch của đơn vị” và “Ngày ban hành kế hoạch” nên được điền.",
        "“Ngày ban hành kế hoạch” nên là ngày có thật (ngày/tháng/năm).",
        "“Ngày ban hành kế hoạch” nên là ngày từ 01/12/2022 trở đi."]
    assert sentences(rules, "DN-TOMTAT")[1:] == [
        "“Tóm tắt thành tích, việc làm tốt” nên dài ít nhất 150 ký tự.",
        "“Tóm tắt thành tích, việc làm tốt” phải dài không quá 3.000 ký tự."]
    assert sentences(rules, "DN-KIPTHOI") == ["“Ngày thực hiện việc tốt” không nên sớm hơn “Ngày gửi” quá 60 ngày."]
    assert sentences(rules, "DN-NGAY") == ["“Ngày thực hiện việc tốt” phải là ngày có thật (ngày/tháng/năm), không sau "
                                           "“Ngày gửi” và không sau ngày kết thúc kế hoạch."]
    assert sentences(rules, "DN-CAP") == ["“Phạm vi ảnh hưởng” nên là “Thành phố” hoặc “Toàn quốc” khi “Cấp đề nghị” "
                                          "là “Thành phố”."]
    assert sentences(rules, "DV-TOITHIEU") == ["Trang “Danh sách đề nghị” phải có ít nhất 1 dòng hợp lệ khi “Loại báo "
                                               "cáo” không phải là “Báo cáo tổng kết”."]


def test_a_role_is_said_by_its_units_and_reading_rules_say_nothing(rules):
    assert sentences(rules, "HD-TUYENTRUYEN") == ["Trung tâm Thông tin Triển lãm Hà Nội nên có hoạt động “Tuyên truyền "
                                                  "(tin, bài)” trong mỗi kỳ đã nộp báo cáo."]
    assert [check_params(rules, c) for c in rules.rule("DV-MAU").checks] == ["", "", "", ""]
    assert rule_checks(rules, rules.rule("DV-MAU")) == ""
    text = " ".join(rule_checks(rules, r) for r in rules.rules)
    for key in ("tuyen_truyen", "birth_year", "sent_date", "cột:", "tối đa:", "không là "):
        assert key not in text


def test_a_sentence_is_said_once(tmp_path):
    """Two checks that read the same (here DN-NAMSINH's blank check twice) give one sentence."""
    blank = ('      - kind: blank\n        column: birth_year\n        when: {column: kind, in: ["Tập thể"]}\n'
             '        message: "Ô {cell} – “{column}” phải để trống (nhận được “{value}”): đề nghị xóa ô này."\n')
    anchor = "      - kind: blank\n        column: birth_year\n"
    assert SOURCE.count(anchor) == 1
    path = tmp_path / "r.yaml"
    path.write_text(SOURCE.replace(anchor, blank + anchor, 1), encoding="utf-8")
    twice = load_rules(path)
    assert len(twice.rule("DN-NAMSINH").checks) == 3
    assert rule_checks(twice, twice.rule("DN-NAMSINH")) == (
        "“Năm sinh” phải là năm từ 1930 đến 2007 (từ 16 tuổi trở lên) khi “Cá nhân/Tập thể” không phải là “Tập thể”. "
        "“Năm sinh” phải để trống khi “Cá nhân/Tập thể” là “Tập thể”.")


def test_rules_table_keeps_its_columns(rules, monkeypatch):
    """A long clause wraps inside its own column: every content line starts at the same place."""
    monkeypatch.setenv("COLUMNS", "120")
    lines = rules_table(rules).splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Mã "))
    start = lines[head].index("Nội dung")
    table = lines[head + 1:lines.index("", head)]
    for line in table:
        assert len(line) <= start or line[start - 1] == " ", line
    dv_mau = next(i for i, line in enumerate(table) if line.startswith("DV-MAU "))
    assert table[dv_mau][:start] == "DV-MAU          lỗi/cảnh báo  Mẫu biểu chuẩn do Văn  "
    assert table[dv_mau][start:] == "Đúng mẫu biểu chuẩn"
    assert table[dv_mau + 1] == " " * 30 + "phòng Sở phát hành"
    assert " " * start + "– “Năm sinh” phải để trống khi “Cá nhân/Tập thể” là “Tập thể”." in table


def test_a_cycle_inside_a_sentence_is_lower_case(rules):
    assert rules.cycle_words("2023-07") == "tháng 07/2023" and rules.cycle_label("2023-07") == "Tháng 07/2023"
    assert rules.cycle_label("2023-07") == "Tháng 07/2023"  # the label itself (dropdowns, headings) is unchanged
