"""The one table of check kinds: what each `kind:` of the rules file is, as data. No pandas here.

Per kind: its level, its parameters (type, range, whether optional), the placeholders its messages
may use, for campaign kinds the table it runs on and the column it reports on, what the template
needs from it, and the Vietnamese words that describe it. The loader checks rules against this
table, the template, the console and the README read it; the implementations (how a kind is
evaluated) live in checker/validate/ and a contract test keeps the two in step.

Levels: `cell` (row rules, on a sheet's rows, and file rules, on a form sheet's fields), `file` (a
whole file's counters), `campaign` (across files, on a consolidation table) and `structure` (the
reader's own findings: a missing sheet, an unreadable file; a rule of that kind only sets the
severity and the message).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.words import EVIDENCE_EMAIL, EVIDENCE_LOG, EVIDENCE_WORDS


@dataclass(frozen=True)
class Param:
    """A parameter of a check: its type (how the loader checks it) and, for a number, its range."""

    type: str  # one of PARAM_TYPES
    range: tuple[int, int] | None = None  # whole numbers, inclusive
    optional: bool = False
    listed: bool = False  # columns: each must have a value list to check against


@dataclass(frozen=True)
class Kind:
    level: str  # cell | file | structure | campaign
    words: str  # Vietnamese: what the check does, for people
    params: dict[str, Param] = field(default_factory=dict)
    placeholders: frozenset[str] = frozenset()  # on top of the common (or narrow) ones
    # The reading findings of a few structure kinds are rendered with fewer common placeholders (the
    # reader passes no file, sheet or column for them): a message may use only what is supplied.
    narrow: frozenset[str] | None = None
    table: tuple[str, str] | None = None  # campaign kinds: (table it runs on, column it reports on)
    rejects_blank: bool = False  # the template marks the fields it names as to be filled
    # Compares rows across files: a consolidation as of a day runs it again without the files
    # received later (decide.consolidation), so what the office had not received names nothing.
    batch_wide: bool = False


# Placeholders every message may use, unless its kind is narrow.
COMMON_PLACEHOLDERS = frozenset({"cell", "column", "value", "sheet", "file"})

# How the loader checks a parameter, in the order it checks them (an error names the first problem).
PARAM_TYPES = ("columns", "column", "date_refs", "date_ref", "date", "whole", "texts", "text", "counts",
               "nomination_columns", "activity_type")

# The word people read for each parameter (rules_table).
PARAM_WORDS = {"columns": "cột", "column": "cột", "min": "tối thiểu", "max": "tối đa", "values": "giá trị",
               "value": "giá trị", "days": "số ngày", "max_age_offset": "tuổi tối thiểu", "not_after": "không sau",
               "reference": "so với", "not_before": "không trước", "activity_type": "loại hoạt động", "from": "từ", "to": "đến",
               "role": "vai trò", "person": "người", "deed": "việc", "counts": "đối chiếu",
               "threshold": "độ giống tối thiểu (%)", "min_length": "độ dài tối thiểu",
               "no_decision": "khi Hội đồng chưa quyết định"}

# The dates a date check compares with (`not_after:`, `reference:`), in the order errors list them,
# and the words naming them in messages and in rules_table.
DATE_REFERENCES = {"sent_date": "ngày gửi", "plan_start": "ngày bắt đầu kế hoạch",
                   "plan_end": "ngày kết thúc kế hoạch"}
# The words for the sending date where a file's own could not be read and the receipt real evidence
# gives stands for it, by evidence code (model.words): messages say which date they compared with.
RECEIPT_REFERENCES = {code: f"ngày nhận theo {EVIDENCE_WORDS[code]}" for code in (EVIDENCE_EMAIL, EVIDENCE_LOG)}
RECEIPT_OTHER = "ngày nhận tệp"  # a receipt time given without its evidence (a library caller's)
# A date check's {problem} and {action}, by what failed: not a date at all, or after which reference
# ({limit_name} {limit}: the date passed; {sent}: the label of the sending-date field).
DATE_PROBLEMS = {"bad": "đây không phải là một ngày có thật",
                 "sent_date": "ngày này sau {limit_name} {limit} ghi ở ô “{sent}”",
                 "receipt": "ngày này sau {limit_name} {limit} (tệp không ghi được ngày gửi)",
                 "other": "ngày này sau {limit_name} {limit}"}
DATE_ACTIONS = {"bad": "ghi lại ngày có thật dạng ngày/tháng/năm, ví dụ 15/06/2023",
                "sent_date": "kiểm tra lại ngày, tháng, năm đã ghi ở ô này và ở ô “{sent}”",
                "receipt": "kiểm tra lại ngày, tháng, năm đã ghi: việc được báo cáo phải diễn ra trước khi gửi",
                "other": "kiểm tra lại ngày, tháng, năm đã ghi: việc sau {limit_name} không thuộc đợt này"}

_COLUMNS, _COLUMN = Param("columns"), Param("column")


def _p(*names: str) -> frozenset[str]:
    return frozenset(names)


KINDS: dict[str, Kind] = {
    "required": Kind("cell", "ô phải được điền", {"columns": _COLUMNS}, rejects_blank=True),
    "in_list": Kind("cell", "giá trị phải thuộc danh mục của cột", {"columns": Param("columns", listed=True)}, _p("values", "expected")),
    "year_range": Kind("cell", "năm trong khoảng cho phép",
                       {"column": _COLUMN, "min": Param("whole", (1800, 2100)),
                        "max_age_offset": Param("whole", (0, 150))}, _p("min", "max")),
    "blank": Kind("cell", "ô phải để trống", {"column": _COLUMN}),
    "date": Kind("cell", "ngày hợp lệ, không sau các mốc đã cho",
                 {"column": _COLUMN, "not_after": Param("date_refs", optional=True)},
                 _p("limit", "limit_name", "problem", "action")),
    "date_not_before": Kind("cell", "ngày không sớm hơn mốc đã cho",
                            {"column": _COLUMN, "not_before": Param("date")}, _p("limit")),
    "max_days_before": Kind("cell", "ngày không sớm hơn mốc quá số ngày cho phép",
                            {"column": _COLUMN, "reference": Param("date_ref"),
                             "days": Param("whole", (0, 36_500))}, _p("days", "actual", "limit", "limit_name")),
    "equals": Kind("cell", "ô phải có đúng giá trị đã cho", {"columns": _COLUMNS, "value": Param("text")},
                   _p("expected")),
    "in_values": Kind("cell", "giá trị phải là một trong các giá trị đã cho",
                      {"column": _COLUMN, "values": Param("texts")}, _p("expected", "values")),
    "placeholder": Kind("cell", "ô không được ghi chữ giữ chỗ", {"column": _COLUMN, "values": Param("texts")}),
    "min_length": Kind("cell", "đủ số ký tự tối thiểu", {"column": _COLUMN, "min": Param("whole", (0, 32_767))},
                       _p("min", "length")),
    "max_length": Kind("cell", "không quá số ký tự tối đa", {"column": _COLUMN, "max": Param("whole", (1, 32_767))},
                       _p("max", "length")),
    "unique": Kind("cell", "không trùng lặp trong tệp", {"columns": _COLUMNS}, _p("first_row")),
    "whole_number": Kind("cell", "số nguyên không âm", {"columns": _COLUMNS}),
    "known_unit": Kind("cell", "tên đơn vị có trong danh sách", {"column": _COLUMN}, _p("suggestion"),
                       rejects_blank=True),
    "in_cycles": Kind("cell", "kỳ báo cáo thuộc các kỳ của kế hoạch", {"column": _COLUMN}, _p("values"),
                      rejects_blank=True),
    "min_valid_rows": Kind("file", "đủ số dòng hợp lệ tối thiểu", {"min": Param("whole", (0, 100_000))},
                           _p("min", "count")),
    # A text that (nearly) repeats another person's, in any file of the batch (validate.copy_kinds).
    "copied_text": Kind("cell", "không chép tóm tắt của người khác",
                        {"column": _COLUMN, "person": Param("nomination_columns"),
                         "threshold": Param("whole", (50, 100)), "min_length": Param("whole", (0, 32_767))},
                        _p("other_file", "other_sheet", "other_cell", "other_unit", "similarity"), batch_wide=True),
    "template_sheet": Kind("structure", "thiếu trang của mẫu"),
    "template_column": Kind("structure", "thiếu cột của mẫu"),
    "template_field": Kind("structure", "thiếu dòng thông tin của mẫu"),
    "template_version": Kind("structure", "phiên bản mẫu", placeholders=_p("expected")),
    "unreadable": Kind("structure", "tệp không đọc được", narrow=_p("value")),
    "cell_too_long": Kind("structure", "ô quá dài", placeholders=_p("length", "max"), narrow=_p("cell", "value")),
    "formula_without_value": Kind("structure", "công thức không có giá trị", narrow=_p("cell", "value")),
    "normalised": Kind("structure", "giá trị được chuẩn hóa", placeholders=_p("expected")),
    "text_date": Kind("structure", "ngày ghi dạng chữ", placeholders=_p("expected")),
    "legacy_text": Kind("structure", "chữ mã cũ (TCVN3/VNI)", placeholders=_p("expected", "encoding")),
    # An email's Date header far from its receipt-log time (decide/clocks): {email} (its name), {sent}, {received} as
    # "HH:MM ngày dd/mm/yyyy giờ …", {hours} apart, {tolerance} allowed, {counted}: the evidence used.
    "mail_clock": Kind("structure", "giờ gửi của thư khớp giờ nhận thư", narrow=_p("value"),
                       placeholders=_p("email", "sent", "received", "hours", "tolerance", "counted")),
    # The council's filled "Xét duyệt" sheet read back (decide/review): {source} (the file), {sheet}, {cell}, {unit} and
    # {nominee} as written there, {value} the decision; {expected}: the decisions it may hold.
    "review_nominee": Kind("structure", "quyết định của Hội đồng ứng với một gương còn trong hồ sơ",
                           narrow=_p("sheet", "cell", "value"), placeholders=_p("source", "unit", "nominee")),
    "review_value": Kind("structure", "quyết định của Hội đồng thuộc danh sách quyết định",
                         narrow=_p("sheet", "cell", "value"), placeholders=_p("source", "unit", "nominee", "expected")),
    "monthly_deadline": Kind("campaign", "báo cáo tháng đúng hạn", placeholders=_p("unit", "cycle", "status",
                                                                                  "deadline", "receipt", "action"),
                             table=("cycles", "status")),
    "summary_deadline": Kind("campaign", "báo cáo tổng kết đúng hạn", placeholders=_p("unit", "status", "deadline",
                                                                                                   "receipt", "action"),
                             table=("units", "summary_status")),
    "activity_in_window": Kind("campaign", "có hoạt động trong khoảng thời gian",
                               {"activity_type": Param("activity_type"), "from": Param("date"), "to": Param("date")},
                               _p("unit", "activity_type", "from", "to"), table=("units", "unit_name")),
    "activity_each_cycle": Kind("campaign", "có hoạt động trong mỗi kỳ",
                                {"role": Param("text"), "activity_type": Param("activity_type")},
                                _p("unit", "cycle", "activity_type"), table=("cycles", "status")),
    "summary_matches": Kind("campaign", "số liệu tổng kết khớp các báo cáo tháng", {"counts": Param("counts")},
                            _p("expected"), table=("figures", "stated")),
    "repeat_nomination": Kind("campaign", "không đề nghị lại cùng người, cùng việc",
                              {"person": Param("nomination_columns"), "deed": Param("nomination_columns")},
                              _p("earlier_cycle", "earlier_file"), table=("history", "name")),
    # A person (decide.rows' key) in force under an earlier plan of the workspace's register (decide/nominees):
    # {earlier_plan} its number, {earlier_year}, {earlier_unit}, {earlier_cycle}, {earlier_decision} the
    # council's, or `no_decision` when it has none.
    "earlier_plan_nomination": Kind("campaign", "người đã được đề nghị trong kế hoạch năm trước",
                                    {"no_decision": Param("text")},
                                    _p("earlier_plan", "earlier_year", "earlier_unit", "earlier_cycle",
                                       "earlier_decision"), table=("earlier", "name")),
}


def allowed_placeholders(kind: str) -> frozenset[str]:
    """Every placeholder a message of `kind` may use."""
    k = KINDS[kind]
    return (COMMON_PLACEHOLDERS if k.narrow is None else k.narrow) | k.placeholders


# Every parameter name some kind takes (a rule may give a check's parameters at rule level).
ALL_PARAMS = frozenset(p for k in KINDS.values() for p in k.params)

def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".") if n >= 10_000 else str(n)  # 36.500 but 2100, a year


LEVEL_WORDS = {"cell": "ô", "file": "tệp", "structure": "đọc tệp, cấu trúc mẫu", "campaign": "toàn đợt"}


def markdown_table() -> str:
    """The README's table of kinds (a test keeps the README equal to it)."""
    def param(name: str, p: Param) -> str:
        extra = f" {_number(p.range[0])}–{_number(p.range[1])}" if p.range else ""
        return f"`{name}`{extra}" + (" (tùy chọn)" if p.optional else "")

    lines = ["| `kind` | Mức | Tham số | Chỗ trống thêm | Kiểm tra |", "|---|---|---|---|---|"]
    for name, k in KINDS.items():
        params = ", ".join(param(n, p) for n, p in k.params.items()) or "–"
        holes = ", ".join(f"`{{{x}}}`" for x in sorted(k.placeholders)) or "–"
        if k.narrow is not None:  # the common placeholders replaced by a few
            holes = "chỉ " + ", ".join(f"`{{{x}}}`" for x in sorted(k.narrow | k.placeholders))
        lines.append(f"| `{name}` | {LEVEL_WORDS[k.level]} | {params} | {holes} | {k.words} |")
    return "\n".join(lines) + "\n"
