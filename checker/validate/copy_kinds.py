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
over word pairs (numpy, every text at once) proposes the candidate pairs and only those are scored,
so a city's rows stay near-linear; word pairs found in many texts (stock phrases) are left out of
the signatures, or every text holding one would be a candidate of every other, and texts made only
of stock phrases (they share every band) are each compared with the GROUP_ALL texts before them in
a band's group, not with all of them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..model.findings import cell_ref
from ..model.packed import Packed, unpacked
from ..normalise.people import person_keys
from ..normalise.placeholders import ascii_key
from ..ruleset.spec import CheckSpec
from .row_kinds import Context, Details, Fails, frame_memo, given

# Up to this many distinct texts every pair is scored (cdist: 4 million scores, about a second).
ALL_PAIRS_UP_TO = 2_000
# MinHash LSH over a text's word pairs: 14 bands of 4 permutations, datasketch's choice for a
# Jaccard similarity of 0.5 up: a near-copy at a score of 90 (a few words changed) shares far more
# of its word pairs, and is proposed with a probability above 0.999 from a similarity of 0.8.
BANDS, ROWS = 14, 4
GROUP_ALL = 20  # in a band's group, each text is paired with this many texts before it at most
SCORED_AT_ONCE = 100_000  # candidate pairs scored at a time (their texts listed twice meanwhile)
TEXTS_AT_ONCE = 5_000  # texts hashed at a time (about 2 MB of text: tens of MB of arrays)
SAMPLED = 50_000  # texts in which the common word pairs are counted, at most
_WORD_BASE = np.uint64(0x100000001B3)  # a word's hash: its bytes times powers of this (FNV's prime)
# The bytes str.split() splits ASCII text at.
_WHITE = np.zeros(256, dtype=bool)
_WHITE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
MERSENNE = np.uint64((1 << 61) - 1)
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
    found = []
    pairs = _band_mates(_bands(distinct), len(distinct))
    for start in range(0, len(pairs), SCORED_AT_ONCE):
        part = pairs[start:start + SCORED_AT_ONCE]
        # Scored on every core (rapidfuzz's threads), as whole numbers, as _all_pairs scores.
        scores = process.cpdist([distinct[i] for i, _ in part], [distinct[j] for _, j in part], scorer=fuzz.ratio,
                                score_cutoff=threshold, dtype=np.uint8, workers=-1)
        found += [(i, j, int(score)) for (i, j), score in zip(part, scores.tolist()) if score]
    return found


def _bands(distinct: list[str]) -> np.ndarray:
    """Each text's MinHash signature folded band by band (texts × BANDS): two texts sharing a
    band's value are candidates. Worked out TEXTS_AT_ONCE texts at a time, so memory stays flat."""
    common = _common_pairs(distinct)
    bands = np.empty((len(distinct), BANDS), dtype=np.uint64)
    for lo in range(0, len(distinct), TEXTS_AT_ONCE):
        part = distinct[lo:lo + TEXTS_AT_ONCE]
        signatures = _signatures(*_shingles(part, common), len(part))
        folded = signatures[:, ::ROWS].copy()  # each band's first value, then the others folded in
        for k in range(1, ROWS):
            folded = folded * np.uint64(0x9E3779B97F4A7C15) + signatures[:, k::ROWS]
        bands[lo:lo + len(part)] = folded
    return bands


def _word_pairs(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each text's word pairs (words split at ASCII white space, as str.split splits the keys) as
    (text, 32-bit hash of the pair) arrays sorted by text, each pair once per text; a one-word text
    has its word, an empty one the value 0. Hashed all at once in numpy (a word: the sum of its
    bytes times powers of a constant, mixed), not word by word in Python (most of the time)."""
    data = np.frombuffer("\n".join(texts).encode("utf-8", "surrogatepass"), dtype=np.uint8)
    sizes = np.fromiter((len(t.encode("utf-8", "surrogatepass")) + 1 for t in texts), dtype=np.int64,
                        count=len(texts))
    text_at = np.cumsum(sizes) - sizes  # each text's first byte
    letter = ~_WHITE[data]
    first = letter & ~np.r_[False, letter[:-1]]  # a word's first byte
    starts = np.flatnonzero(first)
    word = np.cumsum(first[letter], dtype=np.int32) - 1  # each letter byte's word
    place = (np.flatnonzero(letter) - starts[word]).astype(np.int32)  # its place in its word
    powers = np.cumprod(np.r_[np.uint64(1), np.full(max(int(place.max(initial=0)), 1), _WORD_BASE, dtype=np.uint64)])
    hashes = _mixed(np.add.reduceat((data[letter].astype(np.uint64) + np.uint64(1)) * powers[place],
                                    np.flatnonzero(first[letter])) if len(starts) else np.array([], dtype=np.uint64))
    owner = np.searchsorted(text_at, starts, side="right") - 1  # each word's text
    inside = owner[:-1] == owner[1:]  # a word and the next one of the same text
    counts = np.bincount(owner, minlength=len(texts))
    alone, empty = np.flatnonzero(counts == 1), np.flatnonzero(counts == 0)
    pairs = np.concatenate([_mixed(hashes[:-1][inside] * np.uint64(1_000_003) + hashes[1:][inside]),
                            hashes[np.searchsorted(owner, alone)], np.zeros(len(empty), dtype=np.uint64)])
    owner = np.concatenate([owner[:-1][inside], alone, empty]).astype(np.uint64)
    pairs &= np.uint64(0xFFFFFFFF)
    keyed = _sorted_once((owner << np.uint64(32)) | pairs)  # by text, each pair once
    return (keyed >> np.uint64(32)).astype(np.int64), keyed & np.uint64(0xFFFFFFFF)


def _mixed(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every bit of the result depends on every bit of the value."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _common_pairs(distinct: list[str]) -> np.ndarray:
    """The word pairs (sorted) found in more than COMMON_SHARE of the texts and more than
    COMMON_AT_LEAST of them: stock phrases ("luôn hoàn thành tốt nhiệm vụ được giao"). Counted in
    every text up to SAMPLED texts; beyond, in an evenly spaced sample of them (a phrase that
    common is as common in the sample), so memory stays flat."""
    step = max(1, -(-len(distinct) // SAMPLED))
    sample = distinct[::step]
    pairs = np.concatenate([_word_pairs(sample[lo:lo + TEXTS_AT_ONCE])[1] for lo in range(0, len(sample), TEXTS_AT_ONCE)]
                           or [np.array([], dtype=np.uint64)])
    codes, values = pd.factorize(pairs, sort=False)  # (numpy's unique hashes these far more slowly)
    limit = max(COMMON_AT_LEAST, COMMON_SHARE * len(distinct)) / step
    return np.sort(values[np.bincount(codes, minlength=len(values)) > limit].astype(np.uint64))


def _shingles(texts: list[str], common: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The texts' word pairs (_word_pairs) without the `common` ones: left in, a stock phrase
    would make every text that has it a candidate of every other (quadratic). A near-copy shares
    its rare word pairs too, so only the common ones are dropped (a text made only of them keeps them)."""
    owner, pairs = _word_pairs(texts)
    at = np.minimum(np.searchsorted(common, pairs), max(len(common) - 1, 0))
    stock = common[at] == pairs if len(common) else np.zeros(len(pairs), dtype=bool)
    rare = np.bincount(owner[~stock], minlength=len(texts))
    keep = ~stock | (rare[owner] == 0)
    return owner[keep], pairs[keep]


def _signatures(owner: np.ndarray, pairs: np.ndarray, texts: int) -> np.ndarray:
    """Each text's MinHash signature (texts × BANDS·ROWS): per permutation k, the least of
    (a_k·x + b_k) mod the Mersenne prime 2^61 − 1 over its word pairs x (owner: each pair's text,
    ascending; every text has one), with (a, b) fixed: the same texts always give the same candidates."""
    rng = np.random.RandomState(1)
    count = BANDS * ROWS
    a = rng.randint(1, MERSENNE, size=count, dtype=np.uint64)
    b = rng.randint(0, MERSENNE, size=count, dtype=np.uint64)
    starts = np.searchsorted(owner, np.arange(texts))
    signatures = np.empty((texts, count), dtype=np.uint64)
    for k in range(count):
        # uint64 products wrap (as datasketch's do): still one fixed hash of x per permutation.
        signatures[:, k] = np.minimum.reduceat((a[k] * pairs + b[k]) % MERSENNE, starts) if texts else 0
    return signatures


def _band_mates(bands: np.ndarray, texts: int) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, of texts whose signatures are equal on at least one band, sorted:
    the candidates MinHash LSH proposes (`bands`: _bands; a rare collision of two folded values only
    adds a candidate, which is then scored). In a group
    of more than GROUP_ALL texts each is paired with the GROUP_ALL before it only: texts made of
    the same stock phrases share every band, and pairing them all would be quadratic (a copied text
    is still paired with the texts copied from it, which come just before it in the group)."""
    found = [np.array([], dtype=np.int64)]
    for band in range(BANDS):
        folded = bands[:, band]
        order = np.argsort(folded, kind="stable")  # each group's members in text order
        ranked = folded[order]
        bounds = np.flatnonzero(ranked[1:] != ranked[:-1]) + 1
        firsts, sizes = np.r_[0, bounds], np.diff(np.r_[0, bounds, len(ranked)])
        group = np.repeat(np.arange(len(firsts)), sizes)  # each position's group, in `order`
        rank = np.arange(len(order)) - firsts[group]  # its place in the group
        for back in range(1, min(GROUP_ALL, int(sizes.max(initial=1)) - 1) + 1):
            later = np.flatnonzero(rank >= back)  # positions with a member `back` places before them
            found.append(order[later - back] * texts + order[later])
    codes = _sorted_once(np.concatenate(found))
    return list(zip((codes // texts).tolist(), (codes % texts).tolist()))


def _sorted_once(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (np.unique, without its slow hashing of 64-bit integers)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _candidates(f: pd.DataFrame, c: CheckSpec, col: str) -> tuple[pd.Index, list[str]]:
    """The rows with a text long enough to be compared, and their keys."""
    rows = f.index[given(f, col)]
    # Keyed once per distinct text: copies are many in a batch that has them. Told apart with a
    # dict, not pd.factorize: pandas hashes texts through their UTF-8 form, which CPython then keeps
    # inside each text for as long as it lives (measured: 125 MB held at 10,000 files).
    # Packed summaries (model.packed) are told apart packed, and unpacked one at a time to be keyed.
    distinct: dict[str, int] = {}
    codes = [distinct.setdefault(v if type(v) in (str, Packed) else "", len(distinct)) for v in f.loc[rows, col].tolist()]
    distinct_keys = [ascii_key(unpacked(v)) for v in distinct]
    keys = [distinct_keys[code] for code in codes]
    long_enough = [len(k) >= c.params["min_length"] for k in keys]
    return rows[long_enough], [k for k, keep in zip(keys, long_enough) if keep]


def copies(ctx: Context, f: pd.DataFrame, c: CheckSpec, col: str) -> Mates:
    """The copies of `col` in frame `f` under check `c` (see find_copies), worked out once per
    validation: the rendering of the warnings asks again for what the verdicts just computed
    (seconds at city scale)."""
    return frame_memo(ctx, f, ("copies", col), lambda: _copies(f, c, col), check=c)


def _copies(f: pd.DataFrame, c: CheckSpec, col: str) -> Mates:
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
    return mates


def _copied_text(ctx: Context, f: pd.DataFrame, c: CheckSpec, col: str) -> pd.Series:
    mates = copies(ctx, f, c, col)
    return pd.Series(f.index.isin(list(mates)), index=f.index)


def _copied_details(ctx: Context, row: Any, c: CheckSpec, col: str) -> dict[str, Any]:
    j, score = copies(ctx, ctx.frame, c, col)[row["_index"]]
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
