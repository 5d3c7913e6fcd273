"""Horizontal bar charts for the terminal, drawn with Rich (imported only when drawing).

A chart must read the same in 80 columns without colour: every bar is followed by its numbers
as text, stacked parts use different characters (block shades, or ``# + =`` when the terminal
cannot show Unicode), and a legend names them. Colour, when allowed, only adds to that. This
module knows bars and terminals, not trials.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from mscli.model.labels import NOTICE
from mscli.output.terminal import Terminal, clean

_UNICODE_MARKS = ("█", "░", "▒")
_ASCII_MARKS = ("#", "+", "=")
_COLOURS = ("cyan", "yellow", "magenta")
_LABEL_MAX = 20
_MIN_BAR = 10


@dataclass
class Bar:
    """One labelled bar: its stacked parts (in the panel's part order) and its numbers as text."""

    label: str
    parts: tuple[int, ...]
    text: str


@dataclass
class Panel:
    """Bars drawn on one scale, with a title and the names of the stacked parts."""

    title: str
    part_names: tuple[str, ...]
    bars: list[Bar]


@dataclass
class Chart:
    panels: list[Panel]
    notes: list[str] = field(default_factory=list)


def _lengths(parts: tuple[int, ...], largest: int, width: int) -> list[int]:
    """Characters per part, rounding the running total so the bar's length stays true."""
    if largest <= 0:
        return [0] * len(parts)
    lengths, drawn, running = [], 0, 0
    for value in parts:
        running += value
        end = round(running * width / largest)
        lengths.append(end - drawn)
        drawn = end
    if sum(parts) > 0 and drawn == 0:
        first = next(index for index, value in enumerate(parts) if value > 0)
        lengths[first] = 1
    return lengths


def _cut(label: str) -> str:
    return label if len(label) <= _LABEL_MAX else label[:_LABEL_MAX - 3] + "..."


def draw(chart: Chart, terminal: Terminal) -> str:
    """The chart as text at most ``terminal.width`` columns wide."""
    from rich.console import Console
    from rich.text import Text

    width = max(terminal.width, 40)
    console = Console(
        file=io.StringIO(), width=width, force_terminal=terminal.color, no_color=not terminal.color,
        color_system="standard" if terminal.color else None, markup=False, emoji=False,
        highlight=False, legacy_windows=False,
    )
    marks = _UNICODE_MARKS if terminal.unicode else _ASCII_MARKS
    if not any(panel.bars for panel in chart.panels):
        console.print(Text("No results."))
    for panel in (panel for panel in chart.panels if panel.bars):
        console.print(Text(clean(panel.title), style="bold" if terminal.color else ""))
        if len(panel.part_names) > 1:
            legend = "   ".join(f"{marks[i]} {name}" for i, name in enumerate(panel.part_names))
            console.print(Text("  " + clean(legend)))
        labels = [_cut(clean(bar.label)) for bar in panel.bars]
        label_width = max((len(label) for label in labels), default=0)
        text_width = max((len(clean(bar.text)) for bar in panel.bars), default=0)
        bar_width = max(width - label_width - text_width - 6, _MIN_BAR)
        largest = max((sum(bar.parts) for bar in panel.bars), default=0)
        for label, bar in zip(labels, panel.bars, strict=True):
            line = Text("  " + label.ljust(label_width) + " ")
            lengths = _lengths(bar.parts, largest, bar_width)
            for index, length in enumerate(lengths):
                style = _COLOURS[index % len(_COLOURS)] if terminal.color else ""
                line.append(marks[index % len(marks)] * length, style=style)
            line.append(" " * (bar_width - sum(lengths)) + " " + clean(bar.text))
            console.print(line, no_wrap=True, overflow="crop")
        console.print()
    style = "dim" if terminal.color else ""
    for note in chart.notes:
        console.print(Text(clean(note), style=style))
    console.print(Text(NOTICE, style=style))
    return str(console.file.getvalue())  # type: ignore[attr-defined]
