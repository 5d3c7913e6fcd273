"""Lay a table out in a fixed number of terminal columns: widths, word wrap, a header rule.

Rich draws a fine table but measures every cell several times, which cost more than the rest
of a command put together; mscli's tables are plain grids of text, so this does just that.
Widths are counted in terminal cells (wide East Asian characters take two, combining marks
none), so columns stay aligned whatever the text.
"""

import re
import unicodedata
from collections.abc import Iterator

GAP = "  "
MAX_MIN_WIDTH = 30
SHORT = 12  # columns this narrow (years, phases, counts) are kept whole while others give way
BLOCK_BELOW = 60  # narrower than this, a table is shown as one block per record


def cell_width(text: str) -> int:
    """How many terminal columns ``text`` takes."""
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def column_widths(columns: list[str], rows: list[list[str]], width: int) -> list[int]:
    """Each column's width: its natural width if all fit, else shrunk widest-first.

    Short columns keep their width and no column is cut below its longest word (ids, DOIs
    and URLs in full; only foldable words are capped at MAX_MIN_WIDTH) while that is possible;
    the room left is shared in proportion to how much each column wants.
    """
    table = [columns, *rows]
    natural = [max(max((cell_width(line) for line in row[index].split("\n")), default=0) for row in table)
               for index in range(len(columns))]
    natural = [max(value, 1) for value in natural]
    words = [min(floor_of(row[index] for row in table), natural[index]) for index in range(len(columns))]
    room = max(width - len(GAP) * (len(columns) - 1), len(columns))
    if sum(natural) <= room:
        return natural
    short = [value if value <= SHORT else 1 for value in natural]
    base = short if sum(short) <= room else [1] * len(columns)
    wanted = [max(word, least) for word, least in zip(words, base, strict=True)]
    # Whole words come before whole short columns: a short column gives way, an id never does.
    floors = _share(wanted, words, room) if sum(words) <= room else words
    return _share(natural, floors, room)


def floor_of(cells: Iterator[str] | list[str]) -> int:
    """The narrowest a column of ``cells`` can be without splitting a word that must stay whole."""
    widest = 1
    for cell in cells:
        for word in cell.split():
            size = cell_width(word)
            widest = max(widest, size if unbreakable(word) else min(size, MAX_MIN_WIDTH))
    return widest


def fits(columns: list[str], rows: list[list[str]], width: int) -> bool:
    """Whether a grid of these cells fits ``width`` with every unbreakable word whole; if not,
    the table is shown as one block per record (as gh does)."""
    if width < BLOCK_BELOW:
        return False
    floors = [floor_of([columns[index], *(row[index] for row in rows)]) for index in range(len(columns))]
    return sum(floors) + len(GAP) * (len(columns) - 1) <= width


def blocks(columns: list[str], rows: list[list[str]], width: int) -> list[list[str]]:
    """Each record as lines of "label  value", values wrapped beside the labels; a blank line
    between records is the caller's. Unbreakable words longer than the room are left whole."""
    label_width = max(cell_width(column) for column in columns)
    room = max(width - label_width - len(GAP), 20)
    out = []
    for row in rows:
        lines = []
        for column, cell in zip(columns, row, strict=True):
            if not cell:
                continue
            for number, line in enumerate(wrap(cell, room)):
                lines.append((pad(column, label_width) if number == 0 else " " * label_width) + GAP + line)
        out.append([line.rstrip() for line in lines])
    return out


def _share(wanted: list[int], floors: list[int], room: int) -> list[int]:
    """Floors plus the room left, shared in proportion to how far each is below what it wants."""
    if sum(wanted) <= room:
        return list(wanted)
    if sum(floors) >= room:
        return list(floors)
    gaps = [want - floor for want, floor in zip(wanted, floors, strict=True)]
    spare = room - sum(floors)
    shares = [spare * gap / sum(gaps) for gap in gaps]
    widths = [floor + int(share) for floor, share in zip(floors, shares, strict=True)]
    by_remainder = sorted(range(len(widths)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for index in by_remainder[:room - sum(widths)]:
        widths[index] += 1
    return widths


def unbreakable(word: str) -> bool:
    """Words a person copies (ids, registry numbers, DOIs, URLs: anything with a digit, a
    hyphen, a slash, a dot inside or a colon) are never split; other words may be folded."""
    return _KEY.search(word) is not None


_KEY = re.compile(r"[-/:_0-9]|\.\w")


def _pieces(text: str) -> Iterator[tuple[str, bool]]:
    """The words of ``text``: a line breaks at spaces only, so "double-blind" stays whole."""
    for word in text.split():
        yield word, True


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells: break at spaces and hyphens, fold longer pieces."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece, spaced in _pieces(paragraph):
            candidate = f"{line} {piece}" if line and spaced else line + piece
            if cell_width(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while cell_width(piece) > width and not unbreakable(piece):
                head = _fit(piece, width)
                lines.append(head)
                piece = piece[len(head):]
            line = piece
        lines.append(line)
    return lines


def _fit(word: str, width: int) -> str:
    """The longest start of ``word`` that fits in ``width`` cells (at least one character)."""
    used = 0
    for index, char in enumerate(word):
        used += _char_width(char)
        if used > width:
            return word[:max(index, 1)]
    return word


def pad(text: str, width: int) -> str:
    return text + " " * max(width - cell_width(text), 0)


def grid(columns: list[str], rows: list[list[str]], width: int, rule: str) -> tuple[list[str], list[list[str]]]:
    """The header lines and, per row, its lines; every line exactly fits the widths."""
    widths = column_widths(columns, rows, width)

    def lines_of(row: list[str]) -> list[str]:
        cells = [wrap(cell, size) for cell, size in zip(row, widths, strict=True)]
        height = max(len(cell) for cell in cells)
        return [GAP.join(pad(cell[line] if line < len(cell) else "", size) for cell, size in zip(cells, widths,
                                                                                              strict=True)).rstrip()
                for line in range(height)]

    header = [*lines_of(columns), GAP.join(rule * size for size in widths)]
    return header, [lines_of(row) for row in rows]
