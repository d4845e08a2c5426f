"""The .docx drafts that go to the City (`ntvt documents`, and the web page's "Soạn văn bản"): the
Tờ trình proposing the nominees the council chose, and the báo cáo tổng kết with the campaign's
figures (decide/figures), in the layout of Nghị định 30/2020/NĐ-CP and the words of the rules file's
`documents:` block. Written atomically (write/files), never over an input."""

from __future__ import annotations

from pathlib import Path

from ...decide.consolidation import Consolidation
from ...decide.figures import Figures, figures
from ...decide.review import nominations_in_force
from ...model.errors import CheckerError
from ...ruleset.documents import DocumentsInfo
from ...ruleset.spec import RuleSet
from ..files import atomic_output
from .words import PROPOSAL_NAME, REPORT_NAME, file_name

__all__ = ["documents_figures", "require_documents", "write_documents"]


def require_documents(rules: RuleSet) -> DocumentsInfo:
    """The rules' `documents:` block; CheckerError, in words, when the rules file has none."""
    if rules.documents is None:
        raise CheckerError("the rules file has no documents block",
                           message=f"Tệp quy tắc “{rules.path.name}” không có khối “documents:” (lời văn của Tờ trình "
                                   f"và báo cáo tổng kết): hãy thêm khối này (xem tệp quy tắc kèm theo) rồi soạn lại "
                                   f"văn bản (ntvt documents).")
    return rules.documents


def documents_figures(result: Consolidation) -> Figures:
    """The figures the drafts show: decide/figures with the rules' anniversary type and propaganda role.
    CheckerError when the rules file has no `documents:`."""
    words = require_documents(result.rules)
    shown = [f for s in words.sections for f in s.figures]
    anniversary = next((f.activity_type for f in shown if f.activity_type), None)
    role = next((f for f in shown if f.role), None)
    return figures(result, anniversary, role.role if role else None, role.column if role else None)


def write_documents(result: Consolidation, folder: Path, *, inputs: list[Path]) -> list[Path]:
    """Write into `folder` the báo cáo tổng kết and, when the council proposed someone to the City
    (decisions read, result.review), the Tờ trình; return the paths written (the Tờ trình first).
    CheckerError when the rules file has no `documents:`; OutputError when a file cannot be written."""
    from . import docx_parts  # lazy: start-up cost (python-docx and lxml, ~0.5 s), for drafts only
    from .proposal import proposal  # lazy: python-docx, as above
    from .report import report  # lazy: python-docx, as above
    found = documents_figures(result)
    folder = Path(folder)
    written = []
    drafts = [(PROPOSAL_NAME, proposal(result.rules, found, len(nominations_in_force(result, []))))] if found.proposed else []
    drafts.append((REPORT_NAME, report(result.rules, found)))
    for pattern, doc in drafts:
        target = folder / file_name(pattern, result.as_of)
        with atomic_output(target, inputs) as tmp:
            docx_parts.save(doc, tmp)
        written.append(target)
    return written
