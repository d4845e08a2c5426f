"""What both drafts fill their texts with: the plan's placeholders, numbers and rates as a Vietnamese
reader writes them (1.234; 87,5%), and the drafts' file names."""

from __future__ import annotations

import datetime as dt

from ...ruleset.spec import RuleSet

PROPOSAL_NAME, REPORT_NAME = "to_trinh_{day}.docx", "bao_cao_tong_ket_{day}.docx"


def file_name(pattern: str, as_of: dt.date) -> str:
    return pattern.format(day=f"{as_of:%Y-%m-%d}")


def number(value: int) -> str:
    """1234 -> "1.234" (Vietnamese thousands)."""
    return f"{value:,}".replace(",", ".")


def rate(part: int, whole: int) -> str:
    """On time of due as a percentage, one decimal with a comma: "87,5%"."""
    return f"{100 * part / whole:.1f}".replace(".", ",") + "%"


def common(rules: RuleSet, as_of: dt.date) -> dict[str, str]:
    """The placeholders every text of a draft may use (ruleset.documents.COMMON)."""
    plan = rules.plan
    return dict(plan_no=plan.number, plan_issued=f"{plan.issued:%d/%m/%Y}",
                plan_title=plan.title[:1].lower() + plan.title[1:], issuer=plan.issuer, movement=plan.movement,
                year=str(plan.year), as_of=f"{as_of:%d/%m/%Y}")
