"""The consolidated workbook's own words: its sheet names, in the order they appear, and the
words several of its sheets share."""

from ...model.words import POLICY_WORDS
from ...ruleset.spec import RuleSet

OVERVIEW, MATRIX, CITY, REVIEW, FINDINGS, FILES, RULES = (
    "Tổng quan", "Tình hình nộp", "Đề xuất Thành phố", "Xét duyệt", "Lỗi và cảnh báo", "Tệp đã nhận", "Quy tắc")
# The data sheets gather the rules file's sheets of these roles, under the same names.
DATA_ROLES = ("nominations", "activities")
SHEET_COUNT = 9
MAX_SHEET_NAME = 31  # Excel's characters in a sheet's name


def part_name(name: str, part: int) -> str:
    """The name of a long sheet's part (from 1): the sheet's own name first, then "Tên (2)", "Tên (3)" …,
    the name shortened if need be so that the suffix fits Excel's 31 characters."""
    if part == 1:
        return name
    suffix = f" ({part})"
    return name[:MAX_SHEET_NAME - len(suffix)].rstrip() + suffix


def data_sheets(rules: RuleSet) -> tuple[tuple[str, str], ...]:
    """(sheet key, sheet name) of each data sheet, in the output's order."""
    return tuple((rules.sheet_key(role), rules.sheet(rules.sheet_key(role)).name) for role in DATA_ROLES)


def sheet_names(rules: RuleSet) -> list[str]:
    """The output's sheets, in order."""
    review = [REVIEW] if rules.review is not None else []  # the council's sheet, when the rules have `review:`
    names = [OVERVIEW, MATRIX, *(name for _, name in data_sheets(rules)), CITY, *review, FINDINGS, FILES, RULES]
    assert len(names) == SHEET_COUNT - (not review)
    return names
# The provenance columns in front of a data sheet's own (who and when: with the sheet's first
# columns they identify a row on every printed band), and the row's state after them.
META = ["Tệp", "Trang", "Dòng", "Đơn vị", "Kỳ"]
STATE = ["Tình trạng tệp", "Tình trạng dòng"]
SUMMARY_PERIOD = "Tổng kết"  # the "Kỳ" of a summary report's rows
# The rows under a table's header that are not data, as the overview names them.
NOT_DATA_WORDS = {"numbered_blank": "Dòng chỉ có số thứ tự (để trống)",
                  "group": "Dòng tiêu đề nhóm (như “I. Cá nhân”)",
                  "footer": "Dòng ký tên, ngày tháng (khối chữ ký)",
                  "outside": "Dòng chỉ có ô ngoài các cột của bảng"}


def policy_words(rules: RuleSet) -> str:
    """How the rules file reads "trước ngày N", in words."""
    return POLICY_WORDS[rules.deadlines.policy]


def review_labels(rules: RuleSet) -> dict[str, str]:
    """The "Xét duyệt" columns read back (read/decisions finds them by these header labels)."""
    spec = rules.sheet(rules.sheet_key("nominations"))
    return {"unit": META[3], "nominee": spec.field(rules.field_key("nominee")).label,
            "birth_year": spec.field(rules.field_key("birth_year")).label,
            "decision": rules.review.decision_label, "reason": rules.review.reason_label}
