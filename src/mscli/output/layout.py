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

    Short columns keep their width and no column is cut below its longest unbreakable piece
    (up to MAX_MIN_WIDTH) while that is possible; the room left is shared in proportion to
    how much each column wants.
    """
    table = [columns, *rows]
    natural = [max(max((cell_width(line) for line in row[index].split("\n")), default=0) for row in table)
               for index in range(len(columns))]
    natural = [max(value, 1) for value in natural]
    words = [min(max((cell_width(piece) for row in table for piece, _ in _pieces(row[index])), default=1),
                 MAX_MIN_WIDTH, natural[index]) for index in range(len(columns))]
    room = max(width - len(GAP) * (len(columns) - 1), len(columns))
    if sum(natural) <= room:
        return natural
    short = [value if value <= SHORT else 1 for value in natural]
    base = short if sum(short) <= room else [1] * len(columns)
    floors = _share([max(word, least) for word, least in zip(words, base, strict=True)], base, room)
    return _share(natural, floors, room)


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


def _pieces(text: str) -> Iterator[tuple[str, bool]]:
    """The unbreakable pieces of ``text``, each with whether a space comes before it.

    A line may break at a space or after a hyphen, so "double-blind" is two pieces.
    """
    for word in text.split():
        for position, piece in enumerate(re.findall(r"[^-]*-+|[^-]+", word)):
            yield piece, position == 0


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
            while cell_width(piece) > width:
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
