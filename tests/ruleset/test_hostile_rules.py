"""Hostile or broken rules files: every problem is a RuleFileError naming file and line, in bounded
time and memory; never a traceback, a crash of the YAML library or an unbounded allocation.

Each case is a small edit of the bundled rules file's text, written to tmp_path. The expected line is
that of a marker text in the edited file (None: a problem of the whole file).
"""

from __future__ import annotations

import os
import pickle
import re
import string
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import checker.ruleset.build_plan as BP
import checker.ruleset.loader as R
import checker.ruleset.strict_yaml as SY
from checker.model.errors import RuleFileError
from checker.ruleset.kinds import allowed_placeholders
from checker.ruleset.loader import load_rules
from checker.ruleset.spec import Limits

from ..conftest import ROOT

RULES_FILE = ROOT / "rules" / "kh327-2023.yaml"
SOURCE = RULES_FILE.read_text(encoding="utf-8")
Y = "  year: 2023\n"  # plan.year, line 18: a handy place to add keys to `plan:`
MSG = "“{value}” đã có ở dòng"  # inside DN-TRUNG's one-line message
DEEP = 20_000


def edited(old: str, new: str) -> str:
    assert SOURCE.count(old) == 1, old
    return SOURCE.replace(old, new)


def line_of(text: str, marker: str | None) -> int | None:
    if marker is None:
        return None
    assert text.count(marker) == 1, marker
    return text[:text.index(marker) + marker.startswith("\n")].count("\n") + 1  # "\nX": the line of X


def refused(path: Path) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        load_rules(path)
    assert str(path) in str(info.value)
    return info.value


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def bomb(levels: int = 9, width: int = 9) -> str:
    """Billion laughs: 9 anchors of 9 aliases each stand for 9**9 = 387 million texts."""
    out = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    out += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(out) + "\n"


# (id, old, new, marker of the expected line, phrase of the message)
CASES = [
    # -- message templates: plain {name} only --------------------------------------------------
    ("spec_width", MSG, "“{value:>1000000000}” đã có ở dòng", "{value:>1000000000}", "has a format or conversion"),
    ("spec_d", MSG, "“{value:d}” đã có ở dòng", "{value:d}", "placeholder '{value:d}' has a format or conversion"),
    ("spec_nested_attr", MSG, "“{value:{cell.__class__}}” đã có ở dòng", "{cell.__class__}",
     "placeholder '{value:{cell.__class__}}' has a format or conversion"),
    ("attribute", MSG, "“{cell.__class__}” đã có ở dòng", "{cell.__class__}", "uses attribute access or indexing"),
    ("index", MSG, "“{value[0]}” đã có ở dòng", "{value[0]}", "uses attribute access or indexing"),
    ("conversion", MSG, "“{value!r}” đã có ở dòng", "{value!r}", "placeholder '{value!r}' has a format or conversion"),
    ("empty", MSG, "“{}” đã có ở dòng", "“{}”", "an empty placeholder {}"),
    ("positional", MSG, "“{0}” đã có ở dòng", "“{0}”", "unknown placeholder {0}"),
    ("unknown_name", MSG, "“{first_rows}” đã có ở dòng", "{first_rows}", "unknown placeholder {first_rows}"),
    ("unmatched", "dòng {first_row} của", "dòng {first_row của", "{first_row của", "malformed placeholder"),
    ("narrow_kind", "Không đọc được tệp: {value}.", "Không đọc được tệp {file}: {value}.", "{file}",
     "unknown placeholder {file} (allowed: {value};"),
    ("too_long", MSG, "“{value}” " + "x" * 1_000 + " đã có ở dòng", "x" * 1_000, "expected at most 1,000 characters"),
    # -- numbers: a type and a range each -------------------------------------------------------
    ("utc_100", "utc_offset_hours: 7", "utc_offset_hours: 100", "utc_offset_hours: 100",
     "deadlines.utc_offset_hours: expected a number from -12 to 14, found 100"),
    ("utc_nan", "utc_offset_hours: 7", "utc_offset_hours: .nan", "utc_offset_hours", "found nan"),
    ("utc_inf", "utc_offset_hours: 7", "utc_offset_hours: -.inf", "utc_offset_hours", "found -inf"),
    ("utc_text", "utc_offset_hours: 7", 'utc_offset_hours: "7"', "utc_offset_hours", "found '7'"),
    ("utc_minutes", "utc_offset_hours: 7", "utc_offset_hours: 7.1", "utc_offset_hours", "whole quarter hours"),
    ("max_comments_text", "max_comments: 5000", 'max_comments: "nhiều"', "max_comments",
     "consolidation.max_comments: expected a whole number from 0 to 50,000, found 'nhiều'"),
    ("max_comments_huge", "max_comments: 5000", "max_comments: 10000000000", "max_comments", "found 10000000000"),
    ("nomination_rows_text", "nomination_rows: 25", 'nomination_rows: "x"', "nomination_rows",
     "template.nomination_rows: expected a whole number from 1 to 10,000, found 'x'"),
    ("older_versions_int", 'older_versions: ["2023.0"]', "older_versions: 5", "older_versions",
     "template.older_versions: expected a list of texts, found 5"),
    ("older_versions_float", 'older_versions: ["2023.0"]', "older_versions: [2023.0]", "older_versions",
     "older_versions[0]: expected a list of texts, found 2023.0 (a version or code such as 2023.0 needs quotes)"),
    ("version_float", 'version: "2023.1"', "version: 2023.1", "version:", "expected a text in quotes"),
    ("day_31", "    day: 20", "    day: 31", "day: 31", "monthly.day: expected a whole number from 1 to 28, found 31"),
    ("year_bool", Y, "  year: yes\n", "year: yes", "plan.year: expected a whole number from 2000 to 2099, found True"),
    ("days_negative", "    days: 60", "    days: -3", "days: -3", "days: expected a whole number from 0 to 36,500"),
    ("days_fraction", "    days: 60", "    days: 6.5", "days: 6.5", "found 6.5"),
    ("min_length_huge", "        min: 150", "        min: 1000000", "min: 1000000", "from 0 to 32,767"),
    ("width_text", "width: 60,", "width: wide,", "width: wide", "width: expected a whole number from 1 to 255"),
    ("accept_score", "accept_score: 0.9", "accept_score: 1.5", "accept_score: 1.5",
     "unit_matching.accept_score: expected a number from 0 to 1, found 1.5"),
    ("margin_text", "margin: 0.1", "margin: abc", "margin: abc", "unit_matching.margin: expected a number from 0 to 1, found 'abc'"),
    ("suggest_score_negative", "suggest_score: 0.65", "suggest_score: -0.1", "suggest_score: -0.1",
     "unit_matching.suggest_score: expected a number from 0 to 1, found -0.1"),
    ("old_cutoff_key", "word_score: 0.85", "suggestion_cutoff: 0.6", "suggestion_cutoff: 0.6",
     "unit_matching: unknown key 'suggestion_cutoff'"),
    ("limits_zero", "consolidation:\n", "limits:\n  max_rows: 0\nconsolidation:\n", "max_rows: 0",
     "limits.max_rows: expected a whole number from 1 to 1,048,576, found 0"),
    ("limits_inf", "consolidation:\n", "limits:\n  max_zip_members: .inf\nconsolidation:\n", "max_zip_members",
     "found inf"),
    ("limits_unknown", "consolidation:\n", "limits:\n  max_rowz: 5\nconsolidation:\n", "max_rowz",
     "limits: unknown key 'max_rowz'"),
    ("required_text", 'required: true, aliases: ["Văn phòng"]', 'required: "có", aliases: ["Văn phòng"]',
     'required: "có"', "units[0].required: expected true or false, found 'có'"),
    ("due_9999", "    due: 2023-08-15", "    due: 9999-12-31", "due: 9999", "expected a date from 2000-01-01 to 2099-12-31"),
    ("due_impossible", "    due: 2023-08-15", "    due: 2023-13-45", "due: 2023",
     "malformed value (month must be in 1..12); dates are YYYY-MM-DD"),
    ("holiday_datetime", "  holidays: [2023-05-01,", "  holidays: [2023-05-01 10:00:00,", "holidays",
     "deadlines.holidays: expected a date YYYY-MM-DD, found datetime.datetime"),
    ("int_5000_digits", Y, "  year: " + "9" * 5_000 + "\n", "  year: 999", "Exceeds the limit (4300 digits)"),
    # -- structure and types --------------------------------------------------------------------
    ("bool_key", '    TT: "Trung tâm"', '    ON: "Trung tâm"', "ON:", "key 'ON' is read as bool, not text: put it in quotes"),
    ("columns_text", "    columns: [name, birth_year]\n", "    columns: name\n", "columns: name",
     "checks[0].columns: expected a non-empty list of column keys, found 'name'"),
    ("when_column_list", "when: {column: kind, in: [\"Cá nhân\"]}\n    message: \"Ô {cell} – “{column}” phải là “",
     "when: {column: [kind], in: [\"Cá nhân\"]}\n    message: \"Ô {cell} – “{column}” phải là “", "{column: [kind]",
     "when.column: unknown column ['kind']"),
    ("list_name", '  genders: ["Nam", "Nữ"]', '  "Giới tính": ["Nam", "Nữ"]', '"Giới tính": [',
     "lists: a list name is lower-case ASCII words joined by '_'"),
    ("list_item_empty", '  genders: ["Nam", "Nữ"]', '  genders: ["Nam", ""]', "genders:", "lists.genders[1]: expected a text"),
    ("sheet_name_slash", '    name: "Hoạt động"', '    name: "Hoạt/động"', "Hoạt/động", "not a valid Excel sheet name"),
    ("column_key_internal", '      - {key: stt, role: row_number, label: "STT", type: int, width: 6, prompt: "Số thứ tự."}\n      - {key: name,',
     '      - {key: _file, role: row_number, label: "STT", type: int, width: 6, prompt: "Số thứ tự."}\n      - {key: name,', "{key: _file",
     "a column key is lower-case ASCII words joined by '_'"),
    ("guide_columns", "    kind: guide\n", "    kind: guide\n    columns: []\n", "columns: []", "a guide sheet has no `columns:`"),
    ("check_not_mapping", "    checks:\n      - kind: template_sheet", "    checks:\n      - 5\n      - kind: template_sheet",
     "      - 5", "a check is a mapping with `kind:`, found int 5"),
    ("rule_id_escape", "  - id: DN-DANHMUC\n", '  - id: "DN\\e]52;c;aGk=\\a"\n', "DN\\e]52", r"found 'DN\x1b]52;c;aGk=\x07'"),
    ("key_escape", Y, '  year: 2023\n  "\\e[2J": 1\n', "\\e[2J", r"plan: unknown key '\x1b[2J'"),
    ("policy_list", "  policy: strict_before", "  policy: [strict_before]", "policy: [", "unknown policy ['strict_before']"),
    ("report_type_list", '  monthly_report: "Báo cáo tháng"', "  monthly_report: [1]", "monthly_report: [1]",
     "[1] is not in lists.report_types"),
    # -- YAML: bounded, plain data -------------------------------------------------------------
    ("deep_sequence", Y, Y + "  x: " + "[" * DEEP + "]" * DEEP + "\n", "  x: [", r"nest(ed|ing)"),
    ("deep_mapping", Y, Y + "  x: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n", "  x: {", "nested more than 32 levels deep"),
    ("deep_block", Y, Y + "  x:\n  " + "- " * DEEP + "1\n", "\n  - - ", "nested more than 32 levels deep"),
    ("alias_bomb", "plan:\n", bomb() + "plan:\n", "a0: &a0", "YAML anchors and aliases (&name, *name) are not allowed"),
    ("alias_in_value", Y, "  year: &y 2023\n  again: *y\n", "&y", "anchors and aliases"),
    ("alias_only", Y, Y + "  again: *y\n", "*y", "anchors and aliases"),
    ("merge_key", Y, Y + "  <<: {a: 1}\n", "<<", "YAML merge keys (<<) are not allowed"),
    ("python_tag", Y, Y + "  x: !!python/object/apply:os.system [ls]\n", "!!python",
     "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    ("binary_tag", "    due: 2023-08-15", "    due: !!binary aGVsbG8=", "!!binary", "YAML tag 'tag:yaml.org,2002:binary'"),
    ("bad_bool_tag", Y, "  year: !!bool maybe\n", "maybe", "malformed value"),
    ("complex_key", Y, Y + "  ? [a]\n  : b\n", "? [a]", "a key must be a plain text"),
    ("duplicate_key", '  number: "327/KH-SVHTT"\n', '  number: "327/KH-SVHTT"\n  number: "328"\n', '"328"',
     "duplicate key 'number'"),
    ("control_char", Y, Y + '  x: "a\x01b"\n', "\x01", "characters are not allowed"),
    ("two_documents", Y, Y + "---\nb: 1\n", "---\nb: 1", "but found another document"),
    ("tab_indent", Y, Y + "\tx: 1\n", "\tx", "not valid YAML"),
]

# Unit ids that would collide as file names, or cannot name a file on Windows.
BAD_UNIT_IDS = ["X/Y", "X__Y", "X_", "-X", "vp", "Vp", '"VP "', '"VP."', "CON", "COM1", "LPT9", "NUL", "AUX",
                "PRN", "A" * 33, "ĐV", "TTRA"]


@pytest.mark.parametrize("old, new, marker, phrase", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_with_line(tmp_path, old, new, marker, phrase):
    """Each hostile edit is a RuleFileError at the marked line whose message says what was found."""
    text = edited(old, new)
    error = refused(write(tmp_path, text))
    assert error.line == line_of(text, marker), str(error)
    assert re.search(phrase, str(error)) if phrase.startswith("nest(") else phrase in str(error), str(error)
    assert len(str(error)) < 600  # nothing echoed at length


@pytest.mark.parametrize("unit_id", BAD_UNIT_IDS)
def test_unit_ids_safe_as_file_names(tmp_path, unit_id):
    """A unit id that is not upper-case ASCII words, is a Windows device name or repeats one is refused."""
    text = edited("{id: VP,", f"{{id: {unit_id},")
    error = refused(write(tmp_path, text))
    if unit_id == "TTRA":  # now units[0]; the second TTRA, one line down, is the duplicate
        assert (error.line, error.where, error.problem) == (line_of(SOURCE, "{id: TTRA,"), "units[1].id",
                                                               "duplicate unit id 'TTRA'")
        return
    assert error.line == line_of(text, f"{{id: {unit_id},")
    expected = (f"unit id {unit_id!r} is a device name on Windows" if unit_id in BP.WINDOWS_RESERVED else
                "a unit id is upper-case ASCII letters and digits")
    assert f"units[0].id: {expected}" in str(error)


# -- whole-file problems -------------------------------------------------------------------------


def test_too_large_is_refused_before_reading(tmp_path):
    """A file over 2 MiB is refused from its size (a 50 MB file cost 61 s and 1.7 GB before)."""
    padding = "# " + "x" * 97 + "\n"
    text = SOURCE + padding * ((R.MAX_RULES_BYTES - len(SOURCE.encode())) // len(padding) + 1)
    error = refused(write(tmp_path, text))
    assert error.line is None
    assert f"the rules file is too large ({len(text.encode()):,} bytes; the limit is 2,097,152)" in str(error)


def test_just_under_the_size_limit_loads(tmp_path):
    """The same rules padded with comments to just under 2 MiB load as the bundled ones."""
    padding = "# " + "x" * 97 + "\n"
    text = SOURCE + padding * ((R.MAX_RULES_BYTES - len(SOURCE.encode())) // len(padding))
    assert len(text.encode()) <= R.MAX_RULES_BYTES
    loaded = load_rules(write(tmp_path, text))
    assert [r.id for r in loaded.rules] == [r.id for r in load_rules().rules]


def test_too_many_values(tmp_path):
    """More than 50,000 YAML values are refused at the value that goes over, before any is built."""
    count = SY.MAX_NODES + 10
    text = SOURCE.replace("plan:\n", "aaa:\n" + "- 1\n" * count + "plan:\n", 1)
    error = refused(write(tmp_path, text))
    # nodes in order: the top mapping, the key `aaa`, its list, then the items
    first_item = line_of(text, "aaa:\n") + 1
    assert error.line == first_item + SY.MAX_NODES - 3
    assert "the rules file has more than 50,000 values" in str(error)


def test_not_utf8_names_the_line(tmp_path):
    """A byte that is not UTF-8 is refused at its line."""
    path = tmp_path / "rules.yaml"
    path.write_bytes(edited(Y, "  year: 2023\n  x: H\x00\n").encode().replace(b"H\x00", b"H\xe0 N\xf4i"))
    error = refused(path)
    assert (error.line, error.problem) == (19, "the rules file is not UTF-8 text")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_fifo_is_not_opened(tmp_path):
    """A FIFO given as the rules file is refused without opening it (opening would wait for ever)."""
    fifo = tmp_path / "rules.yaml"
    os.mkfifo(fifo)
    assert refused(fifo).problem == "the rules file is not a regular file"


def test_directory_is_refused(tmp_path):
    """A folder given as the rules file is refused."""
    assert refused(tmp_path).problem == "the rules file is not a regular file"


# -- both loaders ----------------------------------------------------------------------------------

LOADERS = ["python"] + (["libyaml"] if SY.CParser is not None else [])


@pytest.fixture(params=LOADERS)
def loader(request, monkeypatch):
    """Run the test with PyYAML's parser and with libyaml's."""
    monkeypatch.setattr(SY, "_LOADER", SY._PyLoader if request.param == "python" else SY._CLoader)
    return request.param


BOTH = ["deep_mapping", "deep_block", "alias_bomb", "merge_key", "python_tag", "duplicate_key", "control_char", "spec_width",
        "max_comments_text", "bool_key", "due_impossible"]


@pytest.mark.parametrize("case", BOTH)
def test_same_errors_with_both_loaders(tmp_path, loader, case):
    """Line numbers, duplicate keys and every bound work the same with the C and the Python parser."""
    _, old, new, marker, phrase = next(c for c in CASES if c[0] == case)
    text = edited(old, new)
    error = refused(write(tmp_path, text))
    assert error.line == line_of(text, marker)
    assert phrase in str(error)


def test_both_loaders_build_the_same_rules(monkeypatch):
    """The bundled rules load to the same RuleSet with either parser."""
    monkeypatch.setattr(SY, "_LOADER", SY._PyLoader)
    python = load_rules()
    monkeypatch.undo()
    assert load_rules() == python
    if SY.CParser is not None:
        assert SY._LOADER is SY._CLoader  # the fast one is the default where it exists


# -- what must still load --------------------------------------------------------------------------

ACCEPTED = [
    ('required: true, aliases: ["Văn phòng"]', 'required: yes, aliases: ["Văn phòng"]',
     lambda r: r.units[0].required is True),
    ("utc_offset_hours: 7", "utc_offset_hours: 5.75", lambda r: r.deadlines.utc_offset_hours == 5.75),
    ("utc_offset_hours: 7", "utc_offset_hours: -12", lambda r: r.deadlines.utc_offset_hours == -12.0),
    ("utc_offset_hours: 7", "utc_offset_hours: 14", lambda r: r.deadlines.utc_offset_hours == 14.0),
    ("{id: VP,", "{id: X_Y,", lambda r: r.units[0].id == "X_Y"),
    ("{id: VP,", "{id: DV-01,", lambda r: r.units[0].id == "DV-01"),
    ('version: "2023.1"', "version: !!str 2023.1", lambda r: r.template.version == "2023.1"),
    ("nomination_rows: 25", "nomination_rows: !!int 10000", lambda r: r.template.nomination_rows == 10_000),
    ("max_comments: 5000", "max_comments: 0", lambda r: r.consolidation.max_comments == 0),
    (MSG, "“{value}” {{giữ nguyên}} đã có ở dòng",
     lambda r: "{giữ nguyên}" in r.rule("DN-TRUNG").checks[0].message.format(cell="", column="", value="", sheet="",
                                                                             file="", first_row=1)),
    (MSG, "“{value}” {cell} {column} {sheet} {file} đã có ở dòng",
     lambda r: "{file}" in r.rule("DN-TRUNG").checks[0].message),
    ("consolidation:\n", "limits:\n  max_rows: 1048576\n  max_columns: 16384\nconsolidation:\n",
     lambda r: (r.limits.max_rows, r.limits.max_columns) == (1_048_576, 16_384)),
    ("    due: 2023-08-15", "    due: 2099-12-31", lambda r: str(r.deadlines.summary_due) == "2099-12-31"),
]


@pytest.mark.parametrize("old, new, holds", ACCEPTED, ids=[a[1][:30] for a in ACCEPTED])
def test_still_loads(tmp_path, old, new, holds):
    """Legitimate variations load, with the value as written."""
    assert holds(load_rules(write(tmp_path, edited(old, new))))


def test_thousands_of_units_load(tmp_path):
    """3,000 more units (about 40,000 values, a city's worth) load; the bound is not in the way."""
    unit = '  - {id: U%d, name: "Đơn vị số %d", kind: đơn vị, required: false, aliases: ["ĐV %d"]}\n'
    text = SOURCE.replace("units:\n", "units:\n" + "".join(unit % (i, i, i) for i in range(3000)), 1)
    loaded = load_rules(write(tmp_path, text))
    assert len(loaded.units) == 3024 and loaded.units[2999].id == "U2999"


def test_rules_cross_processes():
    """A loaded RuleSet pickles (spawned workers receive it) and compares equal after."""
    rules = load_rules()
    assert pickle.loads(pickle.dumps(rules)) == rules


def test_bundled_messages_render_with_their_placeholders():
    """Every bundled message formats with just the names its kind allows: no spec, no lookup, no KeyError."""
    for rule in load_rules().rules:
        for check in rule.checks:
            allowed = allowed_placeholders(check.kind)
            names = {name for _, name, _, _ in string.Formatter().parse(check.message) if name is not None}
            assert names <= allowed, (rule.id, names - allowed)
            check.message.format(**dict.fromkeys(allowed, "x"))


def test_every_limit_has_a_range():
    """Every guard in Limits can be set in `limits:` and has a range (a new limit needs one)."""
    assert set(BP.LIMIT_RANGES) == set(Limits.__dataclass_fields__)
    defaults = Limits()
    for name, (low, high) in BP.LIMIT_RANGES.items():
        assert low <= getattr(defaults, name) <= high, name


def test_shown_values_are_short():
    """A value echoed in an error is at most 80 characters, however big or deep."""
    deep: list = []
    for _ in range(30):
        deep = [deep, "x" * 1000]
    for value in ("x" * 10**6, list(range(10**5)), deep, {str(i): i for i in range(1000)}):
        assert len(SY.shown(value)) <= SY.MAX_SHOWN


# -- a sweep: every value of the bundled file replaced by hostile ones ---------------------------

SWEEP_VALUES = ["[x]", "{a: 1}", "5", '"x"', "null", ".nan", "2023-01-01", "[[x]]"]


def sweep_variants() -> list[str]:
    """The bundled file with one `key: value` (block or flow) replaced by each of SWEEP_VALUES."""
    lines = SOURCE.splitlines(keepends=True)
    block = re.compile(r"^(\s*(?:- )?[A-Za-z_]+: ).+$")
    flow = re.compile(r"[{,] ?[a-z_]+: ([^,{}\[\]]+|\[[^\]]*\])")
    out = []
    for i, line in enumerate(lines):
        changed = []
        if m := block.match(line.rstrip("\n")):
            changed += [m.group(1) + v + "\n" for v in SWEEP_VALUES]
        for m in flow.finditer(line):
            changed += [line[:m.start(1)] + v + line[m.end(1):] for v in SWEEP_VALUES]
        out += ["".join(lines[:i]) + c + "".join(lines[i + 1:]) for c in changed]
    return out


def test_sweep_never_crashes(tmp_path):
    """Any one value replaced by a list, a mapping, a number, a text, null, NaN or a date: the file
    loads or is a RuleFileError with a line, never another exception. CI runs one variant in 100; the
    long run (HYPOTHESIS_PROFILE=fuzz) all 6,640: 6,231 refused, 409 loaded, 0 crashes (measured)."""
    variants = sweep_variants()
    assert len(variants) > 6000
    step = 1 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 100
    path = tmp_path / "rules.yaml"
    for text in variants[::step]:
        path.write_text(text, encoding="utf-8")
        try:
            load_rules(path)
        except RuleFileError as error:
            assert error.line is not None, str(error)


# -- the command ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["alias_bomb", "spec_width", "deep_sequence", "older_versions_int"])
def test_rules_check_command_exits_2(tmp_path, case):
    """`ntvt rules --check FILE` on a hostile file exits 2 and names the file."""
    from checker.cli import main

    _, old, new, _, _ = next(c for c in CASES if c[0] == case)
    path = write(tmp_path, edited(old, new))
    result = CliRunner().invoke(main, ["rules", "--check", str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
