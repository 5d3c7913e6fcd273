"""Shape query results into Views: which columns a listing shows and how values read as text.

The JSON payload of a view is always the records themselves (all fields, stable keys); the
columns are only for the human and tabular formats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, assert_never

from mscli.model import labels as words
from mscli.model.kinds import KINDS
from mscli.model.vocabularies import CollectionName
from mscli.output.copies import copies_text
from mscli.output.render import View
from mscli.queries import core as queries
from mscli.queries import info as dataset_info

if TYPE_CHECKING:
    from mscli.model.records import Dataset, Source, Trial

UNVERIFIED = words.UNVERIFIED_SUFFIX
ORIGINS = {"imported": "imported by you from a registry file with 'mscli import'; not reviewed by mscli's editors"}


def text(value: Any) -> str:
    """A field value as one readable string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {text(item)}" for key, item in value.items()
                         if item not in (None, []))
    if isinstance(value, list):
        items = [text(item["id"] if isinstance(item, dict) and "id" in item else item) for item in value]
        return ("\n" if any(len(item) > 40 for item in items) else ", ").join(items)
    return str(value)


def say(labels: dict[str, str], slug: str) -> str:
    """A slug in words, with the slug after it for anyone matching it to JSON or --fields."""
    label = labels.get(slug)
    return f"{label} ({slug})" if label and label != slug else slug


def marked(record: Any, field: str, value: str) -> str:
    if value and field in record.get("unverified", []):
        return value + UNVERIFIED
    return value


def listing(records: Iterable[Any], record_type: str | None, columns: list[tuple[str, Callable[[Any], str]]],
             title: str | None = None, notes: list[str] | None = None,
             labels: dict[str, dict[str, str]] | None = None, short: dict[str, int] | None = None,
             optional: list[str] | None = None) -> View:
    return View(payload=records if isinstance(records, Iterator) else list(records), columns=[h for h, _ in columns],
                rows=lambda: [[get(record) for _, get in columns] for record in records],
                title=title, notes=notes or [], record_type=record_type, labels=labels,
                short=short, optional=optional)


def field(name: str) -> Callable[[Any], str]:
    return lambda record: marked(record, name, text(record.get(name)))


def enrolment_text(trial: Trial) -> str:
    figure = queries.enrolment_figure(trial)
    if figure is None:
        return ""
    count, kind = figure
    return marked(trial, "enrolment", f"{count} ({kind})")


def enrolment_count(trial: Trial) -> str:
    """The newest enrolment figure alone: its kind is a column of its own, so CSV cells stay numbers."""
    figure = queries.enrolment_figure(trial)
    return marked(trial, "enrolment", str(figure[0])) if figure else ""


def enrolment_type(trial: Trial) -> str:
    figure = queries.enrolment_figure(trial)
    return str(figure[1]) if figure else ""


def years_text(trial: Trial) -> str:
    start, end = trial["start_year"], trial["end_year"]
    return "" if start is None and end is None else f"{start or '?'}-{end or ''}"


def trials_view(trials: Iterable[Trial], notes: list[str] | None = None) -> View:
    return listing(trials, "trial", [
        ("id", field("id")),
        ("name", lambda trial: trial["acronym"] or trial["title"]),
        ("therapy", field("therapy")), ("phase", field("phase")),
        ("status", field("status")), ("years", years_text),
        ("enrolment", enrolment_count),
        ("enrolment_type", enrolment_type),
        ("design", design_text),
        ("outcome", field("outcome")),
    ], notes=notes, labels={"status": words.STATUS_LABELS, "outcome": words.OUTCOME_LABELS,
                            "phase": words.PHASE_LABELS},
       short={"name": 24}, optional=["design", "enrolment_type", "enrolment", "years", "phase"])


def design_text(trial: Trial) -> str:
    design = trial["design"]
    allocation = "randomised" if design["randomised"] else ("controlled" if design["controlled"] else "single-arm")
    parts = [allocation, design["blinding"]]
    parts += ["crossover"] if design["crossover"] else []
    return ", ".join(parts)


def therapies_view(dataset: Dataset) -> View:
    counts = dataset_info.trials_by_therapy(dataset)
    return listing(dataset["therapies"], "therapy", [
        ("id", field("id")),
        ("name", field("name")),
        ("availability", field("availability")),
        ("chemotherapy", field("chemotherapy")),
        ("aim", field("aim")),
        ("trials", lambda therapy: str(counts.get(therapy["id"], 0))),
    ], labels={"availability": words.AVAILABILITY_LABELS, "chemotherapy": words.CHEMOTHERAPY_LABELS,
               "aim": words.AIM_LABELS})


def sources_view(sources: Sequence[Source]) -> View:
    return listing(sources, "source", [
        ("id", field("id")),
        ("kind", field("kind")),
        ("publisher", field("publisher")),
        ("year", field("year")),
        ("title", field("title")),
        ("identifier", source_identifier),
        ("verified", field("verified")),
    ], labels={"kind": words.SOURCE_KIND_LABELS})


def source_identifier(source: Source) -> str:
    for label, key in (("", "registry_id"), ("doi:", "doi"), ("PMID ", "pmid"), ("", "url")):
        if source[key]:  # type: ignore[literal-required]
            return f"{label}{source[key]}"  # type: ignore[literal-required]
    return ""


def _source_lines(sources: Sequence[Source]) -> str:
    lines = []
    for source in sources:
        mark = "" if source["verified"] else UNVERIFIED
        year = f" ({source['year']})" if source["year"] else ""
        ident = source_identifier(source)
        lines.append(f"[{source['id']}] {source['publisher']}{year}: {source['title']}"
                     f"{' - ' + ident if ident else ''}{mark}")
    return "\n".join(lines)


def registry_link(number: str) -> str:
    """The public page of a registration, for the registries whose addresses are stable."""
    if re.fullmatch(r"NCT\d{8}", number):
        return f"https://clinicaltrials.gov/study/{number}"
    if re.fullmatch(r"ISRCTN\d+", number):
        return f"https://www.isrctn.com/{number}"
    if re.fullmatch(r"\d{4}-\d{6}-\d{2}", number):
        return f"https://www.clinicaltrialsregister.eu/ctr-search/search?query={number}"
    return ""


def _detail(title: str, pairs: list[tuple[str, str]] | Callable[[], list[tuple[str, str]]], payload: dict[str, Any],
            record_type: str, notes: list[str] | None = None) -> View:
    """``pairs`` may be a function: JSON never builds the text (``features.match`` words eligibility)."""
    view = View(payload=payload, columns=["field", "value"], title=title, notes=notes or [], record_type=record_type,
                rows=lambda: [[label, value] for label, value in (pairs() if callable(pairs) else pairs) if value])
    view.headless = True
    return view


def trial_view(detail: dict[str, Any]) -> View:
    title = f"{detail['acronym'] or detail['id']}: {detail['title']}"
    return _detail(title, lambda: _trial_pairs(detail), detail, "trial-detail")


def _trial_pairs(trial: Any) -> list[tuple[str, str]]:
    eligibility = trial["eligibility"]
    enrolment = "\n".join(
        f"{e['count']} {e['kind']} (as of {e['as_of']}, {e['source']})"
        + (f": {e['note']}" if e["note"] else "") for e in trial["enrolment"])
    differences = "\n".join(
        f"{d['field']}: {d['value']} (as of {d['as_of']}, {d['source']})"
        + (f": {d['note']}" if d["note"] else "") for d in trial["differences"])
    registrations = "\n".join(
        f"{r['id']} ({r['registry'] or 'unknown registry'})" + (f": {r['note']}" if r["note"] else "")
        + (f"\n  {registry_link(r['id'])}" if registry_link(r["id"]) else "")
        for r in trial["registrations"])
    # Reading order: what it is and what it found, who could join, design, registrations, sources.
    return [
        ("id", trial["id"]),
        ("acronym", trial["acronym"] or ""),
        ("title", trial["title"]),
        ("therapy", trial["therapy"]),
        ("status", marked(trial, "status", say(words.STATUS_LABELS, trial["status"]))),
        ("outcome", say(words.OUTCOME_LABELS, trial["outcome"])),
        ("result", marked(trial, "result", text(trial["result"]))),
        ("primary endpoint", marked(trial, "primary_endpoint", text(trial["primary_endpoint"]))),
        ("adverse events", marked(trial, "adverse_events", text(trial["adverse_events"]))),
        ("why stopped", text(trial["why_stopped"])),
        ("results on the registry", "\n".join(trial["posted_outcomes"]) or ("yes" if trial["results_posted"] else "")),
        ("phase", marked(trial, "phase", trial["phase"])),
        ("years", marked(trial, "start_year", years_text(trial))),
        ("eligibility", eligibility_text(eligibility) if eligibility else ""),
        ("eligibility criteria", text(eligibility["criteria"]) if eligibility else ""),
        ("enrolment", marked(trial, "enrolment", enrolment)),
        ("sites", marked(trial, "sites", text(trial["sites"]))),
        ("countries", marked(trial, "countries", text(trial["countries"]))),
        ("design", design_text(trial) + (f"; comparator: {trial['design']['comparator']}"
                                          if trial["design"]["comparator"] else "")),
        ("routes", marked(trial, "routes", text(trial["routes"]))),
        ("conditions", text(trial["conditions"])),
        ("interventions", "\n".join(
            f"{i['name']} ({i['kind']})" + (f": {i['description']}" if i["description"] else "")
            for i in trial["interventions"])),
        ("arms", "\n".join(
            f"{a['label']}" + (f" ({a['kind']})" if a["kind"] else "")
            + (f": {', '.join(a['interventions'])}" if a["interventions"] else "")
            for a in trial["arms"])),
        ("dose", marked(trial, "dose", text(trial["dose"]))),
        ("where sources differ", differences),
        ("registrations", registrations),
        ("publications", text(trial["publications"])),
        ("terms", text(trial["terms"])),
        ("sources", _source_lines(trial["cited_sources"])),
        ("origin", ORIGINS.get(trial["origin"] or "", "")),
        ("reviewed", trial["reviewed"]),
    ]


_CRITERION_WORDS = {"ms-type": "MS type", "edss": "EDSS"}


def eligibility_text(eligibility: dict[str, Any], cite: bool = True) -> str:
    """Structured limits in the words ``mscli match`` uses, then the notes; ``cite`` adds the source."""
    from mscli.features.match import Profile, check

    parts = [f"{_CRITERION_WORDS.get(result.criterion.value, result.criterion.value.replace('-', ' '))}: "
             f"{result.limit}" for result in check(eligibility, Profile())]  # type: ignore[arg-type]
    if eligibility.get("sex") and eligibility["sex"] != "all":
        parts.append(f"{eligibility['sex']} only")
    if eligibility.get("healthy_volunteers") is not None:
        parts.append("healthy volunteers " + ("accepted" if eligibility["healthy_volunteers"] else "not accepted"))
    if eligibility["notes"]:
        parts.append(eligibility["notes"])
    return "; ".join(parts) + (f" ({eligibility['source']})" if cite else "")


def therapy_view(detail: dict[str, Any]) -> View:
    therapy: Any = detail
    pairs = [(name.replace("_", " "), marked(therapy, name, text(therapy[name]))) for name in (
        "id", "name", "aliases", "summary", "cell_source", "mechanism", "chemotherapy", "aim",
        "availability", "strongest_evidence", "main_risks", "who_benefits", "who_does_not_benefit",
        "trial_ids", "study_ids", "guidance_ids", "terms")]
    pairs += [("sources", _source_lines(therapy["cited_sources"])), ("reviewed", therapy["reviewed"])]
    return _detail(therapy["name"], pairs, detail, "therapy-detail")


def detail_view(collection: CollectionName, detail: dict[str, Any]) -> View:
    """The detail view for a record of any collection."""
    match collection:
        case "trials":
            return trial_view(detail)
        case "therapies":
            return therapy_view(detail)
        case "studies" | "guidance" | "sources" | "glossary" | "red_flags" | "outcomes" | "searches":
            return _generic_view(detail, KINDS[collection].detail_type)
        case _:
            assert_never(collection)


def value_text(name: str, value: Any) -> str:
    """A field's value as text, for the fields whose nested records read better in words."""
    if name == "benefit_profile" and value:
        return f"{value['therapy']}: {eligibility_text(value)}"
    return copies_text(value) if name == "seen_at" else text(value)


def _generic_view(detail: dict[str, Any], record_type: str) -> View:
    """Every field in order, for studies, guidance, glossary terms and sources."""
    skip = {"cited_sources", "sources", "unverified", "used_by"}
    pairs = [(name.replace("_", " "), marked(detail, name, value_text(name, value)))
             for name, value in detail.items() if name not in skip]
    if detail.get("used_by"):
        pairs.append(("used by", ", ".join(f"{use['type']} {use['id']}" for use in detail["used_by"])))
    if detail.get("cited_sources"):
        pairs.append(("sources", _source_lines(detail["cited_sources"])))
    title = str(detail.get("title") or detail.get("term") or detail.get("measure") or detail.get("query")
                or detail["id"])
    return _detail(title, pairs, detail, record_type)


COMPARE_ASPECTS: tuple[tuple[str, str], ...] = (
    ("name", "therapy"), ("summary", "what it is"), ("cell_source", "where the cells come from"),
    ("mechanism", "how it is meant to work"), ("chemotherapy", "chemotherapy"),
    ("aim", "aim"), ("availability", "availability"),
    ("strongest_evidence", "strongest evidence so far"), ("trials", "trials in mscli"),
    ("randomised_trials", "randomised trials"),
    ("participants_enrolled", "participants enrolled (actual)"),
    ("participants_planned", "participants planned (trials not yet reported)"),
    ("main_risks", "main risks"), ("who_benefits", "who benefits most"),
    ("who_does_not_benefit", "who is unlikely to benefit"), ("sources", "sources"),
)


def compare_view(rows: list[dict[str, Any]]) -> View:
    columns = ["", *(row["id"] for row in rows)]
    return View(payload=rows, columns=columns, title="Comparison",
                rows=lambda: [[label, *(marked(row, key, text(row[key])) for row in rows)]
                              for key, label in COMPARE_ASPECTS],
                notes=["Counts come from the trials in this dataset, not from every trial ever run."],
                record_type="comparison")


def info_view(summary: dict[str, Any], data_path: str) -> View:
    pairs = [
        ("title", summary["title"]), ("version", summary["version"]),
        ("reviewed", f"{summary['reviewed']} ({summary['days_since_review']} days ago)"),
        ("data", data_path),
        *((name, str(count)) for name, count in summary["counts"].items()),
        ("registered trials", str(summary["studies"]["registered_trials"])),
        ("trials without a registry number", str(summary["studies"]["unregistered_trials"])),
        ("cohort studies", str(summary["studies"]["cohorts"])),
        ("case series", str(summary["studies"]["case_series"])),
        ("search log", _coverage_line(summary["coverage"])),
        ("unverified sources", str(summary["unverified_sources"])),
    ]
    notes = ["This dataset is more than a year past its review date."] if summary["stale"] else []
    return _detail("mscli dataset", pairs, {**summary, "data": data_path}, "info", notes)


def _coverage_line(summary: dict[str, Any]) -> str:
    if not summary["searches"]:
        return "none recorded"
    return (f"{summary['searches']} in {summary['databases']} database(s), last on {summary['last_search']}: "
            f"{summary['registrations_found']} registrations found, {summary['trials_included']} trials "
            f"included, {summary['registrations_excluded']} excluded (mscli coverage)")


_LISTING_LABELS = {"study": {"kind": words.STUDY_KIND_LABELS}, "guidance": {"kind": words.GUIDANCE_KIND_LABELS}}


def listing_view(records: Sequence[Any], record_type: str, fields: Sequence[str]) -> View:
    """A plain listing showing the named fields of each record, vocabularies in plain words."""
    return listing(records, record_type, [(name, field(name)) for name in fields],
                   labels=_LISTING_LABELS.get(record_type))


def glossary_view(terms: Sequence[Any]) -> View:
    return listing(terms, "term", [("term", field("term")), ("definition", field("definition"))])


def import_view(rows: Sequence[Any], into: str) -> View:
    """What an import did with each study; the JSON is one object per study."""
    view = listing([row.as_dict() for row in rows], None, [
        ("input", field("file")),
        ("study", lambda row: row["study"] or ""),
        ("action", field("action")),
        ("trial", field("trial")),
        ("therapy", field("therapy")),
        ("file or reason", lambda row: row["reason"] or row["path"] or ""),
    ], title=f"Import into {into}")
    view.notes = ["Imported trials are the registry's values, converted; mscli's editors have not "
                  "reviewed them."]
    return view


def problems_view(problems: Sequence[Any]) -> View:
    payload = [{"file": p.file, "line": p.line, "record": p.record, "field": p.field,
                "message": p.message} for p in problems]
    return View(payload=payload, columns=["location", "problem"],
                rows=lambda: [[p.location, p.message] for p in problems],
                title="Problems", record_type="validation-problem")


def diff_view(report: Any) -> View:
    """One row per added or removed record and per changed field."""
    singular = {name: kind.word for name, kind in KINDS.items()}
    summary = report["summary"]
    notes = [f"{summary['added']} added, {summary['removed']} removed, {summary['changed']} changed."]
    return View(payload=report, columns=["change", "type", "id", "field", "old", "new"], rows=lambda: [
        *([change, singular[ref["collection"]], ref["id"], "", "", ""]
          for change in ("added", "removed") for ref in report[change]),
        *(["changed", singular.get(record["collection"], record["collection"]), record["id"], change["field"],
           text(change["old"]), text(change["new"])] for record in report["changed"] for change in record["changes"])],
                title=f"Changes from {report['old']} to {report['new']}", notes=notes, record_type="diff")


def schema_types_view(types: Sequence[Any]) -> View:
    return listing(types, "schema-type", [
        ("name", field("name")), ("description", field("description")), ("emitted by", field("emitted_by"))])
