"""Text rendering for the terminal: findings grouped by file, the rules in force. No click here."""

from __future__ import annotations

import shutil
import textwrap

from .report import Report
from .rules import RuleSet


def _width() -> int:
    return max(80, min(160, shutil.get_terminal_size((120, 20)).columns))


def findings_table(report: Report) -> str:
    """Findings grouped by file, errors first, then warnings, then info."""
    width = _width()
    lines: list[str] = []
    for result in report.files:
        found = sorted(report.for_file(result.name), key=lambda f: (f.severity.rank, f.sort_key()))
        head = f"== {result.name}"
        if result.status == "rejected":
            head += f"  [KHÔNG ĐỌC ĐƯỢC: {result.reason}]"
        elif result.unit_name:
            head += f"  [{result.unit_name}" + (f", kỳ {result.period}" if result.period else "") + "]"
        lines.append(head)
        if not found:
            lines.append("   Không có lỗi hay cảnh báo.")
        for f in found:
            where = f"{f.sheet or '-'}!{f.cell}" if f.cell else (f.sheet or "-")
            prefix = f"   {f.severity.label.upper():<10} {f.rule_id:<13} {where:<28} "
            body = textwrap.wrap(f.message, width=max(40, width - len(prefix)))
            lines.append(prefix + (body[0] if body else ""))
            lines.extend(" " * len(prefix) + part for part in body[1:])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary_line(report: Report) -> str:
    counts = report.counts
    rejected = sum(f.status == "rejected" for f in report.files)
    text = (f"{len(report.files)} tệp: {counts['error']} lỗi, {counts['warning']} cảnh báo, "
            f"{counts['info']} thông tin")
    if rejected:
        text += f"; {rejected} tệp không đọc được"
    return text + "."


def rules_table(rules: RuleSet) -> str:
    width = _width()
    severity = {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"}
    lines = [f"Kế hoạch số {rules.plan.number} ({rules.plan.id}): {rules.plan.title}",
             f"Tệp quy tắc: {rules.path} (SHA-256 {rules.sha256[:16]}…)",
             f"Thời gian: {rules.plan.start:%d/%m/%Y} – {rules.plan.end:%d/%m/%Y}; kỳ tháng: "
             + ", ".join(rules.cycle_label(c) for c in rules.deadlines.cycles)
             + f"; hạn: trước ngày {rules.deadlines.monthly_day} hằng tháng (cách hiểu: {rules.deadlines.policy});"
             f" báo cáo tổng kết trước {rules.deadlines.summary_due:%d/%m/%Y}.", ""]
    lines.append(f"{'Mã':<15} {'Mức độ':<20} {'Căn cứ':<22} Nội dung, tham số")
    for rule in rules.rules:
        sev = "/".join(severity[s] for s in rule.severities)
        params = "; ".join(_params(c) for c in rule.checks if _params(c))
        desc = rule.title + (f" [{params}]" if params else "")
        body = textwrap.wrap(desc, width=max(40, width - 60))
        lines.append(f"{rule.id:<15} {sev:<20} {rule.clause:<22} {body[0]}")
        lines.extend(" " * 60 + part for part in body[1:])
    return "\n".join(lines) + "\n"


def _params(check) -> str:
    parts = []
    for key, value in check.params.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{key}={shown}")
    if check.when:
        op = "không thuộc" if check.when.negate else "thuộc"
        parts.append(f"khi {check.when.column} {op} {', '.join(check.when.values)}")
    return ", ".join(parts)
