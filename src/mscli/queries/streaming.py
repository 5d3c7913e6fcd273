"""Trial listings in the default order as a stream: matched as they are read, so a listing of
every trial holds one batch, not all of them (``store.trials_in_order`` reads them so).

Only ``SortKey.START`` streams: it is the order the compiled store keeps. Any other order needs
every trial at once (``core.sort_trials``). When the index alone decides the filter, the
store's lines need not even be parsed: ``stream_trial_lines`` gives them as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from mscli.queries.core import TrialFilter, TrialMatcher, TrialSource

if TYPE_CHECKING:
    from mscli.model.records import Trial

Item = TypeVar("Item")
RowTest = Callable[[Mapping[str, Any]], bool]


class OrderedSource(TrialSource, Protocol):
    """A store that reads its trials in ``start_order`` (``loading.store.Store``)."""

    def trials_in_order(self, keep: RowTest | None = None) -> Iterator[Trial]: ...

    def trial_lines_in_order(self, keep: RowTest | None = None) -> Iterator[tuple[Mapping[str, Any], bytes]]: ...


class StreamedSelection(Generic[Item]):
    """What a filter keeps (trials, or their JSON lines), in ``start_order``, matched as read, so a
    listing in the default order never holds them all. ``undated_left_out`` is final once
    ``finish`` has run."""

    def __init__(self, judge: Callable[[Any], bool | None] | None, read: Iterator[tuple[Any, Item]]) -> None:
        """``judge`` None keeps every item, without a call per item (which at 100,000 trials costs
        a tenth of a second)."""
        self.undated_left_out = 0
        self.trials = map(itemgetter(1), read) if judge is None else self._kept(judge, read)

    def _kept(self, judge: Callable[[Any], bool | None], read: Iterator[tuple[Any, Item]]) -> Iterator[Item]:
        for judged, item in read:
            verdict = judge(judged)
            if verdict:
                yield item
            elif verdict is None:
                self.undated_left_out += 1

    def finish(self) -> None:
        """Read what a --limit left unread, counting without holding, so the count is of all."""
        for _ in self.trials:
            pass


def stream_trials(source: OrderedSource, wanted: TrialFilter) -> StreamedSelection[Trial]:
    """``select_trials`` then ``sort_trials`` by ``SortKey.START``, as a stream (same trials, same order)."""
    matcher = TrialMatcher(source.meta, wanted, source.countries)
    return StreamedSelection(None if _keeps_all(wanted) else matcher.on_trial,
                             ((trial, trial) for trial in source.trials_in_order(matcher.on_index)))


def stream_trial_lines(source: OrderedSource, wanted: TrialFilter) -> StreamedSelection[bytes] | None:
    """``stream_trials`` as each trial's JSON line, unparsed; None when a filter needs more than the index."""
    matcher = TrialMatcher(source.meta, wanted, source.countries)
    if not matcher.index_decides:
        return None
    return StreamedSelection(None if _keeps_all(wanted) else matcher.on_row,
                             source.trial_lines_in_order(matcher.on_index))


def _keeps_all(wanted: TrialFilter) -> bool:
    """Whether the filter keeps every trial: it filters on nothing (``today`` and
    ``include_undated`` matter only with years)."""
    return (wanted.since is None and wanted.until is None
            and not (wanted.therapies or wanted.phases or wanted.statuses or wanted.ms_types
                     or wanted.countries or wanted.designs))
