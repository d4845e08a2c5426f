"""Matching what a unit wrote to the rules file's official units, as a person reading it would.

Names are compared by their :func:`text.name_key` (no diacritics or case, punctuation as spaces,
abbreviations expanded, the "Hà Nội" place suffix dropped). An exact key of an official name or
alias is a match. Otherwise each name is scored word by word: a written word counts when rapidfuzz
finds it, or a word one slip away, in the official name; every word is weighted by how rarely the
official names use it, so "Chèo" or "Di sản" decide and "Phòng" or "Nhà hát" barely do. Written words
the official name lacks (another city, "Quốc gia") cost more than official words left out ("Chèo Hà
Nội" for "Nhà hát Chèo Hà Nội"). A name is accepted only when its best unit scores high and clearly
above the next unit; otherwise the one or two closest units are suggested, or none if nothing is close.
"""

from __future__ import annotations

import math

from rapidfuzz import fuzz, process

from ..ruleset.spec import RuleSet, Unit
from . import text

# Precision weighs more than recall (an F-beta score with beta² = 1/4): a word the unit added is
# stronger evidence of another unit than an official word it left out.
_BETA2 = 0.25
MAX_SUGGESTIONS = 2  # the message reads "có phải “X” hoặc “Y” không?"
MIN_FUZZY_LETTERS = 4


class UnitIndex:
    """Official units and their aliases, keyed and weighted once per batch; answers are cached per name."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.settings = rules.unit_matching
        self.by_id = {u.id: u for u in rules.units}
        self.by_key: dict[str, Unit] = {}
        self.names: list[tuple[Unit, list[str]]] = []  # (unit, words of one of its names' keys)
        for unit in rules.units:
            for name in (unit.name, *unit.aliases):
                key = self.key(name)
                self.by_key.setdefault(key, unit)
                self.names.append((unit, key.split()))
        # How many units use each word: a word used by few units identifies one.
        users: dict[str, set[str]] = {}
        for unit, words in self.names:
            for word in words:
                users.setdefault(word, set()).add(unit.id)
        total = len(rules.units) + 1
        self.weights = {word: math.log(total / (len(ids) + 0.5)) for word, ids in users.items()}
        self.unknown_weight = math.log(total / 0.5)  # a word no official name has: another unit's
        self.cache: dict[str, tuple[Unit | None, list[str]]] = {}

    def key(self, name: str) -> str:
        return text.name_key(name, self.rules.abbreviations, list(self.rules.drop_suffixes))

    def match(self, name: str) -> Unit | None:
        """The one unit `name` means (an id, an exact key or an unambiguous close name), else None."""
        return self._answer(name)[0]

    def suggest(self, name: str) -> list[str]:
        """Official names of at most two units close to `name` that was not matched, best first."""
        return self._answer(name)[1]

    def _answer(self, name: str) -> tuple[Unit | None, list[str]]:
        hit = self.cache.get(name)
        if hit is None:
            hit = self.cache[name] = self._decide(name)
        return hit

    def _decide(self, name: str) -> tuple[Unit | None, list[str]]:
        if name in self.by_id:
            return self.by_id[name], []
        key = self.key(name)
        if key in self.by_key:
            return self.by_key[key], []
        ranked = self.ranked(key)
        s = self.settings
        best, second = ranked[0], (ranked[1][0] if len(ranked) > 1 else 0.0)
        if best[0] >= s.accept_score and best[0] - second >= s.margin:
            return best[1], []
        return None, [unit.name for score, unit in ranked[:MAX_SUGGESTIONS] if score >= s.suggest_score]

    def ranked(self, key: str) -> list[tuple[float, Unit]]:
        """(score, unit) for every unit, best first; a unit scores its best name; ties keep file order."""
        words = key.split()
        best = dict.fromkeys(self.by_id, 0.0)  # unit id -> score, in the rules file's order
        for unit, official in self.names:
            best[unit.id] = max(best[unit.id], self.score(words, official))
        order = sorted(best, key=lambda uid: -best[uid])  # stable: ties keep the file's order
        return [(best[uid], self.by_id[uid]) for uid in order]

    def score(self, written: list[str], official: list[str]) -> float:
        """How well the written words and one official name's words explain each other, 0 to 1."""
        if not written or not official:
            return 0.0
        found = self._explained(written, official)
        precision = sum(self.weight(w) * f for w, f in zip(written, found)) / sum(map(self.weight, written))
        back = self._explained(official, written)
        recall = sum(self.weights[w] * f for w, f in zip(official, back)) / sum(self.weights[w] for w in official)
        if precision == 0 or recall == 0:
            return 0.0
        return (1 + _BETA2) * precision * recall / (_BETA2 * precision + recall)

    def weight(self, word: str) -> float:
        return self.weights.get(word, self.unknown_weight)

    def _explained(self, words: list[str], other: list[str]) -> list[float]:
        # Each word's similarity to its closest word of `other` (rapidfuzz's ratio), 0 below word_score.
        # Short words must be equal: one letter turns a short syllable into another word ("gia"/"giam").
        cutoff = self.settings.word_score * 100
        long_words = [w for w in other if len(w) >= MIN_FUZZY_LETTERS]
        out = []
        for word in words:
            if word in other:
                out.append(1.0)
                continue
            hit = (process.extractOne(word, long_words, scorer=fuzz.ratio, score_cutoff=cutoff)
                   if len(word) >= MIN_FUZZY_LETTERS else None)
            out.append(hit[1] / 100 if hit else 0.0)
        return out
