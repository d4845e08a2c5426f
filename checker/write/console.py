"""Text rendering for the terminal: findings grouped by file, the rules in force. No click here.

Everything shown comes from inputs someone else chose (cell text, file and attachment names,
reasons quoting them): each public function's result passes once through `terminal.printable`, so
an ESC or OSC sequence is shown as text and never obeyed. File names also keep to one line.

The words of a rule's checks (`check_params`, `rule_checks`: one sentence per check) are also the
"Quy tắc" sheet's and the web page's, so the three say a rule the same way.
"""

from __future__ import annotations

import functools
import shutil
import textwrap

from ..model.words import GENERATED, POLICY_WORDS, STATUS_WORDS, severity_counts
from ..model.findings import Report, Severity
from ..ruleset.kinds import DATE_REFERENCES
from ..ruleset.spec import RuleSet
from .terminal import printable


def for_terminal(render):
    """Decorate a renderer: its text passes through `printable` on the way out (the one boundary)."""
    @functools.wraps(render)
    def wrapper(*args, **kwargs) -> str:
        return printable(render(*args, **kwargs))
    return wrapper


def one_line(text: object) -> str:
    """A name or reason on one line: a newline in a file name is data, not layout."""
    return str(text).replace("\r", "\\r").replace("\n", "\\n")


def _width() -> int:
    return max(80, min(160, shutil.get_terminal_size((120, 20)).columns))


@for_terminal
def findings_table(report: Report) -> str:
    """Findings grouped by file, errors first, then warnings, then info."""
    width = _width()
    lines: list[str] = []
    for result in report.files:
        found = sorted(report.for_file(result.name), key=lambda f: (f.severity.rank, f.sort_key()))
        head = f"== {one_line(result.name)}"
        if result.status == GENERATED:  # ntvt's own file: not read, not unreadable
            head += f"  [{STATUS_WORDS[GENERATED].upper()}: {one_line(result.reason)}]"
        elif result.status == "rejected":
            head += f"  [KHÔNG ĐỌC ĐƯỢC: {one_line(result.reason)}]"
        elif result.unit_name:
            period = f", kỳ tháng {result.period[5:]}/{result.period[:4]}" if result.period else ""
            head += f"  [{result.unit_name}{period}]"
        lines.append(head)
        if not found:
            lines.append("   Không có lỗi hay cảnh báo.")
        for f in found:
            sheet = one_line(f.sheet or "-")
            where = f"{sheet}!{f.cell}" if f.cell else sheet
            prefix = f"   {f.severity.label.upper():<10} {f.rule_id:<13} {where:<28} "
            body = textwrap.wrap(f.message, width=max(40, width - len(prefix)))
            lines.append(prefix + (body[0] if body else ""))
            lines.extend(" " * len(prefix) + part for part in body[1:])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


@for_terminal
def summary_line(report: Report) -> str:
    counts = report.counts
    rejected = sum(f.status == "rejected" for f in report.files)
    generated = sum(f.status == GENERATED for f in report.files)
    text = f"{len(report.files)} tệp: " + severity_counts(counts["error"], counts["warning"], counts["info"])
    if rejected:
        text += f"; {rejected} tệp không đọc được"
    if generated:
        text += f"; {generated} tệp do ntvt tạo (không phải báo cáo, không kiểm tra)"
    return text + "."


_COLUMNS = (15, 13, 22)  # rules_table: Mã, Mức độ, Căn cứ; the content takes the rest of the line
_INDENT = sum(_COLUMNS) + len(_COLUMNS)


def _rules_row(cells: list[str], content: str) -> str:
    return (" ".join(f"{c:<{w}}" for c, w in zip(cells, _COLUMNS)) + " " + content).rstrip()


@for_terminal
def rules_table(rules: RuleSet) -> str:
    width = _width()
    lines = [f"Kế hoạch số {rules.plan.number} ({rules.plan.id}): {rules.plan.title}",
             f"Tệp quy tắc: {rules.path} (SHA-256 {rules.sha256[:16]}…)",
             f"Thời gian: {rules.plan.start:%d/%m/%Y} – {rules.plan.end:%d/%m/%Y}; kỳ tháng: "
             + ", ".join(rules.cycle_label(c) for c in rules.deadlines.cycles)
             + f"; hạn: trước ngày {rules.deadlines.monthly_day} hằng tháng (cách hiểu: {POLICY_WORDS[rules.deadlines.policy]});"
             f" báo cáo tổng kết trước {rules.deadlines.summary_due:%d/%m/%Y}.", ""]
    content = max(40, width - _INDENT)
    lines.append(_rules_row(["Mã", "Mức độ", "Căn cứ"], "Nội dung; các phép kiểm tra"))
    for rule in rules.rules:
        # Every column wraps inside its own width, so a long clause never pushes the content out of line.
        body = textwrap.wrap(rule.title, width=content)
        for sentence in rule_sentences(rules, rule):
            body += textwrap.wrap(sentence, width=content, initial_indent="– ", subsequent_indent="  ")
        left = [[rule.id], ["/".join(Severity(s).label for s in rule.severities)],
                textwrap.wrap(rule.clause, width=_COLUMNS[2])]
        for i in range(max(len(body), *map(len, left))):
            lines.append(_rules_row([c[i] if i < len(c) else "" for c in left], body[i] if i < len(body) else ""))
    lines += ["", "Các đơn vị (mã dùng cho `ntvt template --unit`):"]
    for unit in rules.units:
        note = "" if unit.required else " (không bắt buộc nộp)"
        lines.append(f"  {unit.id:<10} {unit.name}{note}")
    return "\n".join(lines) + "\n"


def check_params(rules: RuleSet, check) -> str:
    """One check in one sentence a person reads ("“Năm sinh” phải để trống khi “Cá nhân/Tập thể” là
    “Tập thể”."): columns by their labels, values in “…”, the condition last. "" for a check its
    rule's title says all about (the reader's own findings). `rule_checks` joins a rule's."""
    words = _CHECK_WORDS.get(check.kind)
    if words is None:
        return ""
    text = words(_Words(rules, check))
    if check.when:
        text += f" khi {_condition(rules, check.when)}"
    return text[:1].upper() + text[1:] + "."


def rule_sentences(rules: RuleSet, rule) -> list[str]:
    """A rule's checks, one sentence each, a sentence said once."""
    return list(dict.fromkeys(s for s in (check_params(rules, c) for c in rule.checks) if s))


def rule_checks(rules: RuleSet, rule) -> str:
    """A rule's checks as one text (the "Quy tắc" sheet's column, the web page's)."""
    return " ".join(rule_sentences(rules, rule))


def _number(n) -> str:
    """A count as people write it: 3.000 (a year is not a count and is shown as it is)."""
    return f"{n:,}".replace(",", ".") if isinstance(n, int) else str(n)


def _quoted(items) -> str:
    """“A”, “B” và “C”: labels hold commas of their own, so each is quoted."""
    items = [f"“{x}”" for x in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " và " + items[-1]


def _either(items) -> str:
    items = [f"“{x}”" for x in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " hoặc " + items[-1]


def _condition(rules: RuleSet, when) -> str:
    label = next((f.label for s in rules.sheets for f in s.fields if f.key == when.column), when.column)
    return f"“{label}” {'không phải là' if when.negate else 'là'} {_either(when.values)}"


class _Words:
    """What the wordings of one check read: its columns and dates in words; "phải" for an error's
    check, "nên" for a warning's."""

    def __init__(self, rules: RuleSet, check) -> None:
        self.rules, self.p = rules, check.params
        self.labels = {f.key: f.label for s in rules.sheets for f in s.fields}
        self.must, self.must_not = ("phải", "không được") if check.severity == "error" else ("nên", "không nên")
        self.rule = rules.rule(check.rule_id)

    def cols(self, key: str = "columns") -> str:
        value = self.p[key] if key in self.p else self.p.get("column")
        return _quoted(self.labels.get(k, k) for k in ([value] if isinstance(value, str) else value))

    def date(self, value) -> str:
        if hasattr(value, "strftime"):
            return value.strftime("%d/%m/%Y")
        label = self.labels.get(value) or DATE_REFERENCES.get(value, value)
        return f"“{label}”" if value in self.labels else label

    def sheet(self) -> str:
        return f"trang “{self.rules.sheet(self.rule.sheet).name}”" if self.rule.sheet else "tệp"

    def role_units(self) -> str:
        names = [unit.name for unit in self.rules.units if self.p["role"] in unit.roles]
        return ", ".join(names) or "(không đơn vị nào)"


def _date_words(w: _Words) -> str:
    after = w.p.get("not_after") or []
    return f"{w.cols('column')} {w.must} là ngày có thật (ngày/tháng/năm)" + (
        ", không sau " + " và không sau ".join(w.date(r) for r in after) if after else "")


def _copied_words(w: _Words) -> str:
    return (f"{w.cols('column')} {w.must_not} giống từ {w.p['threshold']}% trở lên tóm tắt của một người khác "
            f"(người phân biệt theo {w.cols('person')}; chỉ so các đoạn từ {_number(w.p['min_length'])} ký tự)")


_CHECK_WORDS = {
    "required": lambda w: f"{w.cols()} {w.must} được điền",
    "in_list": lambda w: f"{w.cols()} {w.must} là một giá trị trong danh sách thả xuống của cột",
    "year_range": lambda w: (f"{w.cols()} {w.must} là năm từ {w.p['min']} đến "
                             f"{w.rules.plan.year - w.p['max_age_offset']} (từ {w.p['max_age_offset']} tuổi trở lên)"),
    "blank": lambda w: f"{w.cols()} {w.must} để trống",
    "date": _date_words,
    "date_not_before": lambda w: f"{w.cols()} {w.must} là ngày từ {w.date(w.p['not_before'])} trở đi",
    "max_days_before": lambda w: (f"{w.cols()} {w.must_not} sớm hơn {w.date(w.p['reference'])} quá "
                                  f"{_number(w.p['days'])} ngày"),
    "equals": lambda w: f"{w.cols()} {w.must} là “{w.p['value']}”",
    "in_values": lambda w: f"{w.cols()} {w.must} là {_either(w.p['values'])}",
    "placeholder": lambda w: f"{w.cols()} {w.must_not} chỉ ghi chữ giữ chỗ như {_either(w.p['values'])}",
    "min_length": lambda w: f"{w.cols()} {w.must} dài ít nhất {_number(w.p['min'])} ký tự",
    "max_length": lambda w: f"{w.cols()} {w.must} dài không quá {_number(w.p['max'])} ký tự",
    "unique": lambda w: f"không có hai dòng trùng cả {w.cols()} trong cùng báo cáo",
    "whole_number": lambda w: f"{w.cols()} {w.must} là số nguyên không âm",
    "known_unit": lambda w: f"{w.cols()} {w.must} là tên một đơn vị trong danh sách đơn vị của tệp quy tắc",
    "in_cycles": lambda w: (f"{w.cols()} {w.must} là một trong các kỳ "
                            + _either(w.rules.cycle_label(c) for c in w.rules.deadlines.cycles)),
    "min_valid_rows": lambda w: f"{w.sheet()} {w.must} có ít nhất {_number(w.p['min'])} dòng hợp lệ",
    "copied_text": _copied_words,
    "monthly_deadline": lambda w: (f"báo cáo tháng có gương hợp lệ {w.must} được nhận trước ngày "
                                   f"{w.rules.deadlines.monthly_day} hằng tháng"),
    "summary_deadline": lambda w: (f"báo cáo tổng kết {w.must} được nhận trước ngày "
                                   f"{w.rules.deadlines.summary_due:%d/%m/%Y}"),
    "activity_in_window": lambda w: (f"mỗi đơn vị {w.must} có hoạt động “{w.p['activity_type']}” từ "
                                     f"{w.date(w.p['from'])} đến {w.date(w.p['to'])}"),
    "activity_each_cycle": lambda w: (f"{w.role_units()} {w.must} có hoạt động “{w.p['activity_type']}” "
                                      "trong mỗi kỳ đã nộp báo cáo"),
    "summary_matches": lambda w: (f"{_quoted(w.labels.get(k, k) for k in w.p['counts'])} của báo cáo tổng kết "
                                  f"{w.must} khớp với các báo cáo tháng đã nộp"),
    "repeat_nomination": lambda w: (f"{w.must_not} đề nghị lại cùng người (theo {w.cols('person')}) với cùng việc "
                                    f"(theo {w.cols('deed')}) ở kỳ sau"),
    "earlier_plan_nomination": lambda w: ("người đã được đề nghị trong kế hoạch năm trước (theo họ tên và năm sinh, "
                                          "trong sổ của thư mục làm việc) được ghi chú để Hội đồng cân nhắc"),
}


@for_terminal
def consolidation_summary(result) -> str:
    """The few lines the office reads at the end of a run."""
    counts = result.counts
    lines = [f"Tính đến hết ngày {result.as_of:%d/%m/%Y}: {counts['submissions']} tệp báo cáo "
             f"({counts['used']} được dùng, {counts['superseded']} đã thay thế, {counts['rejected']} bị loại, "
             f"{counts['later']} nhận sau ngày tính); "
             f"{counts['rows_in']} dòng dữ liệu."]
    generated = counts["generated"] + sum(f.status == GENERATED for f in result.inbox.files)
    if generated:
        lines.append(f"{generated} tệp do ntvt tạo nằm trong thư mục hồ sơ (không phải báo cáo, không được đọc): "
                     "hãy để bảng tổng hợp, bản sao có đánh dấu và thư phản hồi ngoài thư mục hồ sơ.")
    if result.as_of_note:
        lines.append(result.as_of_note)
    cycles = result.cycles
    due = [c for c in result.rules.deadlines.cycles
           if not cycles.empty and (cycles[cycles["cycle"] == c]["status_code"] != "not_due").any()]
    if due:
        latest = due[-1]
        part = cycles[(cycles["cycle"] == latest) & cycles["required"]]
        codes = part["status_code"].value_counts()
        lines.append(f"Kỳ {result.rules.cycle_words(latest)}: {codes.get('on_time', 0)} đơn vị đúng hạn, "
                     f"{codes.get('late', 0)} trễ hạn, {codes.get('invalid', 0)} chưa hợp lệ, "
                     f"{codes.get('missing', 0)} chưa nộp (trên {len(part)} đơn vị phải nộp).")
    lines.append(severity_counts(counts["findings_error"], counts["findings_warning"], counts["findings_info"]) + ".")
    if not counts["submissions"]:
        lines.append("Chú ý: hộp thư không có tệp báo cáo nào; mọi đơn vị đều được ghi là chưa nộp.")
    rejected = [(result.validation.books[d.index].name, d.reason) for d in result.decisions
                if d.status == "rejected"]
    if counts["later"]:
        lines.append(f"{counts['later']} tệp nhận sau ngày tính: liệt kê trong trang “Tệp đã nhận”, chưa được tính "
                     "(kể cả lỗi của các tệp này).")
    rejected += [(f.name, f.reason) for f in result.inbox.files if f.kind != "spreadsheet" and f.status == "rejected"]
    if rejected:
        lines.append(f"Tệp bị loại ({len(rejected)}):")
        lines += [f"  - {one_line(name)}: {one_line(reason)}" for name, reason in rejected[:20]]
        if len(rejected) > 20:
            lines.append(f"  … và {len(rejected) - 20} tệp khác (xem trang “Tệp đã nhận”).")
    if result.output is not None:
        lines.append(f"Đã ghi bảng tổng hợp: {result.output}")
    if result.feedback:
        drafts = sum(p.suffix == ".eml" for p in result.feedback)
        lines.append(f"Đã ghi {drafts} thư trả lời soạn sẵn và {len(result.feedback) - drafts} bản sao có đánh dấu.")
    unaddressed = getattr(result.feedback, "unaddressed", [])
    if unaddressed:
        label = result.rules.field_by_role("reply_address").label
        lines.append(f"{len(unaddressed)} thư chưa có địa chỉ người nhận (không có thư điện tử, ô “{label}” hay địa chỉ "
                     "của đơn vị trong tệp quy tắc): hãy điền địa chỉ trước khi gửi.")
        lines += [f"  - {one_line(unit)}.eml" for unit in unaddressed[:20]]
        if len(unaddressed) > 20:
            lines.append(f"  … và {len(unaddressed) - 20} thư khác.")
    failures = getattr(result.feedback, "failures", [])
    if failures:
        lines.append(_copy_failures(failures))
    return "\n".join(lines)


@for_terminal
def copy_failures(failures: list[tuple[str, str]]) -> str:
    """The annotated copies that could not be made, and why (`AnnotatedCopies.failures`)."""
    return _copy_failures(failures)


def _copy_failures(failures: list[tuple[str, str]]) -> str:
    lines = [f"Không tạo được {len(failures)} bản sao có đánh dấu (lỗi vẫn được liệt kê đầy đủ):"]
    lines += [f"  - {one_line(name)}: {one_line(reason)}" for name, reason in failures[:20]]
    if len(failures) > 20:
        lines.append(f"  … và {len(failures) - 20} tệp khác.")
    return "\n".join(lines)
