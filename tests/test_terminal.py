"""The terminal sanitiser: its quick test for plain text never changes what it writes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mscli.output import terminal

# Plain ASCII with the characters each pattern treats apart: controls, CR, tab, newline, ESC
# and colour codes, DEL and C1 controls, bidi overrides, and any other character.
PIECES = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8),
    st.sampled_from(["\n", "\t", "\r", "\r\n", "\x1b[1m", "\x1b[0m", "\x1b]0;title\x07", "\x00", "\x0b", "\x0c",
                     "\x7f", "\x85", "\u200e", "\u202e", "\u2066", "\u2028", "é", "≥"]),
    st.text(max_size=3),
)


@given(st.lists(PIECES, max_size=12).map("".join))
def test_the_quick_test_writes_what_the_patterns_write(text):
    cell, stream, coloured = terminal._human_patterns()
    assert terminal.clean(text) == cell.sub("", text)
    assert terminal.safe_stream(text) == stream.sub("", text)
    assert terminal.safe_stream(text, keep_colour=True) == coloured.sub(lambda match: match.group(1) or "", text)


def test_a_plain_message_compiles_no_pattern():
    terminal._human_patterns.cache_clear()
    assert terminal.safe_stream("mscli: dry run, nothing written: 1 added\n\tand a tab") \
        == "mscli: dry run, nothing written: 1 added\n\tand a tab"
    assert terminal.clean("NCT01234567 | phase 2") == "NCT01234567 | phase 2"
    assert terminal._human_patterns.cache_info().misses == 0
    assert terminal.clean("bell\x07") == "bell" and terminal._human_patterns.cache_info().misses == 1
