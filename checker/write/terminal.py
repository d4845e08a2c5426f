"""Text bound for a terminal: whatever came from an input is shown, never obeyed.

Cell text, file names and attachment names are chosen by whoever sent the file. Printed raw, an
ESC sequence can clear the screen, OSC 52 can write the clipboard and OSC 0 can set the window
title; a lone carriage return can hide what was printed before it. Every control character
(C0 except tab and newline, DEL, C1) and the Unicode bidirectional overrides are shown as a
visible escape instead.
"""

from __future__ import annotations

import re

from ..normalise.text import escaped

# C0 controls but \t and \n; DEL; C1 controls; bidi embeddings/overrides/isolates (they reorder text).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """`text` with every control character replaced by a visible escape such as "\\x1b"."""
    return escaped(str(text), _UNSAFE)
