"""The Tờ trình to the City (qua Ban Thi đua - Khen thưởng Thành phố): the nominees the council
chose to propose, quoting the plan's Mục V, and on a new page the appendix "Danh sách đề nghị khen
thưởng" (STT, name, position and unit, summary), its header row repeated on every page."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from ...decide.figures import Figures
from ...ruleset.spec import RuleSet
from . import docx_parts as parts
from .words import common, number

WIDTHS = [Cm(1.4), Cm(3.8), Cm(4.0), Cm(7.3)]


def proposal(rules: RuleSet, figures: Figures, considered: int):
    """The Tờ trình as a python-docx document (saved by the caller)."""
    words, plan = rules.documents, rules.plan
    letter = words.proposal
    values = common(rules, figures.as_of)
    doc = parts.opening(figures.as_of, words.issuer, letter, values, plan.place, plan.year)
    texts = dict(values, quote=words.quote, considered=number(considered), proposed=number(len(figures.proposed)),
                 units_proposed=number(len({n.unit for n in figures.proposed})))
    for text in letter.body:
        parts.body(doc, text.format(**texts))
    parts.closing(doc, words.copies_heading, letter.copies, words.signer)
    parts.page_break(doc)
    center = WD_ALIGN_PARAGRAPH.CENTER
    parts.paragraph(doc, words.appendix_title.format(**values), bold=True, align=center)
    parts.paragraph(doc, words.appendix_note.format(**values), italic=True, align=center, after=12)
    rows = [(str(n), who.name, f"{who.position}, {who.unit}" if who.position else who.unit, who.summary)
            for n, who in enumerate(figures.proposed, start=1)]
    parts.grid(doc, words.appendix_columns, rows, WIDTHS, left=(1, 2), justified=(3,))
    return doc
