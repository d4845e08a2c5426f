"""Rules-file errors in Vietnamese (#14 item 13): for each structural mistake a person makes when
editing the YAML, the line, what was expected, what was found and what to do, with no English and
no internal placeholder such as “(top)”. The English detail (`problem`) stays for the log."""

from __future__ import annotations

import pytest

from checker.model.errors import RuleFileError
from checker.ruleset.loader import load_rules

from ..conftest import ROOT

SOURCE = (ROOT / "rules" / "kh327-2023.yaml").read_text(encoding="utf-8")
TITLE = '    title: "Năm sinh hợp lệ"\n'  # DN-NAMSINH's title, the third rule
TITLE_LINE = SOURCE[:SOURCE.index(TITLE)].count("\n") + 1


def error_of(tmp_path, text: str) -> RuleFileError:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    return caught.value


def edited(old: str, new: str) -> str:
    assert SOURCE.count(old) >= 1
    return SOURCE.replace(old, new, 1)


CASES = {
    "unknown key at the top": (
        "plan:\n  id: x\nfoo: 1\n", 3, "",
        "không có khóa “foo” ở chỗ này (các khóa dùng được: {allowed}): hãy sửa tên khóa nếu gõ nhầm, thụt lề "
        "lại nếu khóa thuộc mục khác, hoặc xóa dòng này"),
    "unknown key of a check's kind": (
        edited("        max_age_offset: 16\n", "        max_age: 16\n"), TITLE_LINE + 6, "rules[2] (DN-NAMSINH).checks[0]",
        "loại kiểm tra “year_range” không có khóa “max_age” (các khóa dùng được: column, kind, max_age_offset, "
        "message, min, severity, when): hãy sửa tên khóa nếu gõ nhầm, hoặc xóa dòng này"),
    "wrong type": (
        edited("        min: 1930\n", '        min: "một nghìn"\n'), TITLE_LINE + 5, "rules[2] (DN-NAMSINH).checks[0].min",
        "“min” cần là một số nguyên từ 1800 đến 2100, nhưng đang là “một nghìn”: hãy ghi lại số, không có ngoặc kép"),
    "missing key": (
        edited('    clause: "Mục V"\n' + TITLE, TITLE), TITLE_LINE - 4, "rules[2]",
        "thiếu khóa bắt buộc “clause” (các khóa bắt buộc ở đây: clause, id, level, title): hãy thêm dòng “clause: …” "
        "vào mục này"),
    "duplicate key": (
        edited(TITLE, TITLE + '    title: "Lần hai"\n'), TITLE_LINE + 1, "",
        f"khóa “title” có hai lần trong cùng một nhóm (lần đầu ở dòng {TITLE_LINE}): hãy xóa một lần, hoặc gộp hai "
        "phần làm một"),
    "bad indentation": (
        edited(TITLE, "  " + TITLE), TITLE_LINE, "",
        "không đọc được cấu trúc YAML ở đây: thường do thụt lề không đều (các khóa cùng cấp phải thẳng cột), thiếu "
        "dấu “:” sau một khóa, hoặc thiếu dấu đóng (ngoặc kép, ] hoặc }); hãy sửa dòng này hoặc dòng ngay trên"),
    "a tab": (
        edited(TITLE, "\t" + TITLE.lstrip()), TITLE_LINE, "",
        "dòng này có ký tự Tab: YAML chỉ nhận dấu cách để thụt lề; hãy thay Tab bằng dấu cách"),
    "an impossible date": (
        edited("not_before: 2022-12-01", "not_before: 2022-13-01"), None, "",
        "ngày “2022-13-01” không có thật: hãy viết ngày có thật dạng năm-tháng-ngày, ví dụ 2023-05-01"),
    "a list where a mapping goes": (
        "- plan\n", 1, "",
        "mục này cần là một nhóm khóa (mỗi dòng “khóa: giá trị”, thụt lề sâu hơn dòng của mục), nhưng đang là một "
        "danh sách 1 mục: hãy viết lại theo mẫu của tệp quy tắc kèm theo"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_structural_error_says_where_what_and_what_to_do_in_vietnamese(tmp_path, case):
    text, line, where, said = CASES[case]
    error = error_of(tmp_path, text)
    if line is not None:
        assert error.line == line
    # The top-level keys grow with the rules file's sections: the list is the one the English detail names.
    allowed = error.problem.partition("(allowed: ")[2].rstrip(")")
    assert "plan, " in allowed and ", rules" in allowed or "{allowed}" not in said
    assert (error.where, error.said) == (where, said.replace("{allowed}", allowed))
    assert error.problem and error.problem != said  # the English detail, for the log


def test_an_impossible_date_names_its_line(tmp_path):
    text = edited("not_before: 2022-12-01", "not_before: 2022-13-01")
    assert error_of(tmp_path, text).line == text[:text.index("2022-13-01")].count("\n") + 1
