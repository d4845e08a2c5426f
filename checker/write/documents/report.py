"""The Sở's báo cáo tổng kết of the campaign: the heading, the introduction, and the rules file's
sections in order, each narrative one with the line the office replaces by its text, the figure
sections each with its sentence and its table (by unit, cycle and level asked; on-time rate per
cycle; the units that never reported; the anniversary's activities; the articles of the unit with
the propaganda role)."""

from __future__ import annotations

from docx.shared import Cm

from ...decide.figures import Figures
from ...model.words import NOT_DUE
from ...ruleset.documents import FigureText
from ...ruleset.spec import RuleSet
from . import docx_parts as parts
from .words import common, number, rate

COUNT_WIDTHS = [Cm(1.4), Cm(11.1), Cm(4.0)]
RATE_WIDTHS = [Cm(1.4), Cm(4.1), Cm(3.6), Cm(3.6), Cm(3.8)]
LIST_WIDTHS = [Cm(1.4), Cm(15.1)]


def report(rules: RuleSet, figures: Figures):
    """The báo cáo tổng kết as a python-docx document (saved by the caller)."""
    words, plan = rules.documents, rules.plan
    letter = words.report
    values = common(rules, figures.as_of)
    doc = parts.opening(figures.as_of, words.issuer, letter, values, plan.place, plan.year)
    intro = dict(values, total=number(figures.total), units=number(len(figures.by_unit)),
                 units_with=number(figures.units_with))
    for text in letter.body:
        parts.body(doc, text.format(**intro))
    for section in words.sections:
        parts.section_heading(doc, section.heading)
        if section.write:
            parts.paragraph(doc, words.placeholder, italic=True, indent=True)
        for figure in section.figures:
            parts.section_heading(doc, figure.heading)
            _figure(doc, rules, figure, figures, values)
    parts.closing(doc, words.copies_heading, letter.copies, words.signer)
    return doc


def _figure(doc, rules: RuleSet, text: FigureText, f: Figures, values: dict[str, str]) -> None:
    """One figure: its sentence, then its table (or the rules' words for an empty one)."""
    words, heads = rules.documents, text.columns
    name = text.figure
    if name == "by_unit":
        _counts(doc, text.text.format(**values, total=number(f.total), units=number(len(f.by_unit)),
                                      units_with=number(f.units_with)), heads, f.by_unit, words.total_label)
    elif name == "by_cycle":
        _counts(doc, text.text.format(**values, total=number(f.total), cycles=number(len(f.by_cycle))), heads,
                f.by_cycle, words.total_label)
    elif name == "by_level":
        _counts(doc, text.text.format(**values, total=number(f.total)), heads, f.by_level, words.total_label)
    elif name == "on_time":
        due = [r for r in f.on_time if r.due]
        parts.body(doc, text.text.format(**values, cycles_due=number(len(due)),
                                         on_time=number(sum(r.on_time for r in due)),
                                         due=number(sum(r.due for r in due))))
        rows = [(str(n), r.cycle, number(r.on_time) if r.due else "", number(r.due) if r.due else "",
                 rate(r.on_time, r.due) if r.due else NOT_DUE) for n, r in enumerate(f.on_time, start=1)]
        parts.grid(doc, heads, rows, RATE_WIDTHS, left=(1,))
    elif name == "never_reported":
        parts.body(doc, text.text.format(**values, count=number(len(f.never_reported))))
        if f.never_reported:
            parts.grid(doc, heads, [(str(n), unit) for n, unit in enumerate(f.never_reported, start=1)], LIST_WIDTHS,
                       left=(1,))
        else:
            parts.body(doc, words.none_text)
    elif name == "anniversary":
        count = sum(n for _, n in f.anniversary)
        sentence = text.text.format(**values, count=number(count), units_with=number(len(f.anniversary)),
                                    activity_type=text.activity_type)
        if f.anniversary:
            _counts(doc, sentence, heads, f.anniversary, words.total_label)
        else:
            parts.body(doc, sentence)
            parts.body(doc, words.none_text)
    else:  # role_articles: a sentence only
        parts.body(doc, text.text.format(**values, unit=f.role_unit, articles=number(f.role_articles),
                                         activities=number(f.role_activities)))


def _counts(doc, sentence: str, heads: tuple[str, ...], counts, total_label: str) -> None:
    """A sentence and a table of (label, count) rows, numbered, with a total row."""
    parts.body(doc, sentence)
    rows = [(str(n), label, number(count)) for n, (label, count) in enumerate(counts, start=1)]
    rows.append(("", total_label, number(sum(count for _, count in counts))))
    parts.grid(doc, heads, rows, COUNT_WIDTHS, left=(1,), bold_last=True)
