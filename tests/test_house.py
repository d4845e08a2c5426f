"""The house rules, as tests: sizes, imports, no plan facts in code, a true module table, no stale
references. Each failure names the file and line of every offence at once.

Fast: the source is parsed (ast, tokenize), never imported; the plan facts come from rules/*.yaml.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import re
import tokenize
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checker"
MAX_MODULE_LINES, MAX_CLASS_LINES = 400, 200


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@lru_cache(maxsize=None)
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def report(offences: list[str], what: str) -> str:
    return f"{len(offences)} {what}:\n" + "\n".join(offences)


# -- sizes ------------------------------------------------------------------------------------------


def test_modules_and_classes_are_small():
    """Every module of checker/ is at most 400 lines and every class at most 200."""
    offences = []
    for path in sources():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offences.append(f"{rel(path)}:1: module of {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.ClassDef):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    offences.append(f"{rel(path)}:{node.lineno}: class {node.name} of {size} lines "
                                    f"(at most {MAX_CLASS_LINES})")
    assert not offences, report(offences, "modules or classes too long")


# -- imports ----------------------------------------------------------------------------------------

# A lazy import must say why on its own line, e.g. "# lazy: start-up cost (openpyxl, ~20 MiB)".
LAZY_REASON = re.compile(r"#.*\b(lazy|lazily|start-?up)\b", re.IGNORECASE)


def function_imports(tree: ast.Module):
    """Import statements inside a function body (at any depth), with the function."""
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(func):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield func, node


def test_no_import_hidden_in_a_function():
    """An import inside a function is allowed only with a comment on its line saying why it is lazy."""
    offences = set()
    for path in sources():
        lines = path.read_text(encoding="utf-8").splitlines()
        for func, node in function_imports(parsed(path)):
            statement = lines[node.lineno - 1:node.end_lineno]
            if not any(LAZY_REASON.search(line) for line in statement):
                offences.add(f"{rel(path)}:{node.lineno}: import inside {func.name}() without a comment "
                             f"saying why it is lazy: {lines[node.lineno - 1].strip()}")
    assert not offences, report(sorted(offences), "imports hidden in functions")


def imported_modules(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node, node.module


def test_only_the_cli_imports_click():
    """No module of checker/ outside checker/cli/ imports click."""
    offences = [f"{rel(path)}:{node.lineno}: imports {name}"
                for path in sources() if PACKAGE / "cli" not in path.parents
                for node, name in imported_modules(parsed(path))
                if name == "click" or name.startswith("click.")]
    assert not offences, report(offences, "imports of click outside checker/cli/")


# -- plan facts -------------------------------------------------------------------------------------


def _rules_files() -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "rules").glob("*.yaml"))]


def _list_words(items) -> set[str]:
    words = set()
    for item in items:
        if isinstance(item, dict):
            words.add(item["value"])
            words.update(item.get("aliases", []))
        else:
            words.add(item)
    return words


# Keys of the rules file whose values are words of its language, not facts of the plan.
LANGUAGE_KEYS = ("kind", "type", "role", "level", "severity")


def _language(value) -> set[str]:
    """The rules file's own vocabulary anywhere in a document: every mapping key (name, kind, level…)
    and the words it gives as a kind, type, role, level or severity (date, unit, guide, summary…)."""
    if isinstance(value, dict):
        words = set(value) | {v for k, v in value.items() if k in LANGUAGE_KEYS and isinstance(v, str)}
        return words.union(*map(_language, value.values()))
    if isinstance(value, list):
        return set().union(*map(_language, value)) if value else set()
    return set()


@lru_cache(maxsize=None)
def plan_facts() -> dict[str, frozenset[str]]:
    """What the bundled rules files say that code must not repeat, by kind of fact.

    "phrase": searched inside every string (the plan number, its id, the movement, office, place,
    short name, rule ids); "value": a whole string equal to one (sheet names, field labels, unit
    names, aliases and ids, list values); "key": sheet and field keys that are not also words of
    the rules language, looked for where code uses a string as a key (subscripts, .get(),
    comparisons), since many are also English words; "language": the keys that are such words.
    """
    phrase, value, key, language = set(), set(), set(), set()
    for doc in _rules_files():
        plan = doc["plan"]
        phrase.update(str(plan[k]) for k in ("id", "number", "movement", "office", "place", "short_name") if k in plan)
        value.update(str(plan[k]) for k in ("title", "issuer") if k in plan)
        phrase.update(rule["id"] for rule in doc["rules"])
        for unit in doc["units"]:
            value.update([unit["id"], unit["name"], *unit.get("aliases", [])])
        for items in doc["lists"].values():
            value.update(_list_words(items))
        for sheet in doc["sheets"]:
            value.add(sheet["name"])
            key.add(sheet["key"])
            for spec in sheet.get("fields", []) + sheet.get("columns", []):
                value.add(spec["label"])
                key.add(spec["key"])
        # Under rules:, only the words given as a kind or level count (a check's `counts:` maps
        # the summary sheet's keys, which are plan facts).
        language |= _language({k: v for k, v in doc.items() if k != "rules"})
        language |= _language([{k: v for k, v in check.items() if k in LANGUAGE_KEYS}
                               for rule in doc["rules"] for check in [rule, *rule.get("checks", [])]])
    # A key that is also a word of the rules language (the bundled file names most role-bearing
    # columns by their role: `key: sent_date, role: sent_date`) cannot be told from the code's
    # vocabulary by its spelling: test_plan_facts_are_read_from_the_rules_file names them.
    return {"phrase": frozenset(phrase), "value": frozenset(value), "key": frozenset(key - language),
            "language": frozenset(key & language)}


def docstring_nodes(tree: ast.Module) -> set[int]:
    """The ids of the Constant nodes that are docstrings (module, class, function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def key_uses(tree: ast.Module):
    """String constants used as a key: x["k"], x.get("k"), == "k", != "k", in ("k", …)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            yield node.slice
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and isinstance(node.args[0], ast.Constant):
            yield node.args[0]
        elif isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators):
                # `entry.kind == "email"` compares a code attribute with the code's own words; a
                # comparison with a key (`spec.key == "stt"`) or a plain name is what we look for.
                if isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) and not _code_attribute(node.left):
                    for side in (node.left, right):
                        if isinstance(side, ast.Constant):
                            yield side
                        elif isinstance(side, (ast.Tuple, ast.List, ast.Set)):
                            yield from (e for e in side.elts if isinstance(e, ast.Constant))


def _code_attribute(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr != "key"


def _phrase_pattern(phrases) -> re.Pattern:
    # Whole words only: the program's own name in NTVT_RULES is not the plan's short name "NTVT".
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


# ntvt's own words that happen to equal a label, sheet name or list value of the bundled rules file:
# the outputs' column headers ("STT", "Nội dung"), the manifest's "other" kind ("Khác") and the
# period shown for a summary report ("Tổng kết"). Named here one by one, so a new one is a decision.
OUTPUT_WORDS = {"STT", "Nội dung", "Khác", "Tổng kết"}
# Keys of ntvt's own tables that share a name with a rules-file key: the status tables' receipt
# evidence column (decide/statuses.py), not the nominations' "evidence" field.
OWN_KEYS = {"evidence"}


def test_no_plan_fact_in_code():
    """No rule id, sheet name or key, field label or key, unit, list value or plan word as a string in checker/.

    Keys are looked for only where code uses a string as a key; see plan_facts for the keys that
    are also words of the rules language.
    """
    facts = plan_facts()
    phrases = _phrase_pattern(facts["phrase"])
    offences = []
    for path in sources():
        tree = parsed(path)
        docstrings = docstring_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                text = node.value
                if text in facts["value"] and text not in OUTPUT_WORDS:
                    offences.append(f"{rel(path)}:{node.lineno}: plan value {text!r}")
                for match in phrases.finditer(text):
                    offences.append(f"{rel(path)}:{node.lineno}: plan word {match.group()!r} in {text!r}")
        for node in key_uses(tree):
            text = node.value
            if text in facts["key"] and text not in OWN_KEYS:
                offences.append(f"{rel(path)}:{node.lineno}: sheet or field key {text!r} used as a key "
                                f"(ask RuleSet.sheet_key/field_key for a role)")
    assert not offences, report(sorted(set(offences), key=_by_place), "plan facts in checker/")


def _by_place(offence: str):
    path, line, _ = offence.split(":", 2)
    return path, int(line), offence


def test_plan_facts_are_read_from_the_rules_file():
    """The plan-fact test is not vacuous: it knows the bundled file's rule ids, labels, units and keys."""
    facts = plan_facts()
    assert {"DV-MAU", "NTVT", "Hà Nội", "Văn phòng Sở", "Người tốt, việc tốt", "327/KH-SVHTT"} <= facts["phrase"]
    assert {"Danh sách đề nghị", "Ngày gửi", "Nhà hát Chèo Hà Nội", "CHEO", "Cá nhân"} <= facts["value"]
    assert {"stt", "deed_date", "criterion_1", "highlights"} <= facts["key"]
    # The keys the test cannot police, because the rules language uses the same word (a role, a
    # type, a sheet kind, a schema key): a new one here is a decision, not an accident.
    assert facts["language"] == {"activities", "birth_year", "date", "gender", "guide", "info", "kind", "level",
                                 "movement", "name", "nominations", "period", "position", "report_type", "scope",
                                 "sent_date", "summary", "type", "unit"}
    assert _phrase_pattern(["NTVT"]).search("NTVT_RULES") is None
    assert _phrase_pattern(["DN-TRUNG"]).search("DN-TRUNG-KY") is None


# -- the README's module table ----------------------------------------------------------------------


def _module_table_script():
    spec = importlib.util.spec_from_file_location("module_table", ROOT / "scripts" / "module_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def readme_module_rows() -> list[tuple[int, str]]:
    """(line, path) of each row of the README's module table (the table headed "| module |")."""
    rows, inside = [], False
    for number, line in enumerate((ROOT / "README.md").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("| module |"):
            inside = True
        elif inside and not line.startswith("|"):
            break
        elif inside and not line.startswith("|---"):
            rows.append((number, line.split("|")[1].strip().strip("`")))
    return rows


def test_readme_module_table_matches_the_tree():
    """The README's module table lists each module of checker/ (but __init__/__main__) once, by its path."""
    script = _module_table_script()
    tree = {p.relative_to(ROOT).as_posix() for p in script.modules()}
    rows = readme_module_rows()
    listed = [path for _, path in rows]
    offences = [f"README.md:{line}: {path} is not a module of the tree" for line, path in rows if path not in tree]
    offences += [f"README.md:{line}: {path} listed twice" for line, path in rows if listed.count(path) > 1]
    offences += [f"README.md: {path} is missing from the module table" for path in sorted(tree - set(listed))]
    assert rows and not offences, (report(offences, "differences between the README's module table and the tree")
                                   + "\n\nThe table from the tree (python scripts/module_table.py):\n"
                                   + script.table())


# -- stale references -------------------------------------------------------------------------------

# Documents the repository does not hold: a reference to them can only be stale.
ABSENT_DOCUMENT = re.compile(r"\bSPEC\s*§|\bSPEC\.md\b|\bdomain\.md\b")
# A path inside the repository: it starts with one of its top-level folders.
TOP_LEVEL = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in (".git",) and
                   not p.name.endswith(".egg-info") and not p.name.startswith("__"))
REPO_PATH = re.compile(r"(?<![\w./-])(?:%s)/[\w./*-]*[\w/*]" % "|".join(re.escape(t) for t in TOP_LEVEL))
# A bare name of a module or document (`memory.py`, SECURITY.md); other bare names in prose are
# mostly examples or outputs (TEP.yaml, rules_big.yaml).
BARE_NAME = re.compile(r"(?<![\w./-])[\w-]+\.(?:py|md)\b")


def _repo_names() -> set[str]:
    return {p.name for p in ROOT.rglob("*") if ".git" not in p.parts}


def stale_in(text: str, base: Path, names: set[str]) -> list[str]:
    """What a piece of prose names that is not in the repository."""
    stale = [m.group() for m in ABSENT_DOCUMENT.finditer(text)]
    for match in REPO_PATH.finditer(text):
        path = match.group().rstrip("/.")
        if not any(ROOT.glob(path)) and not any(base.glob(path)):
            stale.append(path)
    stale += [m.group() for m in BARE_NAME.finditer(text) if m.group() not in names]
    return stale


def prose_of_module(path: Path):
    """(line, text) of every comment and docstring of a module."""
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
    tree = parsed(path)
    docstrings = docstring_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in docstrings:
            for offset, line in enumerate(node.value.splitlines()):
                yield node.lineno + offset, line


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted(ROOT.glob("*/README.md"))]


def test_no_stale_reference():
    """Every document, folder or file named in checker/'s comments and docstrings or in README/docs exists."""
    names = _repo_names()
    offences = []
    for path in sources():
        for line, text in prose_of_module(path):
            offences += [f"{rel(path)}:{line}: {ref}" for ref in stale_in(text, path.parent, names)]
    for doc in documents():
        for line, text in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            offences += [f"{rel(doc)}:{line}: {ref}" for ref in stale_in(text, doc.parent, names)]
    assert not offences, report(sorted(set(offences), key=_by_place), "references to what the repository lacks")


# Test modules of a folder that are not named for one module: the hostile inputs of that stage,
# and the kinds (declared in ruleset/kinds.py, implemented in validate/row_kinds and campaign_kinds).
STAGE_TESTS = re.compile(r"test_(hostile_\w+|kinds)\.py")


def test_tests_mirror_the_tree():
    """tests/<folder>/test_<module>.py for checker/<folder>/<module>.py; end-to-end tests stay at the top."""
    offences = []
    for folder in sorted(p for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name not in ("builders", "golden",
                                                                                                  "__pycache__")):
        if not (PACKAGE / folder.name).is_dir():
            offences.append(f"tests/{folder.name}/: there is no checker/{folder.name}/")
            continue
        for test in sorted(folder.glob("test_*.py")):
            module = PACKAGE / folder.name / (test.name[len("test_"):])
            if not module.exists() and not STAGE_TESTS.fullmatch(test.name):
                offences.append(f"tests/{folder.name}/{test.name}: there is no checker/{folder.name}/{module.name}")
    assert not offences, report(offences, "test modules that do not mirror the tree")
