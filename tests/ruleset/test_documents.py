"""The rules file's `documents:` block (ruleset/documents.py): parsed into its frozen model, every text
with placeholders the writer fills, and each malformed block refused with its place and, in
Vietnamese, what to do; a rules file without the block loads with documents None."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from checker.model.errors import RuleFileError
from checker.ruleset.documents import FIGURES
from checker.ruleset.loader import load_rules

from ..conftest import PLAN_TEXT, ROOT

RULES_FILE = ROOT / "rules" / "kh327-2023.yaml"


def _changed(tmp_path: Path, old: str, new: str) -> Path:
    text = RULES_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "r.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_the_bundled_block(rules):
    d = rules.documents
    assert d.issuer == ("UBND THÀNH PHỐ HÀ NỘI", "SỞ VĂN HÓA VÀ THỂ THAO")
    assert d.signer == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    assert (d.proposal.number, d.proposal.kind, d.report.number, d.report.kind) == (
        "Số: ……/TTr-SVHTT", "TỜ TRÌNH", "Số: ……/BC-SVHTT", "BÁO CÁO")
    assert d.proposal.recipient == "Kính gửi: Ủy ban nhân dân Thành phố Hà Nội (qua Ban Thi đua - Khen thưởng Thành phố)."
    assert d.appendix_columns == ("STT", "Họ và tên", "Chức vụ và đơn vị", "Tóm tắt thành tích")
    assert [s.heading for s in d.sections] == ["I. ĐẶC ĐIỂM TÌNH HÌNH", "II. KẾT QUẢ TRIỂN KHAI THỰC HIỆN",
                                               "III. ĐÁNH GIÁ CHUNG", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
                                               "V. ĐỀ XUẤT, KIẾN NGHỊ"]
    assert [f.figure for f in d.sections[1].figures] == list(FIGURES)
    shown = {f.figure: f for f in d.sections[1].figures}
    assert shown["anniversary"].activity_type == "Kỷ niệm 75 năm Lời kêu gọi thi đua ái quốc"
    assert (shown["role_articles"].role, shown["role_articles"].column) == ("tuyen_truyen", "articles")
    assert dataclasses.is_dataclass(d) and d.__dataclass_params__.frozen


def test_the_quote_is_the_plans_own_words(rules):
    plan = " ".join(PLAN_TEXT.read_text(encoding="utf-8").split())
    assert rules.documents.quote in plan
    assert "để xem xét, giới thiệu Thành phố khen thưởng" in rules.documents.quote


def test_without_the_block_documents_is_none(tmp_path):
    text = RULES_FILE.read_text(encoding="utf-8")
    start, end = text.index("\ndocuments:"), text.index("\n# Đối chiếu tên đơn vị")
    (tmp_path / "r.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    assert load_rules(tmp_path / "r.yaml").documents is None


@pytest.mark.parametrize("old, new, where, said", [
    ("          - figure: by_level\n", "          - figure: by_colour\n", r"figures\[2\]\.figure",
     "không có số liệu “by_colour”"),
    ('            columns: ["STT", "Cấp đề nghị", "Số gương"]\n', '            columns: ["STT", "Cấp đề nghị"]\n',
     r"figures\[2\]\.columns", "cần là một danh sách đúng 3 dòng chữ"),
    ("tổng cộng {total} gương:", "tổng cộng {tong} gương:", r"figures\[1\]\.text",
     "không dùng được chỗ trống {tong} ở đây"),
    ('            activity_type: "Kỷ niệm 75 năm Lời kêu gọi thi đua ái quốc"\n',
     '            activity_type: "Kỷ niệm 80 năm"\n', r"activity_type", "không thuộc danh mục loại hoạt động"),
    ("            role: tuyen_truyen\n", "            role: bao_chi\n", r"\.role", "không đơn vị nào"),
    ("            column: articles\n", "            column: so_bai\n", r"\.column", "không có cột “so_bai”"),
    ('  signer: ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]\n', "  signer: []\n", r"documents\.signer", "ít nhất một"),
    ('    kind: "TỜ TRÌNH"\n', '    kind: "TỜ TRÌNH"\n    colour: red\n', r"documents\.proposal", "không có khóa “colour”"),
    ("{issuer} kính trình", "{issuer!r} kính trình", r"proposal\.body\[2\]", "không dùng được chỗ trống"),
])
def test_a_malformed_block_is_refused_with_its_place(tmp_path, old, new, where, said):
    path = _changed(tmp_path, old, new)
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    assert re.search(where, caught.value.where), caught.value.where
    assert said in caught.value.said, caught.value.said
    assert caught.value.line is not None
