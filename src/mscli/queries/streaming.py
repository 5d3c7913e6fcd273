"""Trial listings in the default order as a stream: matched as they are read, so a listing of
every trial holds one batch, not all of them (``store.trials_in_order`` reads them so).

Only ``SortKey.START`` streams: it is the order the compiled store keeps. Any other order needs
every trial at once (``core.sort_trials``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mscli.model.records import Trial
from mscli.queries.core import TrialFilter, TrialMatcher, TrialSource


class StreamedSelection:
    """The trials a filter keeps, in ``start_order``, matched as they are read, so a listing in the
    default order never holds them all. ``undated_left_out`` is final once ``finish`` has run."""

    def __init__(self, matcher: TrialMatcher, trials: Iterator[Trial]) -> None:
        self.undated_left_out = 0
        self._read = trials
        self.trials = self._kept(matcher)

    def _kept(self, matcher: TrialMatcher) -> Iterator[Trial]:
        for trial in self._read:
            verdict = matcher.on_trial(trial)
            if verdict:
                yield trial
            elif verdict is None:
                self.undated_left_out += 1

    def finish(self) -> None:
        """Read what a --limit left unread, counting without holding, so the count is of all."""
        for _ in self.trials:
            pass


def stream_trials(source: TrialSource, wanted: TrialFilter) -> StreamedSelection:
    """``select_trials`` then ``sort_trials`` by ``SortKey.START``, as a stream (same trials, same order)."""
    matcher = TrialMatcher(source.meta, wanted, source.countries)
    return StreamedSelection(matcher, source.trials_in_order(keep=matcher.on_index))
