"""Matching what a unit wrote to the rules file's official units (diacritics, case, abbreviations)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ruleset.spec import RuleSet, Unit
from . import text


@dataclass
class UnitIndex:
    """Official units keyed for matching what a unit wrote (diacritics, case, abbreviations…)."""

    rules: RuleSet
    by_key: dict[str, Unit] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for unit in self.rules.units:
            for name in (unit.name, *unit.aliases):
                self.by_key.setdefault(self.key(name), unit)
        self.by_id = {u.id: u for u in self.rules.units}

    def key(self, name: str) -> str:
        return text.name_key(name, self.rules.abbreviations, list(self.rules.drop_suffixes))

    def match(self, name: str) -> Unit | None:
        if name in self.by_id:
            return self.by_id[name]
        return self.by_key.get(self.key(name))

    def suggest(self, name: str) -> list[str]:
        candidates = {self.key(u.name): u.name for u in self.rules.units}
        candidates.update({self.key(a): u.name for u in self.rules.units for a in u.aliases})
        found = text.closest(self.key(name), candidates, n=6, cutoff=self.rules.suggestion_cutoff)
        return list(dict.fromkeys(found))[:3]
