"""YAML for rules files: bounded, plain data, with line numbers and duplicate-key detection.

A rules file is untrusted input: its nesting depth and node count are capped while it is composed,
before any Python object is built; anchors, aliases, merge keys and unusual tags are refused.
"""

from __future__ import annotations

import datetime as dt
import gc
import reprlib
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:  # libyaml's parser: 7x faster on the bundled rules than PyYAML's (13 ms against 87 ms, measured)
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

from ..model.errors import RuleFileError

MAX_DEPTH = 32
MAX_NODES = 50_000  # 25x the bundled file (room for ~4,000 units); reaching it costs ~1 s (measured)
MAX_SHOWN = 80  # characters of a value echoed in an error message

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 2, MAX_SHOWN, MAX_SHOWN
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4


def shown(value: Any) -> str:
    """A value as an error message echoes it: repr'd lazily (reprlib walks at most a few items of
    two levels) and cut to MAX_SHOWN characters, so a huge or deep value costs nothing to show."""
    text = _REPR.repr(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


def found(value: Any) -> str:
    """What was found, in the words of a Vietnamese error line: "đang để trống", "đang là “abc”"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "đang để trống"
    if isinstance(value, bool):
        return f"đang là giá trị đúng/sai “{'true' if value else 'false'}”"
    if isinstance(value, dict):
        return f"đang là một nhóm {len(value)} khóa"
    if isinstance(value, list):
        return f"đang là một danh sách {len(value)} mục"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"đang là ngày giờ “{value}”" if isinstance(value, dt.datetime) else f"đang là ngày “{value}”"
    text = str(value) if isinstance(value, (str, int, float)) else shown(value)
    return f"đang là “{text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + '…'}”"


def rule_error(path: Any, where: str, problem: str, line: int | None = None, said: str | None = None) -> RuleFileError:
    """A RuleFileError whose `said` is the problem in Vietnamese, for whoever edits the rules file:
    what was expected, what was found, what to do. `problem` stays English, for the log."""
    error = RuleFileError(path, where, problem, line)
    error.said = said
    return error


# A YAML syntax error, in words: PyYAML's own ("mapping values are not allowed here") are English.
SYNTAX = ("không đọc được cấu trúc YAML ở đây: thường do thụt lề không đều (các khóa cùng cấp phải thẳng cột), "
          "thiếu dấu “:” sau một khóa, hoặc thiếu dấu đóng (ngoặc kép, ] hoặc }); hãy sửa dòng này hoặc dòng ngay trên")
TAB = "dòng này có ký tự Tab: YAML chỉ nhận dấu cách để thụt lề; hãy thay Tab bằng dấu cách"
CONTROL = ("dòng này có một ký tự điều khiển không in được (thường do chép từ phần mềm khác): hãy xóa ký tự đó, "
           "hoặc gõ lại dòng")
DEPTH = f"các mục lồng nhau quá {MAX_DEPTH} cấp: hãy kiểm tra thụt lề và các dấu ngoặc [ ] {{ }} đã đóng đủ chưa"


class _Map(dict):
    """A YAML mapping: `line` of the mapping, `lines[key]` of each key."""

    line: int | None = None
    lines: dict = {}


class _Seq(list):
    """A YAML sequence: `line` of the sequence, `lines[i]` of each item."""

    line: int | None = None
    lines: tuple = ()


def _line(node: Any, key: Any = None) -> int | None:
    """The line to name for a problem with `node[key]` (or with `node` itself)."""
    lines = getattr(node, "lines", None)
    if key is not None and lines:
        if isinstance(node, _Map) and key in lines:
            return lines[key]
        if isinstance(node, _Seq) and isinstance(key, int) and 0 <= key < len(lines):
            return lines[key]
    return getattr(node, "line", None)


_TAG = "tag:yaml.org,2002:"
# Explicit tags a rules file may use (`!!str 2023.1`); `!` is YAML's "non-specific" tag.
ALLOWED_TAGS = {None, "!"} | {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


class _Strict(Composer, SafeConstructor, Resolver):
    """Composer and constructor for rules files, on top of either parser.

    Bounds are enforced while composing, event by event, before any Python object is built: the
    nesting depth (20,000-deep brackets would otherwise exhaust the C stack of libyaml's composer or
    Python's recursion limit in the constructor), the node count, and no anchors or aliases (an
    alias bomb is a few hundred bytes that stand for billions of nodes once walked).
    """

    def __init__(self, path: Path):
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.path, self.depth, self.nodes = path, 0, 0

    def refuse(self, problem: str, mark: Any, said: str) -> RuleFileError:
        return rule_error(self.path, "", problem, mark.line + 1 if mark is not None else None, said)

    def compose_node(self, parent: Any, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise self.refuse("YAML anchors and aliases (&name, *name) are not allowed in a rules file: "
                              "write the value out in full", event.start_mark,
                              "tệp quy tắc không dùng neo và bí danh YAML (&tên, *tên): hãy viết đầy đủ giá trị ở mỗi chỗ")
        if getattr(event, "tag", None) not in ALLOWED_TAGS:
            raise self.refuse(f"YAML tag {shown(event.tag)} is not allowed in a rules file (plain texts, "
                              "numbers, dates, lists and mappings only)", event.start_mark,
                              f"tệp quy tắc không dùng thẻ YAML “{shown(event.tag)}”: chỉ viết chữ, số, ngày, "
                              "danh sách và nhóm khóa; hãy xóa thẻ")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.refuse(f"the rules file has more than {MAX_NODES:,} values", event.start_mark,
                              f"tệp quy tắc có hơn {MAX_NODES:,} giá trị".replace(",", ".")
                              + ": hãy kiểm tra tệp có bị chép lặp một phần không")
        if self.depth >= MAX_DEPTH:
            raise self.refuse(f"nested more than {MAX_DEPTH} levels deep", event.start_mark, DEPTH)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML's constructors raise plain Python errors on some values: an impossible date
        # (2023-13-45), an int of over 4,300 digits, `!!bool maybe`, `!!timestamp x`, `!!int ''`.
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError) as exc:
            date = node.tag == _TAG + "timestamp"
            hint = "; dates are YYYY-MM-DD" if date else ""
            got = f", found {shown(node.value)}" if isinstance(node, yaml.ScalarNode) else ""
            value = f"“{node.value}”" if isinstance(node, yaml.ScalarNode) else "này"
            said = (f"ngày {value} không có thật: hãy viết ngày có thật dạng năm-tháng-ngày, ví dụ 2023-05-01" if date
                    else f"không đọc được giá trị {value}: hãy viết lại, hoặc đặt trong ngoặc kép nếu đó là chữ")
            raise self.refuse(f"malformed value ({str(exc)[:MAX_SHOWN]}){hint}{got}", node.start_mark, said) from None


def _construct_mapping(loader: _Strict, node: yaml.MappingNode) -> _Map:
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == _TAG + "merge":
            raise loader.refuse("YAML merge keys (<<) are not allowed in a rules file", key_node.start_mark,
                                "tệp quy tắc không dùng khóa gộp YAML (<<): hãy viết đầy đủ các khóa")
        if not isinstance(key_node, yaml.ScalarNode):
            raise loader.refuse("a key must be a plain text, not a list or mapping", key_node.start_mark,
                                "một khóa phải là chữ, không phải danh sách hay nhóm khóa: hãy viết “tên_khóa: giá trị”")
        key = loader.construct_object(key_node)
        if not isinstance(key, str):  # `ON:` or `2023-05-01:` read as a bool or a date
            raise loader.refuse(f"key {shown(key_node.value)} is read as {type(key).__name__}, not text: "
                                "put it in quotes", key_node.start_mark,
                                f"khóa “{key_node.value}” được đọc thành số, ngày hoặc đúng/sai, không phải chữ: "
                                "hãy đặt khóa trong ngoặc kép")
        if key in lines:
            raise loader.refuse(f"duplicate key {shown(key)}", key_node.start_mark,
                                f"khóa “{key}” có hai lần trong cùng một nhóm (lần đầu ở dòng {lines[key]}): "
                                "hãy xóa một lần, hoặc gộp hai phần làm một")
        lines[key] = key_node.start_mark.line + 1
    result = _Map(loader.construct_mapping(node, deep=True))
    result.line, result.lines = node.start_mark.line + 1, lines
    return result


def _construct_sequence(loader: _Strict, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_sequence(node, deep=True))
    result.line = node.start_mark.line + 1
    result.lines = tuple(item.start_mark.line + 1 for item in node.value)
    return result


_Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class _PyLoader(_Strict, yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    def __init__(self, text: str, path: Path):
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _Strict.__init__(self, path)


if CParser is not None:
    class _CLoader(_Strict, CParser):
        """libyaml parses, events only: its own composer recurses in C, and depending on the build
        has no depth limit (PyYAML 6.0.3 on the system libyaml died of SIGSEGV on 200,000-deep
        brackets, measured; the 6.0.4 wheel's refuses them). Composing and constructing stay in
        Python, so the bounds, line numbers and duplicate-key detection are the same with both."""

        def __init__(self, text: str, path: Path):
            CParser.__init__(self, text)
            _Strict.__init__(self, path)

_LOADER = _CLoader if CParser is not None else _PyLoader


def parse(path: Path, text: str, raw: bytes) -> Any:
    # YAML nodes hold no reference cycles: pausing the cyclic collector while up to MAX_NODES of
    # them are built halves the worst-case load time (1.5 s -> 0.8 s, measured).
    collecting = gc.isenabled()
    gc.disable()
    loader = None
    try:
        loader = _LOADER(text, path)  # PyYAML's reader already checks every character here
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        said = SYNTAX
        if line is None and getattr(exc, "position", None) is not None:  # a ReaderError (control character)
            said = CONTROL
            offset = exc.position
            # libyaml counts bytes of the UTF-8 text, PyYAML characters
            line = (raw[:offset].count(b"\n") if _LOADER is not _PyLoader else text[:offset].count("\n")) + 1
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
        lines = text.splitlines()
        if said is SYNTAX and line and line <= len(lines) and "\t" in lines[line - 1]:
            said = TAB
        raise rule_error(path, "", f"not valid YAML: {str(problem)[:200]}", line, said) from None
    except RecursionError:  # not reachable with MAX_DEPTH; kept so that no nesting can be a traceback
        raise rule_error(path, "", f"nested more than {MAX_DEPTH} levels deep", None, DEPTH) from None
    finally:
        if loader is not None:
            loader.dispose()
        if collecting:
            gc.enable()
