"""Questions asked of a loaded dataset. Plain data in, plain data out: no printing, no Typer.

Lookups raise ``NotFoundError`` (an id nobody has) or ``UsageError`` (a filter value that
cannot match anything) with "did you mean" suggestions; the CLI decides how to show them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, assert_never

from mscli.errors import NotFoundError, UsageError, unknown
from mscli.loading.store import countries_in
from mscli.model import kinds
from mscli.model.kinds import KINDS, LOOKUP_ORDER, names_of
from mscli.model.labels import COUNTRY_ALIASES
from mscli.model.vocabularies import (
    COLLECTION_NAMES,
    UNCLASSIFIED,
    CollectionName,
    Design,
    MsType,
    Phase,
    SourceKind,
    Status,
    registry_of,
    start_order,
)
from mscli.queries.suggestions import not_found_message, suggest, suggest_ids
from mscli.queries.years import ran_in

if TYPE_CHECKING:
    import datetime

    from mscli.model.records import Dataset, Source, Therapy, Trial

STALE_AFTER_DAYS = 365
_PRIMARY_KINDS = {SourceKind.REGISTRY_RECORD, SourceKind.JOURNAL_ARTICLE, SourceKind.PROTOCOL,
                  SourceKind.REVIEW, SourceKind.GUIDELINE}
_PHASE_ORDER = {phase.value: index for index, phase in enumerate(Phase)}


class SortKey(StrEnum):
    START = "start"
    ID = "id"
    PHASE = "phase"
    ENROLMENT = "enrolment"
    STATUS = "status"
    THERAPY = "therapy"


normalise_key = kinds.normalise_key


# --- lookups -----------------------------------------------------------------------------

def find(dataset: Dataset, collection: CollectionName, query: str) -> Any:
    """The record of ``collection`` whose id, alias, acronym or registry number is ``query``.

    A registry number matches in any form people write it (``nct1854957``, ``EudraCT
    2011-001295-19``, the WHO platform's ``EUCTR2011-001295-19-IT``, ``CTIS2023-...``).
    A registry number shared by an umbrella trial and one of its national arms finds the arm
    (the record with fewer registrations), since that is the more specific answer.
    """
    wanted = normalise_key(query)
    if not wanted:
        raise NotFoundError(f"empty {KINDS[collection].word} id")
    number = None
    if collection in ("trials", "sources"):  # the only ones with registry numbers (their patterns cost 1 ms)
        from mscli.model.registries import canonical_id, numbers_of

        number = canonical_id(query)
    matches = [record for record in dataset[collection]
               if any(normalise_key(name) == wanted for name in names_of(collection, record))
               or (number is not None and number in numbers_of(record))]
    if matches:
        return min(matches, key=_preference)
    raise NotFoundError(not_found_message(dataset, collection, query))


def _preference(record: Any) -> tuple[bool, int]:
    """Editors' records before imported ones; then the one with fewer registrations."""
    return record.get("origin") is not None, len(record.get("registrations") or [])


def therapy_ids(dataset: Dataset, queries: Sequence[str]) -> list[str]:
    """Resolve therapy ids or aliases given as filters; an unknown one is a usage error.

    ``unclassified`` selects imported trials whose interventions named no clear therapy.
    """
    resolved = []
    for query in queries:
        if normalise_key(query) == UNCLASSIFIED:
            resolved.append(UNCLASSIFIED)
            continue
        try:
            resolved.append(find(dataset, "therapies", query)["id"])
        except NotFoundError as error:
            raise UsageError(str(error)) from None
    return resolved


# --- trials ------------------------------------------------------------------------------

class TrialFilter:
    """What ``mscli trials`` may filter on; an empty list means no filter.

    ``since``/``until`` keep trials that ran in any part of the range (``queries.years``);
    ``today`` is the clock an ongoing trial runs to (none given: such a trial's end is unknown).
    Trials whose recorded years cannot place them in the range are left out and counted,
    unless ``include_undated``.
    A plain class rather than a dataclass: building a dataclass costs about a millisecond of
    start-up, on every run.
    """

    def __init__(self, therapies: Sequence[str] = (), phases: Sequence[Phase] = (),
                 statuses: Sequence[Status] = (), ms_types: Sequence[MsType] = (),
                 countries: Sequence[str] = (), designs: Sequence[Design] = (),
                 since: int | None = None, until: int | None = None,
                 today: datetime.date | None = None, include_undated: bool = False) -> None:
        self.therapies, self.phases, self.statuses = list(therapies), list(phases), list(statuses)
        self.ms_types, self.countries, self.designs = list(ms_types), list(countries), list(designs)
        self.since, self.until, self.today, self.include_undated = since, until, today, include_undated


class Selection:
    """The trials a filter kept, and how many it left out only because their years are unknown."""

    def __init__(self, trials: list[Trial], undated_left_out: int) -> None:
        self.trials, self.undated_left_out = trials, undated_left_out


def has_design(trial: Trial, design: Design) -> bool:
    trial_design = trial["design"]
    if design is Design.RANDOMISED:
        return bool(trial_design["randomised"])
    if design is Design.CONTROLLED:
        return bool(trial_design["controlled"])
    if design is Design.CROSSOVER:
        return bool(trial_design["crossover"])
    return trial_design["blinding"] != "open-label"


class TrialMatcher:
    """A filter resolved against a dataset, in two parts so an index can do the first.

    ``on_index`` reads only the fields in INDEXED_TRIAL_FIELDS, so the compiled cache can run it
    on its index rows; it keeps trials whose years cannot tell, so that ``on_trial``, the whole
    filter run on full records, can count those that meet every other filter.
    """

    def __init__(self, dataset: Dataset, wanted: TrialFilter, countries: Iterable[str]) -> None:
        if wanted.since is not None and wanted.until is not None and wanted.since > wanted.until:
            raise UsageError(f"--since {wanted.since} is after --until {wanted.until}")
        self.therapies = set(therapy_ids(dataset, wanted.therapies))
        self.countries = _resolve_countries(countries, wanted.countries)
        self.phases = {str(phase) for phase in wanted.phases}
        self.statuses = {str(status) for status in wanted.statuses}
        self.ms_types = {str(ms_type) for ms_type in wanted.ms_types}
        self.designs = wanted.designs
        self.since, self.until = wanted.since, wanted.until
        self.this_year = wanted.today.year if wanted.today is not None else None
        self.include_undated = wanted.include_undated

    def years(self, row: Mapping[str, Any]) -> bool | None:
        return ran_in(row, self.since, self.until, self.this_year)

    def on_index(self, row: Mapping[str, Any]) -> bool:
        return ((not self.therapies or row["therapy"] in self.therapies)
                and (not self.phases or row["phase"] in self.phases)
                and (not self.statuses or row["status"] in self.statuses)
                and self.years(row) is not False)

    @property
    def index_decides(self) -> bool:
        """Whether ``on_row`` is the whole filter: no filter on a field the index lacks."""
        return not (self.ms_types or self.countries or self.designs)

    def on_row(self, row: Mapping[str, Any]) -> bool | None:
        """``on_trial`` as far as the index fields tell (all of it when ``index_decides``)."""
        return False if not self.on_index(row) else (True if self.include_undated or self.years(row) else None)

    def on_trial(self, trial: Trial) -> bool | None:
        """True if kept, False if not, None if it meets every other filter but its years cannot tell."""
        verdict, eligibility = self.on_row(trial), trial["eligibility"]
        if verdict is False:
            return False
        if self.ms_types and not self.ms_types & set(eligibility["ms_types"] if eligibility else []):
            return False
        if self.countries and not self.countries & {country.lower() for country in trial["countries"]}:
            return False
        return verdict if all(has_design(trial, design) for design in self.designs) else False

    def select(self, trials: Iterable[Trial]) -> Selection:
        kept, undated = [], 0
        for trial in trials:
            verdict = self.on_trial(trial)
            if verdict:
                kept.append(trial)
            elif verdict is None:
                undated += 1
        return Selection(kept, undated)


class TrialSource(Protocol):
    """Where trials come from: a compiled cache that can narrow them by index, or memory."""

    meta: Dataset
    countries: list[str]

    def trials(self, keep: Callable[[Mapping[str, Any]], bool] | None = None) -> list[Trial]: ...
    def trials_named(self, key: str) -> list[Trial] | None: ...
    def dataset(self) -> Dataset: ...


def dataset_for_trials(source: TrialSource, queries: Sequence[str]) -> Dataset:
    """The dataset ``find(..., "trials", query)`` needs for each query: the trials the name index
    holds under each (a line or two parsed, not every trial), else every trial, so that a miss
    gets its suggestions from all. A trial one query finds is among those that query names."""
    named: dict[str, Trial] = {}
    for query in queries:
        if not (trials := source.trials_named(normalise_key(query))):
            return source.dataset()
        named.update((trial["id"], trial) for trial in trials)
    return {**source.meta, "trials": list(named.values())}


def filter_trials(dataset: Dataset, wanted: TrialFilter) -> Selection:
    """Trials meeting every filter given (any of the values given for one filter)."""
    return TrialMatcher(dataset, wanted, countries_in(dataset)).select(dataset["trials"])


def select_trials(source: TrialSource, wanted: TrialFilter) -> Selection:
    """``filter_trials`` over a store: only trials whose index row passes are read."""
    matcher = TrialMatcher(source.meta, wanted, source.countries)
    return matcher.select(source.trials(keep=matcher.on_index))


def _resolve_countries(countries: Iterable[str], queries: Sequence[str]) -> set[str]:
    known = {country.lower(): country for country in countries}
    resolved = set()
    for query in (part for value in queries for part in value.split(",") if part.strip()):
        key = query.strip().lower()
        key = COUNTRY_ALIASES.get(key, key).lower()
        if key not in known:
            raise UsageError(unknown("country", query.strip(), suggest(query, known.values()),
                                     "no trial in the dataset lists it; 'mscli trials' shows their countries"))
        resolved.add(key)
    return resolved


def enrolment_figure(trial: Trial) -> tuple[int, str] | None:
    """The headline enrolment: the newest actual figure, else the newest planned one."""
    by_preference = sorted(trial["enrolment"], key=lambda e: (e["kind"] == "actual", e["as_of"]))
    if not by_preference:
        return None
    best = by_preference[-1]
    return best["count"], best["kind"]


def sort_trials(trials: list[Trial], key: SortKey) -> list[Trial]:
    def sort_value(trial: Trial) -> tuple[Any, ...]:
        if key is SortKey.ID:
            return (trial["id"],)
        if key is SortKey.PHASE:
            return (_PHASE_ORDER.get(trial["phase"], 99), trial["id"])
        if key is SortKey.ENROLMENT:
            figure = enrolment_figure(trial)
            return (-(figure[0] if figure else -1), trial["id"])
        if key is SortKey.STATUS:
            return (trial["status"], trial["id"])
        if key is SortKey.THERAPY:
            return (trial["therapy"], trial["start_year"] or 9999, trial["id"])
        return start_order(trial)

    return sorted(trials, key=sort_value)


# --- sources and details -----------------------------------------------------------------

def source_index(dataset: Dataset) -> dict[str, Source]:
    return {source["id"]: source for source in dataset["sources"]}


def sources_of(dataset: Dataset, record: Any) -> list[Source]:
    """Every source a record cites, in the order first cited, each once; a source cites itself."""
    index = source_index(dataset)
    itself = index.get(record["id"])
    if itself is not None and itself is record:
        return [itself]
    wanted: list[str] = [*record.get("sources", []), *record.get("publications", [])]
    for criteria in (record.get("eligibility"), record.get("benefit_profile")):
        if criteria:
            wanted.append(criteria["source"])
            wanted += [wording["source"] for wording in criteria.get("wording", [])]
    wanted += [entry["source"] for entry in record.get("enrolment", [])]
    wanted += [entry["source"] for entry in record.get("differences", [])]
    if record.get("certainty"):
        wanted.append(record["certainty"]["source"])
    seen: dict[str, Source] = {}
    for source_id in wanted:
        if source_id in index and source_id not in seen:
            seen[source_id] = index[source_id]
    return list(seen.values())


def primary_first(entries: list[Any], dataset: Dataset) -> list[Any]:
    """Order sourced values newest primary source first, then other sources, newest first."""
    index = source_index(dataset)

    def key(entry: Any) -> tuple[bool, str]:
        kind = index[entry["source"]]["kind"] if entry["source"] in index else ""
        return (kind in _PRIMARY_KINDS, str(entry["as_of"]))

    return sorted(entries, key=key, reverse=True)


def trial_detail(dataset: Dataset, trial: Trial, links: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """A trial with its sourced values in reading order and its sources resolved.

    ``links``: the glossary terms the store kept, by record id (see ``terms.terms_in``).
    """
    from mscli.queries import terms

    detail: dict[str, Any] = dict(trial)
    detail["registrations"] = [{**registration, "registry": registry_of(registration["id"])}
                               for registration in trial["registrations"]]
    detail["enrolment"] = primary_first(list(trial["enrolment"]), dataset)
    detail["differences"] = primary_first(list(trial["differences"]), dataset)
    detail["cited_sources"] = sources_of(dataset, trial)
    detail["terms"] = terms.terms_in(dataset, trial, links)
    return detail


def therapy_detail(dataset: Dataset, therapy: Therapy,
                   links: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    from mscli.queries import terms

    detail: dict[str, Any] = dict(therapy)
    trials = [trial for trial in dataset["trials"] if trial["therapy"] == therapy["id"]]
    detail["trial_ids"] = [trial["id"] for trial in sort_trials(trials, SortKey.START)]
    detail["study_ids"] = [study["id"] for study in dataset["studies"] if study["therapy"] == therapy["id"]]
    detail["guidance_ids"] = [g["id"] for g in dataset["guidance"] if therapy["id"] in g["therapies"]]
    detail["cited_sources"] = sources_of(dataset, therapy)
    detail["terms"] = terms.terms_in(dataset, therapy, links)
    return detail


def record_detail(dataset: Dataset, collection: CollectionName, record: Any, links: Mapping[str, Sequence[str]] | None
                  = None, used_by: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A record with its sources resolved and, where its kind links them, its glossary terms.
    ``links``, ``used_by``: terms and a term's users as the store keeps them; else texts are tested."""
    match collection:
        case "trials":
            return trial_detail(dataset, record, links)
        case "therapies":
            return therapy_detail(dataset, record, links)
        case "studies" | "guidance" | "sources" | "glossary" | "red_flags" | "outcomes" | "searches":
            from mscli.queries import terms

            detail = {**record, "cited_sources": sources_of(dataset, record)}
            if KINDS[collection].links_terms:
                detail["terms"] = terms.terms_in(dataset, record, links)
            if collection == "glossary":
                detail["used_by"] = terms.used_by(dataset, record) if used_by is None else used_by
            return detail
        case _:
            assert_never(collection)


def find_any(dataset: Dataset, query: str) -> tuple[CollectionName, Any]:
    """A record of any type by id or alias (for ``cite``), trials and therapies first.

    A record whose own id is the query comes first; then an editors' record of any type comes
    before an imported one, so that a registry study whose acronym is "MSC" cannot take the
    place of the therapy ``msc``, nor the source behind an imported trial the trial itself.
    """
    key = normalise_key(query)
    for collection in LOOKUP_ORDER:
        for record in dataset[collection]:
            if normalise_key(record["id"]) == key:
                return collection, record
    found: list[tuple[CollectionName, Any]] = []
    for collection in LOOKUP_ORDER:
        try:
            record = find(dataset, collection, query)
        except NotFoundError:
            continue
        if record.get("origin") is None:
            return collection, record
        found.append((collection, record))
    if found:
        return found[0]
    everything = ((record["id"], names_of(collection, record)) for collection in COLLECTION_NAMES
                  for record in dataset[collection])
    raise NotFoundError(unknown("record", query, suggest_ids(query, everything),
                                "'mscli search WORDS' finds records by what they say"))
