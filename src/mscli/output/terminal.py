"""What mscli knows of the terminal its output goes to, and how text is made safe for it.

Text from the dataset (or a file name, or a field name) can hold escape sequences that retitle
a window, hide hyperlinks, clear the screen or reverse the reading order. One sanitiser,
``safe_stream``, is applied to everything written to stdout or stderr in a human format; the
machine formats escape the same characters instead (``escape_json``), so their data survives.
"""

import re
from functools import cache

# Inclusive code point ranges: the bidi controls, and every character ``escape_json`` escapes
# (the text pattern here and the byte patterns of ``jsontext`` are both made from this list).
_BIDI_RANGES = ((0x200E, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069))
JSON_UNSAFE_RANGES = ((0x7F, 0x9F), (0x2028, 0x2029), *_BIDI_RANGES)


def _character_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"{chr(low)}-{chr(high)}" for low, high in ranges)


_BIDI = _character_class(_BIDI_RANGES)
_JSON_UNSAFE = re.compile(f"[{_character_class(JSON_UNSAFE_RANGES)}]")


@cache
def _human_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The patterns of the human formats, compiled on first use: the JSON path never needs them,
    and compiling them costs a millisecond of every run's start-up.

    A cell; a whole stream, where line ends (CRLF for CSV) and tabs stay; the same keeping
    mscli's own colour codes, which data cannot forge because every cell was cleaned before styling.
    """
    return (re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]"),
            re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]|\r(?!\n)"),
            re.compile(f"(\x1b\\[[0-9;]*m)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]|\r(?!\n)"))


class Terminal:
    """What we know of the place output goes to."""

    def __init__(self, is_tty: bool, width: int, color: bool, unicode: bool) -> None:
        self.is_tty, self.width, self.color, self.unicode = is_tty, width, color, unicode


def _is_plain(text: str) -> bool:
    """Printable ASCII, tabs and newlines only: text that every pattern above leaves as it is.
    A test in C, so that a plain message or table never compiles them."""
    return text.isascii() and "\r" not in text and text.replace("\n", "").replace("\t", "").isprintable()


def clean(text: str) -> str:
    """Text safe to show on a terminal: control and bidi-override characters removed."""
    return text if _is_plain(text) else _human_patterns()[0].sub("", text)


def safe_stream(text: str, keep_colour: bool = False) -> str:
    """A whole answer or message made safe for a terminal: every control character but tab and
    line ends removed, bidi overrides too; ``keep_colour`` keeps plain SGR colour codes."""
    if _is_plain(text):
        return text
    if keep_colour:
        return _human_patterns()[2].sub(lambda match: match.group(1) or "", text)
    return _human_patterns()[1].sub("", text)


def has_unsafe(text: str) -> bool:
    """Whether text holds characters JSON and YAML writers leave raw but a terminal obeys."""
    return _JSON_UNSAFE.search(text) is not None


def escape_json(text: str) -> str:
    r"""JSON text with DEL, C1 controls, line/paragraph separators and bidi characters as
    ``\uXXXX`` escapes: outside strings JSON holds only ASCII, so this stays valid JSON."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
