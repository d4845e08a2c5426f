"""Tests for checker.validate.copy_kinds (DN-SAOCHEP): the same or nearly the same "Tóm tắt thành
tích" for two different people, in one file, across units or across months, on genuine workbooks.

Layout (tests/validate/test_pipeline.py): nominations from row 5, K = "Tóm tắt thành tích".
"""

from __future__ import annotations

import datetime as dt
import random
import sys

import pandas as pd
import pytest

from checker.api import check_many, consolidate, validate_files
from checker.model.findings import Severity
from checker.model.packed import PACK_FROM, Packed, unpacked
from checker.validate import copy_kinds
from checker.validate.engine import render_failures
from checker.validate.copy_kinds import find_copies, near_pairs
from checker.validate.registry import failing
from checker.validate.row_kinds import Context

from ..conftest import good_row

AS_OF = dt.date(2023, 5, 20)
RULE = "DN-SAOCHEP"

RESCUE = ("Đồng chí đã dũng cảm lao xuống hồ Văn Quán cứu một em nhỏ bị đuối nước lúc 18 giờ ngày 02/5/2023, "
          "sau đó đưa em đến trạm y tế phường và báo tin cho gia đình em.")
RESCUE_19H = RESCUE.replace("18 giờ", "19 giờ")  # a near-copy: one number changed
BLOOD = ("Chị đã vận động 120 đồng nghiệp tham gia hiến máu tình nguyện đợt tháng 5, tự mình hiến máu lần thứ 12 "
         "và tổ chức xe đưa đón người hiến tại nhà văn hóa quận.")
WALLET = ("Anh nhặt được chiếc ví có 15 triệu đồng và giấy tờ của một du khách Nhật Bản tại Văn Miếu, đã cùng bảo vệ "
          "tìm người mất và trả lại tận tay trong ngày.")
# Same opening and the same deed, told in other words: below the threshold of 90.
RESCUE_RETOLD = ("Đồng chí đã dũng cảm lao xuống hồ Văn Quán cứu một em nhỏ bị đuối nước; em được sơ cứu kịp thời, "
                 "đồng chí còn ở lại cùng công an phường lập biên bản sự việc.")
SHEET = "Danh sách đề nghị"
ADVICE = ("Đề nghị đơn vị viết tóm tắt riêng cho từng gương, nêu việc làm tốt cụ thể của chính người được đề nghị. "
          "(Căn cứ: Mục V, Kế hoạch số 327/KH-SVHTT.)")


def where(path, row: int, unit: str = "Nhà hát Chèo Hà Nội") -> str:
    """How the message names the other copy: cell, sheet, file (as the batch names it) and unit."""
    return f"ô K{row}, trang “{SHEET}”, tệp “{path}” của {unit}"


def message(cell: str, similarity: int, other: str) -> str:
    return (f"Ô {cell} – “Tóm tắt thành tích, việc làm tốt” giống {similarity}% tóm tắt của một người khác ở "
            f"{other}. {ADVICE}")


def copies_of(findings) -> list[tuple]:
    return [(f.file.rsplit("/", 1)[-1], f.sheet, f.cell, f.severity, f.message) for f in findings if f.rule_id == RULE]


def person(n: int, summary: str, **changes) -> dict:
    return good_row(n, name=f"Người Thứ {n}", birth_year=1980 + n, summary=summary, **changes)


def test_in_file_exact_copy_is_a_warning_on_both_rows(make_book, rules):
    """Rows 5 and 7 share a summary (different people): a warning on both, each naming the other."""
    path = make_book([person(1, RESCUE), person(2, BLOOD), person(3, RESCUE)], name="a.xlsx")
    report = check_many([path], rules, as_of=AS_OF)
    assert copies_of(report.findings) == [
        ("a.xlsx", SHEET, "K5", Severity.WARNING, message("K5", 100, where(path, 7))),
        ("a.xlsx", SHEET, "K7", Severity.WARNING, message("K7", 100, where(path, 5))),
    ]
    assert report.valid and report.files[0].valid_nominations == 3  # a warning: the rows still count


def test_cross_unit_near_copy_with_a_number_changed(make_book, rules):
    """Two units' files, one number changed in the copy: both rows warned, each naming the other file."""
    cheo = make_book([person(1, RESCUE)], name="cheo.xlsx", unit="CHEO")
    kich = make_book([person(2, WALLET), person(3, RESCUE_19H)], name="kich.xlsx", unit="KICH")
    report = check_many([cheo, kich], rules, as_of=AS_OF)
    assert copies_of(report.findings) == [
        ("cheo.xlsx", SHEET, "K5", Severity.WARNING, message("K5", 99, where(kich, 6, "Nhà hát Kịch Hà Nội"))),
        ("kich.xlsx", SHEET, "K6", Severity.WARNING, message("K6", 99, where(cheo, 5))),
    ]


def test_cross_month_copy_in_consolidate(make_book, rules, tmp_path):
    """A June file copying a May summary of another person is warned in the consolidation."""
    inbox = tmp_path / "inbox"
    make_book([person(1, RESCUE), person(2, BLOOD)], name="cheo_t5.xlsx", directory=inbox / "thang_05")
    make_book([person(3, RESCUE)], name="cheo_t6.xlsx", directory=inbox / "thang_06", period="2023-06",
              info={"sent_date": dt.date(2023, 6, 10)})
    result = consolidate(inbox, None, rules, as_of=dt.date(2023, 6, 20))
    found = [(file, cell) for file, _, cell, _, _ in copies_of(result.findings)]
    assert found == [("cheo_t5.xlsx", "K5"), ("cheo_t6.xlsx", "K5")]


def test_same_person_twice_is_not_a_copy(make_book, rules):
    """The same person (name and birth year) with the same summary in two files, or twice in one file,
    is a correction or a repeat (DN-TRUNG, DN-TRUNG-KY), not a copy."""
    first = make_book([person(1, RESCUE), person(2, BLOOD)], name="lan1.xlsx")
    again = make_book([person(1, RESCUE), person(1, RESCUE), person(3, WALLET)], name="lan2.xlsx")
    report = check_many([first, again], rules, as_of=AS_OF)
    assert copies_of(report.findings) == []
    assert ("K6", "DN-TRUNG") not in report.flatten(("cell", "rule_id"))  # DN-TRUNG reports on the name
    assert ("B6", "DN-TRUNG") in report.flatten(("cell", "rule_id"))


def test_below_threshold_and_short_texts_are_not_copies(make_book, rules):
    """The same deed told in other words (score under 90) is no copy, nor two identical short texts
    (under min_length: a filler, for DN-TOMTAT)."""
    path = make_book([person(1, RESCUE), person(2, RESCUE_RETOLD), person(3, "Cứu người."),
                      person(4, "Cứu người.")])
    assert copies_of(check_many([path], rules, as_of=AS_OF).findings) == []


def test_same_findings_in_the_same_order(make_book, rules):
    """Two runs over the same files give the same copy findings, in file and row order."""
    a = make_book([person(1, RESCUE), person(2, WALLET)], name="a.xlsx")
    b = make_book([person(3, WALLET), person(4, RESCUE_19H), person(5, RESCUE)], name="b.xlsx")
    runs = [copies_of(check_many([a, b], rules, as_of=AS_OF).findings) for _ in range(2)]
    assert runs[0] == runs[1]
    assert [(f, c) for f, _, c, _, _ in runs[0]] == [("a.xlsx", "K5"), ("a.xlsx", "K6"), ("b.xlsx", "K5"),
                                                     ("b.xlsx", "K6"), ("b.xlsx", "K7")]
    # Each names its most similar copy: a.xlsx K5 (RESCUE) names b.xlsx K7, the exact one.
    assert runs[0][0][4] == message("K5", 100, where(b, 7))


# -- the comparison itself ---------------------------------------------------------------------------


def test_find_copies_names_the_most_similar_then_the_first():
    """Exact copies of another person win over near ones; the same person's rows never pair."""
    texts = ["aaaa bbbb cccc dddd", "aaaa bbbb cccc dddx", "aaaa bbbb cccc dddd", "aaaa bbbb cccc dddd", "zz"]
    persons = ["p1", "p2", "p1", "p3", "p4"]
    mates = find_copies(texts, persons, [10, 11, 12, 13, 14], threshold=90)
    assert mates == {10: (13, 100), 11: (10, 95), 12: (13, 100), 13: (10, 100)}


def test_lsh_and_all_pairs_find_the_same_pairs(monkeypatch):
    """Above ALL_PAIRS_UP_TO distinct texts the MinHash LSH path proposes the pairs: it finds the same
    near-copies as scoring every pair."""
    words = [f"tu{i}" for i in range(400)]
    texts = [" ".join(words[(k * 7 + j) % 400] for j in range(30)) for k in range(60)]
    texts += [t.replace(t.split()[5], "khac") for t in texts[:20]]  # 20 near-copies, one word changed
    expected = near_pairs(texts, 90)
    monkeypatch.setattr(copy_kinds, "ALL_PAIRS_UP_TO", 10)
    assert near_pairs(texts, 90) == expected
    assert sum(len(v) for v in expected.values()) >= 40


def test_with_the_workbooks_the_message_names_file_sheet_cell_and_unit(make_book, rules):
    """Given the workbooks, the other copy is named by its file (as the batch names it), sheet, cell and unit."""
    cheo = make_book([person(1, RESCUE)], name="cheo.xlsx", unit="CHEO")
    kich = make_book([person(2, RESCUE_19H)], name="kich.xlsx", unit="KICH")
    validation = validate_files([cheo, kich], rules, as_of=AS_OF)
    frame = validation.frames.tables["nominations"]
    ctx = Context(rules, rules.list_values, lambda key: None, lambda name: [], books=validation.books)
    rule = rules.rule(RULE)
    check = rule.checks[0]
    mask = failing(ctx, frame, check, "summary")
    failures = pd.DataFrame({"index": list(frame.index[mask]), "column": "summary", "check": f"{RULE}#0"})
    details = [extra for _, _, _, _, extra, _ in render_failures(ctx, frame, failures, [rule])]
    assert details == [
        {"other_file": str(kich), "other_sheet": SHEET, "other_cell": "ô K5", "other_unit": " của Nhà hát Kịch Hà Nội",
         "similarity": 99},
        {"other_file": str(cheo), "other_sheet": SHEET, "other_cell": "ô K5",
         "other_unit": " của Nhà hát Chèo Hà Nội", "similarity": 99},
    ]


@pytest.mark.parametrize("threshold, expected", [(99, [10, 11]), (100, [])])
def test_threshold_is_the_rules_setting(threshold, expected):
    """The threshold decides: a 99-score near-copy at 99, none at 100 (only exact copies)."""
    texts = [copy_kinds.ascii_key(RESCUE), copy_kinds.ascii_key(RESCUE_19H)]
    assert sorted(find_copies(texts, ["a", "b"], [10, 11], threshold)) == expected


def test_lsh_finds_near_copies_among_texts_sharing_a_stock_phrase(monkeypatch):
    """Every text carries the same stock phrase (dropped from the signatures, or every text would be a
    candidate of every other): the LSH path still finds exactly the near-copies all-pairs scoring finds."""
    stock = "luon hoan thanh tot nhiem vu duoc giao va gương mau chap hanh"
    rng = random.Random(7)
    words = [f"tu{i}" for i in range(500)]
    texts = [f"{stock} " + " ".join(rng.choice(words) for _ in range(25)) for _ in range(80)]
    texts += [t.replace(t.split()[15], "khac") for t in texts[:10]]  # 10 near-copies, one word changed
    expected = near_pairs(texts, 90)
    monkeypatch.setattr(copy_kinds, "ALL_PAIRS_UP_TO", 10)
    monkeypatch.setattr(copy_kinds, "COMMON_AT_LEAST", 5)  # so the phrase counts as common in 90 texts
    assert near_pairs(texts, 90) == expected
    assert sum(len(v) for v in expected.values()) >= 20


def test_band_mates_are_the_pairs_equal_on_a_band():
    """_band_mates proposes exactly the pairs of texts whose signatures are equal on some whole band
    (checked pair by pair), near-copies, exact copies and a three-way group among them."""
    rng = random.Random(18)
    words = [f"w{i}" for i in range(60)]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(400)]
    texts += [t + " them" for t in texts[:150]] + [texts[0]] * 3  # near and exact copies
    signatures = copy_kinds._signatures(*copy_kinds._shingles(texts, copy_kinds._common_pairs(texts)), len(texts))
    bands = signatures.reshape(len(texts), copy_kinds.BANDS, copy_kinds.ROWS)
    expected = [(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))
                if (bands[i] == bands[j]).all(axis=1).any()]
    assert copy_kinds._band_mates(copy_kinds._bands(texts), len(texts)) == expected
    assert (0, len(texts) - 1) in expected and len(expected) > 150  # copies were proposed


def test_shingles_drop_stock_phrases_but_never_a_whole_text():
    """A word pair in more texts than the limit is left out, except from a text made only of such
    pairs; a one-word text is its word, an empty one the pair 0; each pair once per text."""
    texts = [f"x y u{i} v{i}" for i in range(30)] + ["x y", "solo", "", "p q p q"]
    owner, pairs = copy_kinds._shingles(texts, copy_kinds._common_pairs(texts))
    per_text = [pairs[owner == t].tolist() for t in range(len(texts))]
    assert [len(p) for p in per_text[:30]] == [2] * 30  # "x y" (in 31 texts, over 20) dropped: u-v, y-u left
    assert len(per_text[30]) == 1  # "x y" alone keeps its only pair
    assert len(per_text[31]) == 1 and per_text[32] == [0]
    assert len(per_text[33]) == 2  # p-q and q-p, each once
    assert owner.tolist() == sorted(owner.tolist())


def test_a_group_of_stock_texts_pairs_each_with_the_ones_before_it_only():
    """Texts made of the same stock phrase (one phrase said 1 to 60 times: the same word pairs) share
    every band: in a group past GROUP_ALL each text is paired with the GROUP_ALL texts before it, not
    with all of them (quadratic); in a group of GROUP_ALL, every pair."""
    phrase = " ".join(f"tu{w}" for w in range(12))
    texts = [" ".join([phrase] * k) for k in range(1, 61)]
    assert len(copy_kinds._common_pairs(texts)) == 12  # every pair is stock: each text keeps them all
    group = copy_kinds.GROUP_ALL
    assert copy_kinds._band_mates(copy_kinds._bands(texts), len(texts)) == \
        [(i, j) for i in range(len(texts)) for j in range(i + 1, min(i + group, len(texts) - 1) + 1)]
    assert copy_kinds._band_mates(copy_kinds._bands(texts[1:group + 1]), group) == \
        [(i, j) for i in range(group) for j in range(i + 1, group)]


def test_word_pairs_split_as_str_split_does():
    """Words at any ASCII white space; each text's pairs once, the same in any batch; a one-word
    text its word, an empty one 0."""
    owner, pairs = copy_kinds._word_pairs(["a  b\tc", "a b c a b", "", "mot", "x\ny"])
    by_text = [sorted(pairs[owner == t].tolist()) for t in range(5)]
    assert len(by_text[0]) == 2 and len(by_text[1]) == 3 and set(by_text[0]) < set(by_text[1])  # c-a too
    assert by_text[2] == [0] and len(by_text[3]) == 1 and len(by_text[4]) == 1
    assert sorted(copy_kinds._word_pairs(["a b c"])[1].tolist()) == by_text[0]
    assert owner.tolist() == sorted(owner.tolist())


def test_the_check_leaves_no_utf8_copy_inside_the_texts(make_book, rules):
    """Comparing the summaries must not make CPython keep a UTF-8 copy inside each one (pandas'
    factorize of texts does: 125 MB held at 10,000 files). sys.getsizeof counts that copy. From
    model.packed.PACK_FROM characters on a summary is held packed (bytes: nothing to keep), and
    compared packed; a shorter one is held as the text it was read as."""
    short = RESCUE[:90]
    assert len(short) < PACK_FROM <= min(len(RESCUE), len(WALLET))
    path = make_book([person(1, RESCUE), person(2, short), person(3, RESCUE), person(4, short), person(5, WALLET)],
                     name="a.xlsx")
    validation = validate_files([path], rules, as_of=AS_OF)
    assert {f.cell for f in validation.findings if f.rule_id == RULE} == {"K5", "K6", "K7", "K8"}  # the check ran
    held = validation.frames.tables["nominations"]["summary"].tolist()
    assert [type(s) for s in held] == [Packed, str, Packed, str, Packed]
    assert [unpacked(s) for s in held] == [RESCUE, short, RESCUE, short, WALLET]
    summaries = [s for s in held if isinstance(s, str)]
    for text in summaries:
        fresh = "".join(list(text))  # the same text, never encoded
        assert sys.getsizeof(text) == sys.getsizeof(fresh), text[:30]
    # What the test rests on: hashed by pandas, a text does grow (its UTF-8 copy is counted).
    hashed = ["".join(list(text)) for text in summaries]
    before = [sys.getsizeof(text) for text in hashed]
    pd.factorize(pd.Series(hashed))
    assert all(sys.getsizeof(text) > size for text, size in zip(hashed, before))


def test_the_copies_are_worked_out_once_per_validation(make_book, rules, monkeypatch):
    """The verdict and the rendering of the warnings share one computation of the copies (through
    the validation's Context.memo): a second one would cost seconds at city scale, unseen."""
    calls = []
    real = copy_kinds._copies
    monkeypatch.setattr(copy_kinds, "_copies", lambda *args: calls.append(1) or real(*args))
    path = make_book([person(1, RESCUE), person(2, BLOOD), person(3, RESCUE)], name="a.xlsx")
    report = check_many([path], rules, as_of=AS_OF)
    assert [f.cell for f in report.findings if f.rule_id == RULE] == ["K5", "K7"]
    assert len(calls) == 1
