"""Views of the evidence commands: red flags and offers (``clinic``), outcomes, the timeline and
its counts, and the pre-screen (``match``). Split from ``views`` to keep each module readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mscli.output.render import View
from mscli.output.views import field, listing, marked, text

if TYPE_CHECKING:  # the shapes only type these views; importing them cost every evidence command 1 ms
    from mscli.model.evidence_outputs import (
        ExplainedFinding,
        GuidanceScreen,
        MatchResult,
        OfferCheck,
        OutcomeRow,
        TrialScreen,
    )


def red_flags_view(flags: Sequence[Any]) -> View:
    """The red flags with the questions to ask about each (``mscli clinic``)."""
    return listing(flags, "red-flag", [
        ("red flag", lambda flag: f"{flag['title']} ({flag['id']})"),
        ("why it matters", field("why")),
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


def offer_view(report: OfferCheck) -> View:
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


def _finding_text(finding: ExplainedFinding) -> str:
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


def outcomes_view(rows: Sequence[OutcomeRow]) -> View:
    """Outcomes down, therapies across; each cell lists findings, strongest design first."""
    columns = ["outcome", *(cell["therapy"] for cell in rows[0]["therapies"])]
    return View(payload=rows, columns=columns, title="Outcomes by therapy", rows=lambda: [
        [row["label"], *("\n\n".join(_finding_text(f) for f in cell["findings"]) or "no finding in mscli"
                         for cell in row["therapies"])] for row in rows], notes=[
        "A certainty grade is shown only where a cited review or guideline gave one; otherwise the "
        "design of the study behind the finding is shown and it is marked as not graded.",
        "Findings come from the trials and studies in this dataset, not from every study ever run.",
    ])


def timeline_view(events: Sequence[dict[str, Any]]) -> View:
    """Events oldest first; a table shortens the title column (CSV, TSV and JSON keep it whole)."""
    return listing(events, "timeline-event", [
        ("date", field("date")),
        ("kind", field("kind")),
        ("id", field("id")),
        ("therapy", lambda event: ", ".join(event["therapies"])),
        ("title", field("title")),
    ], title="Timeline", short={"title": 60})


_PARTICIPANT_KINDS = ("actual", "planned", "analysed")


def counts_view(rows: Sequence[dict[str, Any]], by: str, left_out: Sequence[str] = ()) -> View:
    """Trial and participant counts per group: numbers for every format, bars on a terminal;
    ``left_out`` says which trials the counts do not hold."""
    from mscli.output.charts import Bar, Chart, Panel

    kinds = [kind for kind in _PARTICIPANT_KINDS if any(row[f"participants_{kind}"] for row in rows)]
    without = sum(row["trials_without_figure"] for row in rows)
    notes = ["Participants: each trial's newest actual enrolment, else its newest planned figure; "
             "actual and planned numbers are never added together."]
    if without:
        notes.append(f"{without} trial(s) have no enrolment figure and add no participants.")
    notes.append("Counts come from the trials in this dataset, not from every trial ever run.")
    notes = [*left_out, *notes]

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
    return View(payload=list(rows), columns=columns, title=f"Trials by {by}", notes=notes, rows=lambda: [
        [row["group"], str(row["trials"]), *(str(row[f"participants_{kind}"]) for kind in _PARTICIPANT_KINDS),
         str(row["trials_without_figure"])] for row in rows],
                record_type="trial-count", chart=chart)


def _label_counts(result: TrialScreen | GuidanceScreen) -> list[str]:
    counts = result["counts"]
    return [str(counts["meets"]), str(counts["does not meet"]), str(counts["not enough information"])]


def match_view(answer: MatchResult, notice: str) -> View:
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


def match_detail_view(result: TrialScreen, notice: str) -> View:
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


def coverage_view(report: dict[str, Any]) -> View:
    """The searches as a table; then the totals, the exclusions by reason and each exclusion."""
    counts = report["counts"]
    notes = [
        f"{len(report['searches'])} searches in {', '.join(report['databases']) or 'no database'}"
        + (f", {report['first_search']} to {report['last_search']}" if report["searches"] else "") + ".",
        f"Registrations found (summed over searches; one trial can be found more than once): "
        f"{report['registrations_found']}. Dataset trials found by a search: {len(report['trials_included'])}.",
        f"In the dataset: {counts['registered_trials']} registered trials, {counts['unregistered_trials']} "
        f"trial records without a registry number, {counts['cohorts']} cohort studies, "
        f"{counts['case_series']} case series, {counts['other_studies']} other studies.",
    ]
    if report["registered_trials_not_in_a_search"]:
        notes.append("Registered trials no recorded search found: "
                     + ", ".join(report["registered_trials_not_in_a_search"]) + ".")
    if report["exclusions"]:
        notes.append("Excluded, by reason: " + ", ".join(
            f"{reason} {count}" for reason, count in report["exclusions_by_reason"].items()) + ".")
        notes += [f"excluded {item['registration']} ({item['reason']})"
                  + (f": {item['title']}" if item["title"] else "")
                  + (f". {item['note']}" if item["note"] else "") for item in report["exclusions"]]
    return View(payload=report, columns=["date", "database", "query", "found", "included", "excluded"],
                rows=lambda: [[search["date"], search["database"], search["query"], str(search["found"]),
                               str(len(search["included"])), str(search["excluded"])]
                              for search in report["searches"]],
                title="Searches behind the dataset", notes=notes, record_type="coverage")
