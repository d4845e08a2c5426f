"""The copy check kind: a text that repeats, or nearly repeats, another person's, anywhere in the batch.

`copied_text` looks at one text column (a nomination's "Tóm tắt thành tích") over the frame of
every file validated together, so a copy in one file, across units or across months is found the
same way. Two rows are copies when their texts, compared on normalise.placeholders.ascii_key
(case, tone marks and punctuation do not count), score at least `threshold` with rapidfuzz's
fuzz.ratio (100 = the same text), both keys are at least `min_length` characters long, and the rows
are about different people (`person` columns, keyed by normalise.people): the same person twice is
a correction or a repeat, which other rules report. Both rows are reported; each names one other
copy: the most similar, the first in batch order among equals.

Cost: identical texts are grouped by their key (no comparison at all). The distinct texts are all
scored against each other with rapidfuzz.process.cdist when they are few; otherwise MinHash LSH
(datasketch) over word pairs proposes the candidate pairs and only those are scored, so a city's
rows stay near-linear; word pairs found in many texts (stock phrases) are left out of the
signatures, or every text holding one would be a candidate of every other.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..model.findings import cell_ref
from ..normalise.people import person_keys
from ..normalise.placeholders import ascii_key
from ..ruleset.spec import CheckSpec
from .row_kinds import Context, Details, Fails, given

# Up to this many distinct texts every pair is scored (cdist: 4 million scores, about a second).
ALL_PAIRS_UP_TO = 2_000
# MinHash LSH: a text's word pairs, 64 permutations, candidates from a Jaccard similarity of about
# 0.5 up: a near-copy at a score of 90 (a few words changed) shares far more of its word pairs.
NUM_PERM, LSH_THRESHOLD = 64, 0.5
# A word pair in more than 1% of the distinct texts (and more than 20 of them) is a stock phrase,
# left out of the MinHash signatures.
COMMON_SHARE, COMMON_AT_LEAST = 0.01, 20

Mates = dict[int, tuple[int, int]]  # frame index -> (frame index of the other copy, score)


def find_copies(texts: list[str], persons: list[str], index: list[int], threshold: int) -> Mates:
    """For each row (texts already keyed, with its person key and frame index) that has a copy of a
    different person: the other copy to name and the score."""
    codes, distinct = pd.factorize(pd.Series(texts, dtype="object"), sort=False)
    return _match(codes, near_pairs(list(distinct), threshold), persons, index)


def _match(codes, near: dict[int, list[tuple[int, int]]], persons: list[str], index: list[int]) -> Mates:
    # Per distinct text, in batch order: its first row and the first row of a different person:
    # enough to give any row a copy of someone else, whoever it is about.
    first: dict[int, tuple[int, str]] = {}
    other: dict[int, int] = {}
    for code, person, i in zip(codes, persons, index):
        if code not in first:
            first[code] = (i, person)
        elif code not in other and person != first[code][1]:
            other[code] = i
    mates: Mates = {}
    for code, person, i in zip(codes, persons, index):
        best: tuple[int, int] | None = None  # (-score, frame index): highest score, then first
        for v, score in [(code, 100)] + near.get(code, []):
            j = first[v][0] if first[v][1] != person else other.get(v)
            if j is not None and j != i and (best is None or (-score, j) < best):
                best = (-score, j)
        if best is not None:
            mates[i] = (best[1], -best[0])
    return mates


def near_pairs(distinct: list[str], threshold: int) -> dict[int, list[tuple[int, int]]]:
    """Per distinct text (by position): the other distinct texts scoring at least `threshold`, with
    their scores, in position order."""
    if len(distinct) < 2 or threshold >= 100:
        return {}
    pairs = _all_pairs(distinct, threshold) if len(distinct) <= ALL_PAIRS_UP_TO else _lsh_pairs(distinct, threshold)
    near: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b, score in sorted(pairs):
        near[a].append((b, score))
        near[b].append((a, score))
    return {k: sorted(v) for k, v in near.items()}


def _all_pairs(distinct: list[str], threshold: int) -> list[tuple[int, int, int]]:
    scores = process.cdist(distinct, distinct, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.uint8,
                           workers=1)
    a, b = np.nonzero(np.triu(scores, k=1))
    return [(int(i), int(j), int(scores[i, j])) for i, j in zip(a, b)]


def _lsh_pairs(distinct: list[str], threshold: int) -> list[tuple[int, int, int]]:
    # Imported here, not at the top: datasketch imports scipy, and only a batch with thousands of
    # distinct texts needs it.
    from datasketch import MinHash, MinHashLSH  # lazy: start-up cost (scipy, about 0.5 s)

    words: dict[str, int] = {}
    shingles = []
    for t in distinct:
        ids = [words.setdefault(w, len(words)) for w in t.split()]
        pairs = {(a * 1_000_003 + b) & 0xFFFFFFFF for a, b in zip(ids, ids[1:])} or {ids[0] if ids else 0}
        shingles.append(pairs)
    # Stock phrases ("luôn hoàn thành tốt nhiệm vụ được giao") are in many texts: left in, they make
    # every text that has one a candidate of every other (quadratic). A near-copy shares its rare word
    # pairs too, so only the common ones are dropped (a text made only of them keeps them).
    common = _common_shingles(shingles)
    shingles = [sorted(p - common or p) for p in shingles]
    signatures = MinHash.bulk(shingles, num_perm=NUM_PERM, hashfunc=int)
    found = []
    for i, earlier in enumerate(_band_mates(signatures, MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM))):
        for j in sorted(earlier):  # the texts before i: each pair is seen once
            score = fuzz.ratio(distinct[i], distinct[j], score_cutoff=threshold)
            if score:
                found.append((j, i, round(score)))  # as cdist's whole-number scores
    return found


def _band_mates(signatures: list, lsh) -> list[set[int]]:
    """Per signature, the earlier ones that share one of `lsh`'s bands with it: what querying `lsh`
    before inserting each signature in turn returns, found band by band over all of them at once
    (numpy groups equal bands) instead of one query and one insert per text (most of the time)."""
    values = np.array([s.hashvalues for s in signatures], dtype=np.uint64)
    mates: list[set[int]] = [set() for _ in signatures]
    for start, end in lsh.hashranges:
        _, groups = np.unique(values[:, start:end], axis=0, return_inverse=True)
        groups = groups.ravel()
        order = np.argsort(groups, kind="stable")  # each band's members in input order
        bounds = np.flatnonzero(np.diff(groups[order])) + 1
        for members in np.split(order, bounds):
            if len(members) > 1:
                members = members.tolist()
                for k in range(1, len(members)):
                    mates[members[k]].update(members[:k])
    return mates


def _common_shingles(shingles: list[set[int]]) -> set[int]:
    """Word pairs found in more than COMMON_SHARE of the texts (and in more than a few of them)."""
    counts: dict[int, int] = defaultdict(int)
    for pairs in shingles:
        for p in pairs:
            counts[p] += 1
    limit = max(COMMON_AT_LEAST, COMMON_SHARE * len(shingles))
    return {p for p, n in counts.items() if n > limit}


def _candidates(f: pd.DataFrame, c: CheckSpec, col: str) -> tuple[pd.Index, list[str]]:
    """The rows with a text long enough to be compared, and their keys."""
    rows = f.index[given(f, col)]
    # Keyed once per distinct text: copies are many in a batch that has them.
    codes, distinct = pd.factorize(f.loc[rows, col].where(lambda v: v.map(type) == str, ""))
    distinct_keys = [ascii_key(v) for v in distinct]
    keys = [distinct_keys[code] for code in codes]
    long_enough = [len(k) >= c.params["min_length"] for k in keys]
    return rows[long_enough], [k for k, keep in zip(keys, long_enough) if keep]


# The last frame's copies: the rendering of the warnings asks again for what the verdicts just
# computed (seconds at city scale). Held by a weak reference: it goes with the frame.
_last: tuple | None = None  # (weakref to the frame, check, column, mates)


def copies(f: pd.DataFrame, c: CheckSpec, col: str) -> Mates:
    """The copies of `col` in frame `f` under check `c` (see find_copies)."""
    global _last
    if _last is not None and _last[0]() is f and _last[1] is c and _last[2] == col:
        return _last[3]
    rows, keys = _candidates(f, c, col)
    mates: Mates = {}
    if len(rows) > 1:
        codes, distinct = pd.factorize(pd.Series(keys, dtype="object"), sort=False)
        near = near_pairs(list(distinct), c.params["threshold"])
        # Only a text held twice or with a near copy can be a copy: only those rows need a person key.
        involved = (np.bincount(codes)[codes] > 1) | np.isin(codes, list(near))
        rows = rows[involved]
        persons = person_keys(f.loc[rows], c.params["person"]).tolist()
        mates = _match(codes[involved], near, persons, [int(i) for i in rows])
    _last = (weakref.ref(f), c, col, mates)
    return mates


def _copied_text(ctx: Context, f: pd.DataFrame, c: CheckSpec, col: str) -> pd.Series:
    mates = copies(f, c, col)
    return pd.Series(f.index.isin(list(mates)), index=f.index)


def _copied_details(ctx: Context, row: Any, c: CheckSpec, col: str) -> dict[str, Any]:
    key = ("copies", id(c), col)
    if key not in ctx.cache:
        ctx.cache[key] = copies(ctx.frame, c, col)
    j, score = ctx.cache[key][row["_index"]]
    # Two cells, not the other row as a Series (a 60-column row built per warning: 7 ms each).
    where = locate(ctx, int(ctx.frame.at[j, "_file"]), int(ctx.frame.at[j, "_row"]), col)
    return {**where, "similarity": score}


def locate(ctx: Context, file: int, row: int, col: str) -> dict[str, str]:
    """Where the other copy is: file name, sheet name, cell and the unit its file names."""
    book = ctx.books[file] if 0 <= file < len(ctx.books) else None
    table = next((t for t in book.tables.values() if col in t.columns), None) if book is not None else None
    if table is None:  # rows not read from a workbook (a frame built by hand): named by their row only
        return {"other_file": "", "other_sheet": "", "other_cell": f"dòng {row}", "other_unit": ""}
    unit_key = ctx.rules.field_key("unit")
    unit = next((fields[unit_key].value for fields in book.forms.values() if unit_key in fields), None)
    return {"other_file": book.name, "other_sheet": table.sheet_name,
            "other_cell": f"ô {cell_ref(row, table.columns[col])}",
            "other_unit": f" của {unit}" if isinstance(unit, str) and unit.strip() else ""}


# The copy kind's implementation (ruleset.kinds declares it; validate.registry joins the tables).
COPY_KINDS: dict[str, tuple[Fails, Details]] = {
    "copied_text": (_copied_text, _copied_details),
}
