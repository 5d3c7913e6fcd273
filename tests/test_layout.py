"""Table layout: every line fits, nothing is lost, columns stay aligned."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mscli.output.layout import GAP, cell_width, column_widths, fits, grid, unbreakable, wrap
from mscli.output.render import OutputFormat, View, render
from mscli.output.terminal import Terminal

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=60)


@given(text=TEXT, width=st.integers(1, 50))
def test_wrapped_lines_fit_and_keep_every_visible_character(text, width):
    lines = wrap(text, width)
    assert all(cell_width(line) <= max(width, 2) or unbreakable(line) for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())


@given(rows=st.lists(st.lists(TEXT, min_size=3, max_size=3), min_size=1, max_size=6),
       width=st.integers(30, 200))
def test_every_line_of_a_grid_fits_the_width(rows, width):
    if not fits(["one", "two", "three"], rows, width):
        return  # shown as blocks instead
    header, body = grid(["one", "two", "three"], rows, width, "-")
    assert all(cell_width(line) <= width + 2 for line in header + [line for row in body for line in row])


def test_columns_keep_their_natural_width_when_they_fit():
    assert column_widths(["id", "phase"], [["mesems", "2"]], 80) == [6, 5]


def test_short_columns_stay_whole_and_long_text_gives_way():
    rows = [["a-fairly-long-identifier-of-a-trial", "2008-2010", "A long result sentence " * 4]]
    widths = column_widths(["id", "years", "result"], rows, 60)
    assert widths[1] == len("2008-2010")
    assert sum(widths) + len(GAP) * 2 <= 60


def test_words_break_at_spaces_only_and_ids_stay_whole():
    assert wrap("randomised, double-blind crossover", 14) == ["randomised,", "double-blind", "crossover"]
    assert wrap("fernandez-2018-adipose-msc", 16) == ["fernandez-2018-adipose-msc"]


def test_wide_characters_count_twice():
    assert cell_width("多発性") == 6
    assert wrap("多発性硬化症", 4) == ["多発", "性硬", "化症"]


KEY = st.from_regex(r"[a-z]{3,9}(-[a-z0-9]{2,9}){1,4}", fullmatch=True)
DOI = st.from_regex(r"doi:10\.[0-9]{4}/[a-z0-9]{3,8}-[0-9]{3}-[0-9]{5}-x", fullmatch=True)
URL = st.from_regex(r"https://[a-z]{4,12}\.org/[a-z]{3,10}/[A-Z0-9]{6,12}", fullmatch=True)
PROSE = st.lists(st.from_regex(r"[a-z]{1,12}", fullmatch=True), max_size=25).map(" ".join)


@given(records=st.lists(st.tuples(KEY, PROSE, DOI, URL), min_size=1, max_size=5),
       width=st.integers(40, 200))
def test_no_id_doi_or_url_is_ever_split(records, width):
    """At every width from 40 to 200, whether as a grid or as blocks, each key, DOI and URL
    appears whole on one line."""
    view = View(payload=[], columns=["id", "title", "doi", "link"], rows=[list(record) for record in records])
    lines = render(view, OutputFormat.TABLE, Terminal(is_tty=True, width=width, color=False,
                                                      unicode=True)).split("\n")
    for key, _, doi, url in records:
        for token in (key, doi, url):
            assert any(token in line for line in lines), (token, width)
