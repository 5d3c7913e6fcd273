"""Shape query results into Views: which columns a listing shows and how values read as text.

The JSON payload of a view is always the records themselves (all fields, stable keys); the
columns are only for the human and tabular formats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mscli.model.records import COLLECTIONS, Dataset, Source, Trial
from mscli.output.render import View
from mscli.queries import core as queries

UNVERIFIED = " (unverified)"
ORIGINS = {"imported": "imported by you from a registry file with 'mscli import'; not reviewed by "
                       "mscli's editors"}


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


def marked(record: Any, field: str, value: str) -> str:
    if value and field in record.get("unverified", []):
        return value + UNVERIFIED
    return value


def _listing(records: Sequence[Any], record_type: str | None, columns: list[tuple[str, Callable[[Any], str]]],
             title: str | None = None, notes: list[str] | None = None) -> View:
    return View(payload=list(records), columns=[header for header, _ in columns],
                rows=[[get(record) for _, get in columns] for record in records],
                title=title, notes=notes or [], record_type=record_type)


def _field(name: str) -> Callable[[Any], str]:
    return lambda record: marked(record, name, text(record.get(name)))


def enrolment_text(trial: Trial) -> str:
    figure = queries.enrolment_figure(trial)
    if figure is None:
        return ""
    count, kind = figure
    return marked(trial, "enrolment", f"{count} ({kind})")


def years_text(trial: Trial) -> str:
    start, end = trial["start_year"], trial["end_year"]
    if start is None and end is None:
        return ""
    return f"{start or '?'}-{end or ''}"


def trials_view(trials: Sequence[Trial]) -> View:
    return _listing(trials, "trial", [
        ("id", _field("id")),
        ("therapy", _field("therapy")),
        ("phase", _field("phase")),
        ("status", _field("status")),
        ("years", years_text),
        ("enrolment", enrolment_text),
        ("design", design_text),
        ("outcome", _field("outcome")),
    ])


def design_text(trial: Trial) -> str:
    design = trial["design"]
    allocation = "randomised" if design["randomised"] else ("controlled" if design["controlled"] else "single-arm")
    parts = [allocation, design["blinding"]]
    if design["crossover"]:
        parts.append("crossover")
    return ", ".join(parts)


def therapies_view(dataset: Dataset) -> View:
    counts = queries.trials_by_therapy(dataset)
    return _listing(dataset["therapies"], "therapy", [
        ("id", _field("id")),
        ("name", _field("name")),
        ("availability", _field("availability")),
        ("chemotherapy", _field("chemotherapy")),
        ("aim", _field("aim")),
        ("trials", lambda therapy: str(counts.get(therapy["id"], 0))),
    ])


def sources_view(sources: Sequence[Source]) -> View:
    return _listing(sources, "source", [
        ("id", _field("id")),
        ("kind", _field("kind")),
        ("publisher", _field("publisher")),
        ("year", _field("year")),
        ("title", _field("title")),
        ("identifier", source_identifier),
        ("verified", _field("verified")),
    ])


def source_identifier(source: Source) -> str:
    for label, key in (("", "registry_id"), ("doi:", "doi"), ("PMID ", "pmid"), ("", "url")):
        if source[key]:  # type: ignore[literal-required]
            return f"{label}{source[key]}"  # type: ignore[literal-required]
    return ""


def search_view(hits: list[dict[str, Any]], query: str) -> View:
    return _listing(hits, "search-hit", [
        ("type", _field("type")),
        ("id", _field("id")),
        ("title", _field("title")),
        ("matched in", lambda hit: ", ".join(hit["matched"])),
    ], title=f"Search: {query}")


def _source_lines(sources: Sequence[Source]) -> str:
    lines = []
    for source in sources:
        mark = "" if source["verified"] else UNVERIFIED
        year = f" ({source['year']})" if source["year"] else ""
        ident = source_identifier(source)
        lines.append(f"[{source['id']}] {source['publisher']}{year}: {source['title']}"
                     f"{' - ' + ident if ident else ''}{mark}")
    return "\n".join(lines)


def _detail(title: str, pairs: list[tuple[str, str]], payload: dict[str, Any], record_type: str,
            notes: list[str] | None = None) -> View:
    rows = [[label, value] for label, value in pairs if value]
    return View(payload=payload, columns=["field", "value"], rows=rows, title=title, notes=notes or [],
                record_type=record_type)


def trial_view(detail: dict[str, Any]) -> View:
    trial: Any = detail
    eligibility = trial["eligibility"]
    enrolment = "\n".join(
        f"{e['count']} {e['kind']} (as of {e['as_of']}, {e['source']})"
        + (f": {e['note']}" if e["note"] else "") for e in trial["enrolment"])
    differences = "\n".join(
        f"{d['field']}: {d['value']} (as of {d['as_of']}, {d['source']})"
        + (f": {d['note']}" if d["note"] else "") for d in trial["differences"])
    registrations = "\n".join(
        f"{r['id']} ({r['registry'] or 'unknown registry'})" + (f": {r['note']}" if r["note"] else "")
        for r in trial["registrations"])
    pairs = [
        ("id", trial["id"]),
        ("acronym", trial["acronym"] or ""),
        ("title", trial["title"]),
        ("therapy", trial["therapy"]),
        ("registrations", registrations),
        ("phase", marked(trial, "phase", trial["phase"])),
        ("status", marked(trial, "status", trial["status"])),
        ("years", marked(trial, "start_year", years_text(trial))),
        ("design", design_text(trial) + (f"; comparator: {trial['design']['comparator']}"
                                          if trial["design"]["comparator"] else "")),
        ("eligibility", eligibility_text(eligibility) if eligibility else ""),
        ("eligibility criteria", text(eligibility["criteria"]) if eligibility else ""),
        ("enrolment", marked(trial, "enrolment", enrolment)),
        ("sites", marked(trial, "sites", text(trial["sites"]))),
        ("countries", marked(trial, "countries", text(trial["countries"]))),
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
        ("primary endpoint", marked(trial, "primary_endpoint", text(trial["primary_endpoint"]))),
        ("result", marked(trial, "result", text(trial["result"]))),
        ("outcome", trial["outcome"]),
        ("adverse events", marked(trial, "adverse_events", text(trial["adverse_events"]))),
        ("where sources differ", differences),
        ("publications", text(trial["publications"])),
        ("terms", text(trial["terms"])),
        ("sources", _source_lines(trial["cited_sources"])),
        ("origin", ORIGINS.get(trial["origin"] or "", "")),
        ("reviewed", trial["reviewed"]),
    ]
    title = f"{trial['acronym'] or trial['id']}: {trial['title']}"
    return _detail(title, pairs, detail, "trial-detail")


_CRITERION_WORDS = {"ms-type": "MS type", "edss": "EDSS"}


def eligibility_text(eligibility: dict[str, Any], cite: bool = True) -> str:
    """Structured limits in the words ``mscli match`` uses, then the notes; ``cite`` adds the source."""
    from mscli.features.match import Profile, check

    parts = [f"{_CRITERION_WORDS.get(result.criterion.value, result.criterion.value.replace('-', ' '))}: "
             f"{result.limit}" for result in check(eligibility, Profile())]  # type: ignore[arg-type]
    if eligibility.get("sex") and eligibility["sex"] != "all":
        parts.append(f"{eligibility['sex']} only")
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


def detail_view(collection: str, detail: dict[str, Any]) -> View:
    """The detail view for a record of any collection."""
    if collection == "trials":
        return trial_view(detail)
    if collection == "therapies":
        return therapy_view(detail)
    return _generic_view(detail, _DETAIL_TYPES[collection])


def _value_text(name: str, value: Any) -> str:
    if name == "benefit_profile" and value:
        return f"{value['therapy']}: {eligibility_text(value)}"
    return text(value)


_DETAIL_TYPES = {"studies": "study-detail", "guidance": "guidance-detail", "sources": "source-detail",
                 "glossary": "term-detail", "red_flags": "red-flag-detail", "outcomes": "outcome-detail"}


def _generic_view(detail: dict[str, Any], record_type: str) -> View:
    """Every field in order, for studies, guidance, glossary terms and sources."""
    skip = {"cited_sources", "sources", "unverified", "used_by"}
    pairs = [(name.replace("_", " "), marked(detail, name, _value_text(name, value)))
             for name, value in detail.items() if name not in skip]
    if detail.get("used_by"):
        pairs.append(("used by", ", ".join(f"{use['type']} {use['id']}" for use in detail["used_by"])))
    if detail.get("cited_sources"):
        pairs.append(("sources", _source_lines(detail["cited_sources"])))
    title = str(detail.get("title") or detail.get("term") or detail["id"])
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
    table = [[label, *(marked(row, key, text(row[key])) for row in rows)] for key, label in COMPARE_ASPECTS]
    return View(payload=rows, columns=columns, rows=table, title="Comparison",
                notes=["Counts come from the trials in this dataset, not from every trial ever run."],
                record_type="comparison")


def info_view(summary: dict[str, Any], data_path: str) -> View:
    pairs = [
        ("title", summary["title"]), ("version", summary["version"]),
        ("reviewed", f"{summary['reviewed']} ({summary['days_since_review']} days ago)"),
        ("data", data_path),
        *((name, str(count)) for name, count in summary["counts"].items()),
        ("unverified sources", str(summary["unverified_sources"])),
    ]
    notes = ["This dataset is more than a year past its review date."] if summary["stale"] else []
    return _detail("mscli dataset", pairs, {**summary, "data": data_path}, "info", notes)


def listing_view(records: Sequence[Any], record_type: str, fields: Sequence[str]) -> View:
    """A plain listing showing the named fields of each record."""
    return _listing(records, record_type, [(name, _field(name)) for name in fields])


def glossary_view(terms: Sequence[Any]) -> View:
    return _listing(terms, "term", [("term", _field("term")), ("definition", _field("definition"))])


def import_view(rows: Sequence[Any], into: str) -> View:
    """What an import did with each study; the JSON is one object per study."""
    view = _listing([row.as_dict() for row in rows], None, [
        ("input", _field("file")),
        ("study", lambda row: row["study"] or ""),
        ("action", _field("action")),
        ("trial", _field("trial")),
        ("therapy", _field("therapy")),
        ("file or reason", lambda row: row["reason"] or row["path"] or ""),
    ], title=f"Import into {into}")
    view.notes = ["Imported trials are the registry's values, converted; mscli's editors have not "
                  "reviewed them."]
    return view


def problems_view(problems: Sequence[Any]) -> View:
    payload = [{"file": p.file, "line": p.line, "record": p.record, "field": p.field,
                "message": p.message} for p in problems]
    return View(payload=payload, columns=["location", "problem"],
                rows=[[p.location, p.message] for p in problems],
                title="Problems", record_type="validation-problem")


def red_flags_view(flags: Sequence[Any]) -> View:
    """The red flags with the questions to ask about each (``mscli clinic``)."""
    return _listing(flags, "red-flag", [
        ("red flag", lambda flag: f"{flag['title']} ({flag['id']})"),
        ("why it matters", _field("why")),
        ("questions to ask", lambda flag: "\n".join(flag["questions"])),
        ("sources", lambda flag: ", ".join(flag["sources"])),
    ], title="Questions to ask and red flags in an offer of stem cell treatment",
        notes=["'mscli sources ID' lists a flag's sources in full; 'mscli clinic --offer FILE' checks a "
               "clinic's text for these flags."])


_AVAILABILITY_WORDS = {
    "standard-care-some-countries": "accepted as treatment for some people with MS in some countries",
    "trials-only": "should be given only in clinical trials",
    "research-only": "still in early research",
    "unproven": "unproven",
}


def _hit_lines(matches: Sequence[Any]) -> str:
    """One line of output per line of the offer, with every phrase found on it."""
    by_line: dict[int, list[Any]] = {}
    for match in matches:
        by_line.setdefault(match["line"], []).append(match)
    return "\n".join("line {}: {} in \"{}\"".format(
        line, ", ".join(dict.fromkeys(f"'{m['text']}'" for m in group)), group[0]["context"])
        for line, group in by_line.items())


def offer_view(report: dict[str, Any]) -> View:
    """The report of ``mscli clinic --offer``: what was found, each flag, and the caveats."""
    source = report["input"]
    lines = f"{source['lines']} line" + ("" if source["lines"] == 1 else "s")
    rows = [["input", f"{source['kind']}: {source['name']}", f"{source['characters']} characters, {lines}"]]
    for number in report["registry_numbers"]:
        if number["in_dataset"]:
            detail = (f"in mscli's dataset: trial {number['trial']} ({number['trial_therapy']}, "
                      f"{number['trial_status']})")
        else:
            detail = "not in mscli's dataset (which is not proof it is unregistered; check the registry)"
        rows.append(["registry number", f"{number['number']} ({number['registry']})",
                     f"{detail}; line {number['line']}"])
    for therapy in report["therapies"]:
        availability = _AVAILABILITY_WORDS.get(therapy["availability"], therapy["availability"])
        kind = "named in contrast" if therapy["contrasted"] else "therapy named"
        rows.append([kind, f"{therapy['id']}: {therapy['name']}",
                     f"{therapy['availability']} ({availability}); matched "
                     + ", ".join(f"'{text}'" for text in therapy["matched"])])
    order = {True: 0, None: 1, False: 2}
    for flag in sorted(report["flags"], key=lambda f: order[f["raised"]]):
        label = "RAISED" if flag["raised"] else flag["status"]
        detail = _hit_lines(flag["matches"]) if flag["matches"] else flag["check_note"]
        if flag["raised"] is None:
            detail = "\n".join(flag["questions"])
        rows.append([label, f"{flag['title']} ({flag['id']})", detail])
    return View(payload=report, columns=["result", "finding", "detail"], rows=rows,
                title=f"Red flags in the offer: {len(report['raised'])} raised",
                notes=list(report["notes"]))


def _finding_text(finding: dict[str, Any]) -> str:
    facts = [finding["evidence"]]
    if finding["n"] is not None:
        facts.append(marked(finding, "n", f"n={finding['n']}"))
    if finding["follow_up"]:
        facts.append(marked(finding, "follow_up", f"follow-up {finding['follow_up']}"))
    lines = [f"{finding['plain_words']} ({finding['measure']}): {marked(finding, 'finding', finding['finding'])}",
             "; ".join(facts)]
    if finding["figures"]:
        lines.append(marked(finding, "figures", "as published: " + "; ".join(finding["figures"])))
    lines.append(finding["certainty_text"])
    return "\n".join(lines)


def outcomes_view(rows: list[dict[str, Any]]) -> View:
    """Outcomes down, therapies across; each cell lists findings, strongest design first."""
    columns = ["outcome", *(cell["therapy"] for cell in rows[0]["therapies"])]
    table = [[row["label"], *("\n\n".join(_finding_text(f) for f in cell["findings"]) or "no finding in mscli"
                              for cell in row["therapies"])] for row in rows]
    return View(payload=rows, columns=columns, rows=table, title="Outcomes by therapy", notes=[
        "A certainty grade is shown only where a cited review or guideline gave one; otherwise the "
        "design of the study behind the finding is shown and it is marked as not graded.",
        "Findings come from the trials and studies in this dataset, not from every study ever run.",
    ])


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[:limit - 3].rstrip() + "..."


def timeline_view(events: Sequence[dict[str, Any]]) -> View:
    """Events oldest first; the title column is cut short (JSON keeps it whole)."""
    return _listing(events, "timeline-event", [
        ("date", _field("date")),
        ("kind", _field("kind")),
        ("id", _field("id")),
        ("therapy", lambda event: ", ".join(event["therapies"])),
        ("title", lambda event: _short(event["title"])),
    ], title="Timeline")


_PARTICIPANT_KINDS = ("actual", "planned", "analysed")


def counts_view(rows: Sequence[dict[str, Any]], by: str) -> View:
    """Trial and participant counts per group: numbers for every format, bars on a terminal."""
    from mscli.output.charts import Bar, Chart, Panel

    kinds = [kind for kind in _PARTICIPANT_KINDS if any(row[f"participants_{kind}"] for row in rows)]
    without = sum(row["trials_without_figure"] for row in rows)
    notes = ["Participants: each trial's newest actual enrolment, else its newest planned figure; "
             "actual and planned numbers are never added together."]
    if without:
        notes.append(f"{without} trial(s) have no enrolment figure and add no participants.")
    notes.append("Counts come from the trials in this dataset, not from every trial ever run.")

    def participants(row: dict[str, Any]) -> str:
        return " + ".join(f"{row[f'participants_{kind}']} {kind}" for kind in kinds) or "0"

    chart = Chart(panels=[
        Panel(f"Trials by {by}", ("trials",),
              [Bar(row["group"], (row["trials"],), str(row["trials"])) for row in rows]),
        Panel(f"Participants by {by}", tuple(kinds),
              [Bar(row["group"], tuple(row[f"participants_{kind}"] for kind in kinds), participants(row))
               for row in rows]),
    ], notes=notes)
    columns = [by, "trials", *(f"participants {kind}" for kind in _PARTICIPANT_KINDS), "trials without figure"]
    table = [[row["group"], str(row["trials"]), *(str(row[f"participants_{kind}"]) for kind in _PARTICIPANT_KINDS),
              str(row["trials_without_figure"])] for row in rows]
    return View(payload=list(rows), columns=columns, rows=table, title=f"Trials by {by}", notes=notes,
                record_type="trial-count", chart=chart)


def _label_counts(result: dict[str, Any]) -> list[str]:
    counts = result["counts"]
    return [str(counts["meets"]), str(counts["does not meet"]), str(counts["not enough information"])]


def match_view(answer: dict[str, Any], notice: str) -> View:
    """Summary of a pre-screen: one row per trial, then one per guidance profile, kept apart by type."""
    rows = [["trial", result["id"], result["status"], result["summary"], *_label_counts(result),
             "\n".join(result["missing_facts"])] for result in answer["trials"]]
    rows += [["guidance", result["id"], result["therapy"], result["overall"],
              *_label_counts(result), "\n".join(result["missing_facts"])] for result in answer["guidance"]]
    notes = ["Guidance rows say whether the profile is within the group a guidance document says is most "
             "likely to benefit from a therapy; they are not trial eligibility.",
             "Details per criterion: mscli match --trial ID (with the same profile options).", notice]
    if answer["closed_left_out"]:
        notes.insert(0, f"{answer['closed_left_out']} closed trials (no one can join them now) left out; "
                        "--include-closed lists them.")
    return View(payload=answer, columns=["type", "id", "status / therapy", "overall", "met",
                                         "not met", "unknown", "facts that would settle it"],
                rows=rows, title=f"Pre-screen of your profile ({answer['profile_text']})", notes=notes)


def match_detail_view(result: dict[str, Any], notice: str) -> View:
    """One trial's pre-screen, a row per criterion with the trial's own wording and source."""
    rows = []
    for item in result["criteria"]:
        wording = "\n".join(f"\"{w['text']}\" ({w['source']})" for w in item["wording"])
        value = item["value"]
        shown = f"{value:.1f}" if item["criterion"] == "edss" and value is not None else _profile_value(value)
        rows.append([item["criterion"], item["label"], shown, item["limit"],
                     wording or f"(see {item['source']})"])
    notes = [f"Overall: {result['overall']}."]
    if result["missing_facts"]:
        notes.append("Facts that would settle the unknowns: " + "; ".join(result["missing_facts"]) + ".")
    if result["other_criteria"]:
        notes.append(f"Other criteria, not checked ({result['source']}): {result['other_criteria']}")
    notes.append(notice)
    title = f"{result.get('acronym') or result['id']}: {result['title']}"
    return View(payload=result, columns=["criterion", "result", "your value", "limit", "trial's wording (source)"],
                rows=rows, title=title, notes=notes)


def _profile_value(value: Any) -> str:
    if value is None:
        return "not given"
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')}: {_profile_value(item)}" for key, item in value.items())
    return text(value)




def diff_view(report: Any) -> View:
    """One row per added or removed record and per changed field."""
    singular = {name: word for name, (_, word) in COLLECTIONS.items()}
    rows = [["added", singular[ref["collection"]], ref["id"], "", "", ""] for ref in report["added"]]
    rows += [["removed", singular[ref["collection"]], ref["id"], "", "", ""] for ref in report["removed"]]
    rows += [["changed", singular.get(record["collection"], record["collection"]), record["id"],
              change["field"], text(change["old"]), text(change["new"])]
             for record in report["changed"] for change in record["changes"]]
    summary = report["summary"]
    notes = [f"{summary['added']} added, {summary['removed']} removed, {summary['changed']} changed."]
    return View(payload=report, columns=["change", "type", "id", "field", "old", "new"], rows=rows,
                title=f"Changes from {report['old']} to {report['new']}", notes=notes, record_type="diff")


def schema_types_view(types: Sequence[Any]) -> View:
    return _listing(types, "schema-type", [
        ("name", _field("name")), ("description", _field("description")), ("emitted by", _field("emitted_by"))])
