"""The writing convention (README, "Cách viết"), as a test: every text people read keeps to it.

Scanned: (a) the string literals of checker/ that hold Vietnamese letters (docstrings excepted: they
are read by developers), (b) every text of the rules file but `quote:` (the plan's words, verbatim)
and `aliases:` (what units may write), its comments included, (c) the texts of a generated template
and of the samples' consolidated workbook, read back with openpyxl. Words inside “…” are quoted and
keep their own spelling. Offences: the old tone placement ("hoá", "uỷ", "khoẻ"), "hàng ngày/tháng/
năm" for "every", straight double quotes in Vietnamese text, "UTC+7", and internal keys (the units'
roles, field keys, rule kinds).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import unicodedata
from pathlib import Path

import openpyxl
import pytest
import yaml

from checker import consolidate
from checker.ruleset.kinds import KINDS
from checker.write.template import make_template

from .conftest import ROOT

PACKAGE = ROOT / "checker"
RULES_FILE = ROOT / "rules" / "kh327-2023.yaml"
AS_OF = dt.date(2023, 7, 25)

# Old tone placement on an open syllable ("hoá", "khoẻ", "thuỷ"; "hoàn", "quý" are right as they are).
OLD_TONE = re.compile(r"(?<![qQ])(?:[oO][áàảãạ]|[oO][éèẻẽẹ]|[uU][ýỳỷỹỵ])(?!\w)")
EVERY = re.compile(r"\bhàng (?:ngày|tháng|năm|tuần|quý)\b", re.IGNORECASE)
NESTED = re.compile(r"\([^()]*\([^()]*\)[^()]*\)")  # “(Mục V (Lưu ý))”
# Letters only Vietnamese uses among the texts here: a text with one of them is Vietnamese text.
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ]|[\u0300-\u0323]")
# Modules whose literals are the old forms on purpose: folding old and new spellings together.
FOLDING = {"checker/normalise/text.py", "checker/normalise/syllable.py", "checker/normalise/legacy.py"}


def is_vietnamese(text: str) -> bool:
    return bool(VIETNAMESE.search(unicodedata.normalize("NFD", text)))


def internal_keys(rules) -> set[str]:
    """Keys of the rules file and of the code that are names for programs, never words for people."""
    keys = {role for unit in rules.units for role in unit.roles}
    keys |= {f.key for s in rules.sheets for f in s.fields if "_" in f.key}
    keys |= {kind for kind in KINDS if "_" in kind}
    return keys


def unquoted(text: str) -> str:
    """`text` with the words inside “…” (which may nest, and run past a comment line) left out."""
    kept, depth = [], 0
    for char in text:
        if char == "“":
            depth += 1
            kept.append("“" if depth == 1 else "")
        elif char == "”":
            if depth == 0:  # the end of a quote begun on the line before
                kept = []
            depth = max(0, depth - 1)
            kept.append("”" if depth == 0 else "")
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def offences(text: str, keys: set[str]) -> list[str]:
    """What in `text` breaks the convention (quoted words “…” aside)."""
    text = unicodedata.normalize("NFC", text)
    own = unquoted(text)
    found = [f"old tone placement {m.group()!r}" for m in OLD_TONE.finditer(own)]
    found += [f"{m.group()!r} (write “hằng”)" for m in EVERY.finditer(own)]
    if '"' in own and is_vietnamese(own):
        found.append("straight double quote (write “…”)")
    if NESTED.search(own):
        found.append("brackets in brackets (write “Mục V, Lưu ý”)")
    if "UTC+7" in own:
        found.append("“UTC+7” (write “giờ Hà Nội”)")
    found += [f"internal key {k!r}" for k in sorted(keys) if re.search(rf"(?<![\w.]){re.escape(k)}(?!\w)", own)]
    return found


def code_literals(path: Path):
    """(line, text) of each string literal in a module, docstrings excepted; an f-string's parts joined."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    inside = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
              and id(node) not in inside):
            yield node.lineno, node.value


def rules_texts(node, where: str = ""):
    """(where, text) of every string of the rules file but the plan's quotes and the units' aliases."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("quote", "aliases"):
                yield from rules_texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from rules_texts(value, f"{where}[{n}]")
    elif isinstance(node, str):
        yield where, node


def plan_quotes(rules) -> set[str]:
    """The rules' `quote:` texts: a sheet may show them as they are (the "Trích kế hoạch" column)."""
    return {unicodedata.normalize("NFC", rule.quote) for rule in rules.rules if rule.quote}


def workbook_texts(path: Path, quotes: set[str]):
    """(where, text) of a workbook's texts people read: not its program's own sheet ("_ntvt")."""
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        if ws.title.startswith("_"):
            continue
        yield f"{path.name}:{ws.title}", ws.title
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and unicodedata.normalize("NFC", cell.value) not in quotes:
                    yield f"{path.name}:{ws.title}!{cell.coordinate}", cell.value
        for dv in ws.data_validations.dataValidation:
            for text in (dv.prompt, dv.promptTitle, dv.error, dv.errorTitle, dv.formula1):
                if text:
                    yield f"{path.name}:{ws.title} validation {dv.sqref}", text


def report(found: list[str]) -> str:
    return f"{len(found)} texts break the writing convention (README, “Cách viết”):\n" + "\n".join(found)


@pytest.fixture(scope="module")
def keys(rules):
    return internal_keys(rules)


def test_the_scan_finds_each_kind_of_offence(keys):
    """A planted text with every offence is caught, each once; the same words quoted pass."""
    planted = 'Sở Văn hoá: nộp "hàng tháng" lúc 17:00 UTC+7 (vai trò: tuyen_truyen), uỷ quyền, khoẻ (Mục V (Lưu ý))'
    assert offences(planted, keys) == [
        "old tone placement 'oá'", "old tone placement 'uỷ'", "old tone placement 'oẻ'",
        "'hàng tháng' (write “hằng”)", "straight double quote (write “…”)",
        "brackets in brackets (write “Mục V, Lưu ý”)", "“UTC+7” (write “giờ Hà Nội”)",
        "internal key 'tuyen_truyen'"]
    assert offences("Kế hoạch ghi “văn hoá công sở” và “hàng ngày”; Toàn quốc, quý, hoàn thành, khỏe", keys) == []


def test_code_strings_keep_the_convention(keys):
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in FOLDING:
            continue
        for line, text in code_literals(path):
            if is_vietnamese(text):
                found += [f"{name}:{line}: {o}: {text[:80]!r}" for o in offences(text, keys)]
    assert not found, report(found)


def test_rules_file_keeps_the_convention(keys):
    raw = RULES_FILE.read_text(encoding="utf-8")
    # A key's value is a key (ASCII); the texts for people are the Vietnamese ones. Comments speak to
    # whoever edits the file, in its keys: they keep the rest of the convention.
    found = [f"rules{where}: {o}: {text[:80]!r}" for where, text in rules_texts(yaml.safe_load(raw))
             if is_vietnamese(text) for o in offences(text, keys)]
    for n, line in enumerate(raw.splitlines(), start=1):
        if "#" in line and is_vietnamese(line.split("#", 1)[1]):
            found += [f"{RULES_FILE.name}:{n}: comment: {o}" for o in offences(line.split("#", 1)[1], set())]
    assert not found, report(found)


def test_template_keeps_the_convention(rules, keys, tmp_path):
    target = tmp_path / "mau.xlsx"
    make_template(rules, target, as_of=AS_OF)
    found = [f"{where}: {o}: {text[:80]!r}" for where, text in workbook_texts(target, plan_quotes(rules)) for o in offences(text, keys)]
    assert not found, report(found)


def test_consolidated_workbook_keeps_the_convention(rules, keys, tmp_path):
    """The office's workbook: its own words (the units' cells it copies are theirs, see UNIT_SHEETS)."""
    target = tmp_path / "tong-hop.xlsx"
    consolidate(ROOT / "sample_workbooks", target, rules, as_of=AS_OF)
    found = [f"{where}: {o}: {text[:80]!r}" for where, text in workbook_texts(target, plan_quotes(rules)) for o in offences(text, keys)]
    assert not found, report(found)


def test_dropdowns_show_the_corrected_wording(rules, tmp_path):
    """The template's movements list shows “chung tay … - Không …”; the plan's “chung ta … nghèo. không”
    is an alias (accepted, tests/validate/test_pipeline.py), not a choice."""
    target = tmp_path / "mau.xlsx"
    make_template(rules, target, as_of=AS_OF)
    values = {c.value for row in openpyxl.load_workbook(target)["Danh mục"].iter_rows() for c in row}
    assert "Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau" in values
    assert "Cả nước chung ta vì người nghèo. không để ai bị bỏ lại phía sau" not in values
    assert "Việc làm tốt trong cuộc sống hằng ngày" in values
