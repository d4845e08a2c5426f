"""The catalogue of click's messages: complete for what a person can see, and safe to format."""

from __future__ import annotations

import ast
import re
import string
import unicodedata
from pathlib import Path

import click

from checker.cli import words

CLICK = Path(click.__file__).parent
# click's msgids that only a programmer sees (a command defined wrongly): left in English.
PROGRAMMER_ONLY = {
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?",
    "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Unknown standard stream '{name}'",
}


def click_msgids() -> tuple[set[str], dict[str, str]]:
    """Every literal msgid click passes to `_()`, and each `ngettext()` singular with its plural."""
    singles, plurals = set(), {}
    for source in sorted(CLICK.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args \
                    and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2]):
                if node.func.id == "_":
                    singles.add(node.args[0].value)
                elif node.func.id == "ngettext":
                    plurals[node.args[0].value] = node.args[1].value
    return singles, plurals


def fields(text: str) -> set[str]:
    names = {name.split("!")[0] for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    return names | set(re.findall(r"%\((\w+)\)s", text))


def test_every_message_a_person_sees_is_translated():
    """A click upgrade that adds a message fails here until the message has its Vietnamese."""
    singles, plurals = click_msgids()
    assert len(singles) > 50 and len(plurals) >= 7  # the scan works
    assert sorted(singles - set(words.CLICK_WORDS) - PROGRAMMER_ONLY - {"d"}) == []  # "d": a key, not a message
    assert sorted(set(plurals) - set(words.CLICK_PLURALS)) == []


def test_translations_use_only_the_placeholders_click_fills():
    """Formatting a translation never raises: its fields are among the msgid's (either form for ngettext)."""
    singles, plurals = click_msgids()
    for msgid, vietnamese in words.CLICK_WORDS.items():
        if msgid in singles:
            assert fields(vietnamese) <= fields(msgid), msgid
    for singular, vietnamese in words.CLICK_PLURALS.items():
        assert fields(vietnamese) <= fields(singular) | fields(plurals[singular]), singular


def test_translations_are_nfc_and_quote_with_curly_quotes():
    for text in [*words.CLICK_WORDS.values(), *words.CLICK_PLURALS.values()]:
        assert unicodedata.normalize("NFC", text) == text
        assert "'" not in text and '"' not in text and "!r}" not in text, text
        assert not re.search(r"\b(tuỳ|hoá|hoà)\b", text), text  # the modern tone placement: tùy, hóa, hòa


def test_catalogue_is_a_gettext_translation():
    """Known words in Vietnamese, one form for any number, unknown ones as given."""
    assert words.CATALOGUE.gettext("Usage:") == "Cách dùng:"
    assert words.CATALOGUE.gettext("Show this message and exit.") == "In hướng dẫn này rồi thoát."
    assert words.CATALOGUE.gettext("not a click message") == "not a click message"
    for n in (1, 3):
        assert words.CATALOGUE.ngettext("Option {name!r} requires an argument.", "Option {name!r} requires "
                                        "{nargs} arguments.", n).format(name="--as-of", nargs=n) == (
            "Tùy chọn “--as-of” cần một giá trị đi kèm.")
    assert words.CATALOGUE.ngettext("a", "b", 2) == "b"


def test_rules_file_place_in_vietnamese():
    assert words.rules_file_at("r.yaml", 12, "deadlines.policy") == (
        "Tệp quy tắc không hợp lệ ở r.yaml, dòng 12, mục “deadlines.policy”: sửa tệp rồi kiểm tra lại bằng "
        "`ntvt rules --check r.yaml`.")
    assert words.rules_file_at("r.yaml", None, "") == (
        "Tệp quy tắc không hợp lệ ở r.yaml: sửa tệp rồi kiểm tra lại bằng `ntvt rules --check r.yaml`.")
    # With the loader's Vietnamese words (#14 item 13): what was expected, found, and what to do.
    assert words.rules_file_at("r.yaml", 3, "", "không có khóa “foo” ở chỗ này (các khóa dùng được: plan, rules)") == (
        "Tệp quy tắc không hợp lệ ở r.yaml, dòng 3: không có khóa “foo” ở chỗ này (các khóa dùng được: plan, rules). "
        "Sửa tệp rồi kiểm tra lại bằng `ntvt rules --check r.yaml`.")


def test_unit_guess_and_port_range_words():
    assert words.UNKNOWN_UNIT.format(unit="Chèo Hà Nội", suggestion=words.UNIT_GUESSES.format(
        units=words.UNIT_GUESS.format(name="Nhà hát Chèo Hà Nội", code="CHEO"))) == (
        "Không nhận ra đơn vị “Chèo Hà Nội”. Có phải ý bạn là “Nhà hát Chèo Hà Nội” (--unit CHEO)? Mã của mọi đơn vị "
        "có ở cuối `ntvt rules`.")
    assert words.WHOLE_RANGE.format(low=1, high=65535) == "từ 1 đến 65535"
