"""The plan section's optional office_email (checker/ruleset/build_plan.py): the From of `ntvt send`."""

from __future__ import annotations

import pytest

from checker.model.errors import RuleFileError
from checker.ruleset.loader import load_rules

from ..conftest import ROOT

RULES_FILE = ROOT / "rules" / "kh327-2023.yaml"
AFTER = "  short_name: NTVT\n"


def _with(tmp_path, line: str):
    text = RULES_FILE.read_text(encoding="utf-8")
    assert text.count(AFTER) == 1
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(AFTER, AFTER + line), encoding="utf-8")
    return path


def test_office_email_is_optional_and_read(tmp_path):
    """Without the key there is no office address; with it, the address as typed (domain lower-cased)."""
    assert load_rules(RULES_FILE).plan.office_email is None
    rules = load_rules(_with(tmp_path, "  office_email: VanPhong@SoVHTT.Example.VN\n"))
    assert rules.plan.office_email == "VanPhong@sovhtt.example.vn"


def test_a_malformed_office_email_is_refused_in_words(tmp_path):
    """An office_email that is not one address refuses the rules file, saying where and what to write."""
    path = _with(tmp_path, "  office_email: van phong@sovhtt\n")
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    line = RULES_FILE.read_text(encoding="utf-8").splitlines().index(AFTER.rstrip("\n")) + 2
    assert caught.value.message == (f"Tệp quy tắc {path}, dòng {line}: “office_email” của kế hoạch không phải một địa "
                                    "chỉ thư điện tử (“van phong@sovhtt”). Hãy ghi địa chỉ thư của văn phòng, dạng "
                                    "vanphong@coquan.gov.vn, hoặc bỏ dòng “office_email”.")
