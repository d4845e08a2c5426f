"""Text rendering for the terminal: findings grouped by file, the rules in force. No click here.

Everything shown comes from inputs someone else chose (cell text, file and attachment names,
reasons quoting them): each public function's result passes once through `terminal.printable`, so
an ESC or OSC sequence is shown as text and never obeyed. File names also keep to one line.
"""

from __future__ import annotations

import functools
import shutil
import textwrap

from ..model.words import GENERATED, POLICY_WORDS, STATUS_WORDS, severity_counts
from ..model.findings import Report, Severity
from ..ruleset.kinds import DATE_REFERENCES, PARAM_WORDS
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


@for_terminal
def rules_table(rules: RuleSet) -> str:
    width = _width()
    lines = [f"Kế hoạch số {rules.plan.number} ({rules.plan.id}): {rules.plan.title}",
             f"Tệp quy tắc: {rules.path} (SHA-256 {rules.sha256[:16]}…)",
             f"Thời gian: {rules.plan.start:%d/%m/%Y} – {rules.plan.end:%d/%m/%Y}; kỳ tháng: "
             + ", ".join(rules.cycle_label(c) for c in rules.deadlines.cycles)
             + f"; hạn: trước ngày {rules.deadlines.monthly_day} hằng tháng (cách hiểu: {POLICY_WORDS[rules.deadlines.policy]});"
             f" báo cáo tổng kết trước {rules.deadlines.summary_due:%d/%m/%Y}.", ""]
    lines.append(f"{'Mã':<15} {'Mức độ':<20} {'Căn cứ':<22} Nội dung, tham số")
    for rule in rules.rules:
        sev = "/".join(Severity(s).label for s in rule.severities)
        params = "; ".join(p for p in (check_params(rules, c) for c in rule.checks) if p)
        desc = rule.title + (f" [{params}]" if params else "")
        body = textwrap.wrap(desc, width=max(40, width - 60))
        lines.append(f"{rule.id:<15} {sev:<20} {rule.clause:<22} {body[0]}")
        lines.extend(" " * 60 + part for part in body[1:])
    lines += ["", "Các đơn vị (mã dùng cho `ntvt template --unit`):"]
    for unit in rules.units:
        note = "" if unit.required else " (không bắt buộc nộp)"
        lines.append(f"  {unit.id:<10} {unit.name}{note}")
    return "\n".join(lines) + "\n"


def check_params(rules: RuleSet, check) -> str:
    """A check's parameters in words a person reads: column labels, not keys."""
    labels = {f.key: f.label for s in rules.sheets for f in s.fields}
    def shown(key, value):
        if isinstance(value, list):
            return ", ".join(shown(key, v) for v in value)
        if isinstance(value, dict):
            return ", ".join(labels.get(k, k) for k in value)
        if hasattr(value, "strftime"):
            return value.strftime("%d/%m/%Y")
        return labels.get(value, DATE_REFERENCES.get(value, str(value))) if isinstance(value, str) else str(value)

    parts = [role_words(rules, v) if k == "role" else f"{PARAM_WORDS.get(k, k)}: {shown(k, v)}"
             for k, v in check.params.items()]
    if check.when:
        op = "không là" if check.when.negate else "là"
        parts.append(f"khi “{labels.get(check.when.column, check.when.column)}” {op} {', '.join(check.when.values)}")
    return "; ".join(parts)


def role_words(rules: RuleSet, role: str) -> str:
    """A unit role in words: the units that hold it, by name. The role's key is the rules file's name
    for it, never shown; its meaning to a reader is which units the rule is about."""
    names = [unit.name for unit in rules.units if role in unit.roles]
    return f"áp dụng cho: {', '.join(names)}" if names else "áp dụng cho: không đơn vị nào"


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
        lines.append(f"Kỳ {result.rules.cycle_label(latest)}: {codes.get('on_time', 0)} đơn vị đúng hạn, "
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
