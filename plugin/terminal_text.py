"""What code printed, as a terminal shows it and as text a web page can hold.

Output is untrusted and often written for a terminal: colours and cursor moves
(ANSI escape sequences, from a logger or a test runner), a progress bar that
redraws its line with ``\\r``. ``printable`` keeps what a reader would have seen:
escape sequences are dropped, a ``\\r`` starts the line again and what follows
overwrites it (as in a terminal, and as Jupyter shows it), ``\\r\\n`` is a line
end. Any other control character (NUL, BEL, form feed, DEL, C1), which HTML
does not allow in text, is shown as its escape (``\\x00``), as the output's
undecodable bytes already are.
"""
from __future__ import annotations

import re

__all__ = ["printable"]

# CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), and the other two-byte escapes.
_ESCAPE_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_OTHER_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with terminal controls applied or dropped and other controls escaped."""
    if not _CONTROL_RE.search(text):
        return text  # almost all output
    text = _ESCAPE_RE.sub("", text)
    if "\r" in text:
        text = "\n".join(_overwritten(line) for line in text.replace("\r\n", "\n").split("\n"))
    return _OTHER_CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _overwritten(line: str) -> str:
    """A line with ``\\r`` in it as a terminal leaves it: each part overwrites the start."""
    if "\r" not in line:
        return line
    parts = line.split("\r")
    shown = parts[0]
    for part in parts[1:]:
        shown = part + shown[len(part):]
    return shown
