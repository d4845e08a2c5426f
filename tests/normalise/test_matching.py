"""Tests for checker.normalise.matching: unit names as offices write them, against the bundled KH 327 units."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from checker.api import check_many
from checker.normalise.matching import UnitIndex
from checker.ruleset.spec import UnitMatching

CHEO, KICH, CAILUONG = "Nhà hát Chèo Hà Nội", "Nhà hát Kịch Hà Nội", "Nhà hát Cải lương Hà Nội"
QLVH, QLDS = "Phòng Quản lý Văn hóa", "Phòng Quản lý Di sản văn hóa"

# (written, accepted unit id or None, suggestions when not accepted)
VARIANTS = [
    # exact keys: diacritics, case, spaces, punctuation, abbreviations and the Hà Nội suffix do not matter
    ("Nhà hát Chèo Hà Nội", "CHEO", []),
    ("CHEO", "CHEO", []),  # the unit id
    ("Nha hat Cheo Ha Noi", "CHEO", []),
    ("NHÀ HÁT CHÈO HÀ NỘI", "CHEO", []),
    ("  nhà   hát  chèo   hà nội ", "CHEO", []),
    ("Nhà hat Chéo Hà Nội", "CHEO", []),  # a wrong tone mark
    ("NH Cheo HN", "CHEO", []),
    ("Nhà hát Chèo TP Hà Nội", "CHEO", []),
    ("Nhà hát Chèo - Hà Nội", "CHEO", []),
    ("Nhà hát Chèo thành phố Hà Nội", "CHEO", []),
    ("NH Kịch HN", "KICH", []),
    ("Nhà hát Cải Lương", "CAILUONG", []),
    ("TT Văn hóa HN", "TTVH", []),
    ("BQL Di tích danh thắng HN", "DTDT", []),
    ("P. Quản lý Văn hóa", "QLVH", []),
    ("P.QLVH", "QLVH", []),
    ("Phòng QL Văn hoá", "QLVH", []),
    ("Phòng Kế hoạch-Tài chính", "KHTC", []),
    ("Phòng KHTC", "KHTC", []),
    ("Văn phòng Sở VHTT", "VP", []),
    ("Thanh tra Sở VHTT Hà Nội", "TTRA", []),
    ("Bảo tàng", "BTHN", []),
    # close but not equal, and clearly one unit: accepted
    ("Nhà hát Chèoo", "CHEO", []),  # a doubled letter
    ("BQL Di tích Hỏa Lò", "HOALO", []),
    ("Phòng Di sản", "QLDS", []),
    ("Nhà hát Ca múa nhạc", "CMNTL", []),
    ("Trung tâm Huấn luyện TDTT", "HLTD", []),
    ("Trường năng khiếu TDTT", "PTNK", []),
    # too short to be sure: not accepted, the unit it most likely means suggested
    ("Chèo Hà Nội", None, [CHEO]),
    ("Xiếc Hà Nội", None, ["Nhà hát Xiếc và Tạp kỹ Hà Nội"]),
    ("Múa rối", None, ["Nhà hát Múa rối Thăng Long"]),
    ("Trung tâm Thông tin", None, ["Trung tâm Thông tin Triển lãm Hà Nội"]),
    ("Phòng Nếp sống", None, ["Phòng Xây dựng nếp sống văn hóa và gia đình"]),
    # ambiguous between two units: not accepted, both suggested, the likelier first
    ("Phòng Văn hóa", None, [QLVH, QLDS]),
    ("Phòng VH", None, [QLVH, QLDS]),
    # another city's or the nation's unit: never matched, and no Hà Nội unit suggested for it
    ("Nhà hát Chèo Hải Phòng", None, []),
    ("Nhà hát Chèo Hà Nam", None, []),
    ("Sở Văn hóa và Thể thao Hải Phòng", None, []),
    ("Trung tâm Văn hóa Hải Phòng", None, []),
    ("Nhà hát Kịch Việt Nam", None, []),
    ("Thư viện Quốc gia", None, []),
    ("Bảo tàng Hồ Chí Minh", None, []),
    ("Nhà hát Tuổi trẻ", None, []),
    # nonsense: nothing close
    ("xyz abc", None, []),
    ("-", None, []),
]


@pytest.fixture(scope="module")
def index(rules):
    return UnitIndex(rules)


@pytest.mark.parametrize("written, unit_id, suggestions", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_variant(index, written, unit_id, suggestions):
    """Each way of writing a unit name is accepted as exactly that unit, or refused with exactly these suggestions."""
    unit = index.match(written)
    assert (unit.id if unit else None) == unit_id
    assert index.suggest(written) == suggestions


def test_table_is_large_enough():
    """The table holds at least 30 variants, both accepted and refused ones."""
    assert len(VARIANTS) >= 30
    assert {v[1] is None for v in VARIANTS} == {True, False}


def test_never_more_than_two_suggestions(index):
    """A name close to many units gets only the two closest."""
    assert len(index.suggest("Nhà hát")) <= 2
    assert len(index.suggest("Phòng")) <= 2


def test_a_different_place_counts_against(index):
    """The same name with another city in it scores well below the Hà Nội one, which drops its suffix."""
    [(score_hn, unit)] = index.ranked(index.key("Nhà hát Chèo Hà Nội"))[:1]
    [(score_hp, same)] = index.ranked(index.key("Nhà hát Chèo Hải Phòng"))[:1]
    assert unit.id == same.id == "CHEO"
    assert score_hn == 1.0 and score_hp < index.settings.suggest_score


def test_answers_are_cached(index):
    """A name written again is answered from the cache, with the same result."""
    first = index.suggest("Phòng Văn hóa")
    assert "Phòng Văn hóa" in index.cache
    assert index.suggest("Phòng Văn hóa") is first


def test_thresholds_come_from_the_rules(rules):
    """With a lower acceptance score and no margin, the rules file's settings decide: "Chèo Hà Nội" is accepted."""
    lenient = dataclasses.replace(rules, unit_matching=UnitMatching(accept_score=0.8, margin=0.0))
    assert UnitIndex(lenient).match("Chèo Hà Nội").id == "CHEO"
    assert UnitIndex(rules).match("Chèo Hà Nội") is None


def test_deterministic(rules):
    """Two indexes built from the same rules give the same answers, in the same order."""
    names = [v[0] for v in VARIANTS]
    a, b = UnitIndex(rules), UnitIndex(rules)
    assert [(a.match(n), a.suggest(n)) for n in names] == [(b.match(n), b.suggest(n)) for n in names]


# ---------------------------------------------------------------------------------------------
# End to end: a genuine workbook, read back and checked

AS_OF = dt.date(2023, 5, 20)


def test_other_city_unit_is_refused_without_a_wrong_suggestion(make_book, rules):
    """“Nhà hát Chèo Hải Phòng” in B3 is a DV-DONVI error at that cell, suggesting no Hà Nội unit."""
    report = check_many([make_book(info={"unit": "Nhà hát Chèo Hải Phòng"})], rules, as_of=AS_OF)
    [finding] = [f for f in report.findings if f.rule_id == "DV-DONVI"]
    assert (finding.sheet, finding.cell, finding.severity.value) == ("Thông tin đơn vị", "B3", "error")
    assert finding.message == ("Ô B3 – “Tên đơn vị” phải là tên một đơn vị thuộc Sở (nhận được “Nhà hát Chèo "
                               "Hải Phòng”). Đề nghị ghi đúng tên đơn vị trong danh sách thả xuống. (Căn cứ: Mục IV.4, Kế hoạch số 327/KH-SVHTT.)")
    assert report.files[0].unit_id is None


def test_ambiguous_name_names_both_candidates(make_book, rules):
    """“Phòng VH” is refused and the message asks about the two likeliest units, joined by “hoặc”."""
    report = check_many([make_book(info={"unit": "Phòng VH"}, unit="QLVH")], rules, as_of=AS_OF)
    [finding] = [f for f in report.findings if f.rule_id == "DV-DONVI"]
    assert finding.cell == "B3"
    assert finding.message == ("Ô B3 – “Tên đơn vị” phải là tên một đơn vị thuộc Sở (nhận được “Phòng VH”); có "
                               "phải “Phòng Quản lý Văn hóa” hoặc “Phòng Quản lý Di sản văn hóa” không? Đề nghị ghi đúng tên đơn vị trong danh sách thả xuống. "
                               "(Căn cứ: Mục IV.4, Kế hoạch số 327/KH-SVHTT.)")


def test_abbreviated_name_is_accepted_with_a_note(make_book, rules):
    """“NH Cheo HN” is Nhà hát Chèo Hà Nội: no error, one info note saying how it was understood."""
    report = check_many([make_book(info={"unit": "NH Cheo HN"})], rules, as_of=AS_OF)
    assert report.files[0].unit_id == "CHEO"
    assert [(f.sheet, f.cell, f.rule_id, f.severity.value, f.message) for f in report.findings] == [
        ("Thông tin đơn vị", "B3", "DL-CHUANHOA", "info",
         "Ô B3 – “Tên đơn vị”: đã hiểu “NH Cheo HN” là “Nhà hát Chèo Hà Nội”; lần sau đề nghị chọn giá trị trong "
         "danh sách thả xuống. "
         "(Căn cứ: mẫu biểu chuẩn do Văn phòng Sở phát hành.)"),
    ]
