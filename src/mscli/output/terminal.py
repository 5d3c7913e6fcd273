"""What mscli knows of the terminal its output goes to, and how text is made safe for it."""

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Terminal:
    """What we know of the place output goes to."""

    def __init__(self, is_tty: bool, width: int, color: bool, unicode: bool) -> None:
        self.is_tty, self.width, self.color, self.unicode = is_tty, width, color, unicode


def clean(text: str) -> str:
    """Text safe to show on a terminal: control and bidi-override characters removed."""
    return _CONTROL.sub("", text)

