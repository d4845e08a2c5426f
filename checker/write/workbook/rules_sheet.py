"""The rules applied ("Quy tắc"): the rules file and its SHA-256, and every rule with its level,
clause, parameters and the plan text it rests on."""

from __future__ import annotations

from ...model.words import RULES_LINE, SEVERITY_WORDS
from ..console import rule_checks
from ..style import text_height
from .layout import Context
from .words import policy_words

HEADERS = ["Mã", "Mức độ", "Căn cứ", "Nội dung", "Tham số", "Trích kế hoạch"]
WIDTHS = [15, 14, 20, 40, 60, 70]


def write_rules(ctx: Context, ws) -> None:
    rules, book = ctx.rules, ctx.book
    book.text(ws, 0, 0, f"QUY TẮC ÁP DỤNG – Kế hoạch số {rules.plan.number}", "title")
    book.text(ws, 1, 0, RULES_LINE.format(name=rules.path.name, sha256=rules.sha256), "subtitle")
    book.text(ws, 2, 0, f"Thời gian thực hiện {rules.plan.start:%d/%m/%Y} – {rules.plan.end:%d/%m/%Y}; cách hiểu "
                        f"hạn nộp: {policy_words(rules)}; tính đến hết ngày {ctx.c.as_of:%d/%m/%Y}.", "subtitle")
    book.table(ws, 4, HEADERS, WIDTHS, len(rules.rules))
    for n, rule in enumerate(rules.rules, start=5):
        book.text(ws, n, 0, rule.id)
        book.text(ws, n, 1, "/".join(SEVERITY_WORDS[s] for s in rule.severities))
        book.text(ws, n, 2, rule.clause)
        params = rule_checks(rules, rule)
        # The height the wrapped texts need: LibreOffice does not grow a row stored without one.
        ws.set_row(n, text_height([rule.title, params, rule.quote or ""], WIDTHS[3:]))
        book.text(ws, n, 3, rule.title, "wrap")
        book.text(ws, n, 4, params, "wrap")
        book.text(ws, n, 5, rule.quote, "wrap")
