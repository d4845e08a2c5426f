"""Row heights of wrapped text: wrap_count counts textwrap's lines exactly, however the text is spaced."""

from __future__ import annotations

import random
import textwrap

import pytest

from checker.write.style import text_height, wrap_count

# What a unit types: Vietnamese words, punctuation, runs of spaces, tabs and line breaks, words longer
# than a line, runs of spaces longer than a line, and what sends the count to textwrap (hyphens, dashes,
# non-breaking and other non-ASCII spaces).
PIECES = list("abcdeđêôơưạảãáàĐÂ.,“”") + [" "] * 8 + ["\t", "\n", "\r", "  ", "x" * 30, " " * 25,
                                                          "-", "—", "\xa0", "\u3000"]


@pytest.mark.parametrize("seed", range(4))
def test_wrap_count_is_textwraps_line_count(seed):
    rnd = random.Random(seed)
    for _ in range(20_000):
        text = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 150)))
        width = rnd.randint(1, 40)
        assert wrap_count(text, width) == len(textwrap.wrap(text, width)), (text, width)


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("", 10, 0),
    ("     ", 3, 0),                       # only spaces: no line, however long
    ("abc def", 7, 1),                     # fits exactly
    ("abc def", 6, 2),
    ("abcdefghij", 4, 3),                  # a word longer than a line is broken: abcd efgh ij
    ("ab   cd", 3, 2),                     # the second line's leading spaces are dropped
    ("   ab cd", 5, 2),                    # the first line keeps its own
    ("Đồng chí tích cực\ttham gia\nphong trào", 12, 4),
    ("tự-nguyện hiến máu", 8, 3),          # a hyphen: textwrap's own rules
])
def test_wrap_count_examples(text, width, lines):
    assert wrap_count(text, width) == lines == len(textwrap.wrap(text, width))


def test_text_height_is_the_tallest_cell():
    # 11-point serif, 1.3 characters per width unit: width 11 holds 13 characters a line
    assert text_height(["ngắn", "một hai ba bốn năm sáu bảy tám"], [11, 11]) == 15.0 * 3 + 3
    assert text_height([""], [10]) == 18.0
