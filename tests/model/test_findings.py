"""Tests for checker.model.findings: the order every list shows findings in."""

from __future__ import annotations

import random

from checker.model.findings import Cell, File, Finding, Severity, UnitCycle, ordered


def _finding(where, rule="R", code="k", text="x", severity=Severity.ERROR) -> Finding:
    return Finding(rule_id=rule, code=code, severity=severity, where=where, template="{0}", args=(text,), clause="")


def test_ordered_is_the_order_of_the_whole_sort_key_with_texts_made_only_for_ties():
    """By file, sheet, cell, rule, code, then text; the texts are compared only between findings
    alike in all the rest (as sorting on the whole key, which would make every text at once)."""
    rng = random.Random(7)
    wheres = [UnitCycle("CHEO", "2023-05"), UnitCycle("KICH"), File("b.xlsx"), Cell("a.xlsx", "S", 5, 2),
              Cell("a.xlsx", "S", 5, 11), Cell("a.xlsx", "T", 2, 1)]
    findings = [_finding(rng.choice(wheres), rule=rng.choice("PQ"), code=rng.choice("ab"), text=rng.choice("xyzw"),
                         severity=rng.choice(list(Severity))) for _ in range(400)]
    assert ordered(findings) == sorted(findings, key=Finding.sort_key)
    assert ordered(findings, severity_first=True) == sorted(findings, key=lambda f: (f.severity.rank, f.sort_key()))
    made = []

    class Counting(Finding):
        __slots__ = ()

        @property
        def text(self):
            made.append(self)
            return super().text

    alone = [Counting(rule_id="R", code="k", severity=Severity.ERROR, where=Cell("a.xlsx", "S", n, 1),
                      template="{0}", args=("x",), clause="") for n in range(5)]
    twins = [Counting(rule_id="R", code="k", severity=Severity.ERROR, where=UnitCycle("CHEO"), template="{0}",
                      args=(t,), clause="") for t in "ba"]
    assert [f.text for f in ordered(alone[::-1] + twins)][:2] == ["a", "b"]
    made.clear()
    ordered(alone[::-1] + twins)
    assert sorted(id(f) for f in made) == sorted(id(f) for f in twins)  # the lone ones' texts were never made
