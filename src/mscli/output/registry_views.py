"""Views of ``mscli registry check`` and ``mscli registry search``.

A check is one row per fact that differs (or per registration, when nothing does), so a table
reads as a list of what to update; the JSON keeps every fact, compared or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mscli.model.registry_outputs import Comparison, RegistryCheck, SearchFind
from mscli.output.render import View

LIVE_NOTE = ("Read live from ClinicalTrials.gov; every other mscli command works offline from the "
             "dataset's reviewed copy.")


def _dated(value: str | None, as_of: str | None) -> str:
    if value is None:
        return "not recorded"
    return f"{value} (as of {as_of})" if as_of and as_of != value else value


def check_view(results: Sequence[RegistryCheck]) -> View:
    rows: list[list[str]] = []
    for result in results:
        differing = [item for item in result["fields"] if item["comparison"] is not Comparison.SAME
                     and item["comparison"] is not Comparison.NOT_ON_REGISTRY]
        if result["message"] is not None:
            rows.append([result["trial"], result["registration"], "", "", result["message"], result["outcome"]])
        elif not differing:
            rows.append([result["trial"], result["registration"], "all", "", "no change", result["outcome"]])
        for item in differing:
            rows.append([result["trial"], result["registration"], item["field"], _dated(item["old"], item["old_as_of"]),
                         _dated(item["new"], item["new_as_of"]), item["comparison"]])
    changed = sum(1 for result in results if result["outcome"] == "changed")
    notes = [f"{len(results)} registration(s) checked, {changed} with changes. " + LIVE_NOTE,
             "'not-recorded' facts are on the registry but not in mscli's dataset."]
    return View(payload=list(results), columns=["trial", "registration", "fact", "mscli (as of)",
                                                "registry (last update)", "comparison"],
                rows=rows, title="Registry check", notes=notes, record_type="registry-check")


def search_view(finds: Sequence[SearchFind], summary: dict[str, Any]) -> View:
    notes = [f"{summary['studies']} MS studies read over {summary['pages']} page(s); {summary['matched']} matched "
             f"the dataset's search strategy ({', '.join(summary['strategy'])}); {summary['known']} are in "
             f"the dataset; {summary['excluded']} were excluded by an earlier search"
             + ("" if summary["include_excluded"] else " (shown with --include-excluded)") + ".",
             "To add one: fetch its record and run 'mscli import ctgov FILE' (the JSON's import_hint). "
             + LIVE_NOTE]
    if summary["more"]:
        notes.append("Stopped at --max-pages with more pages left; raise it to read them all.")
    return View(payload=list(finds), columns=["registration", "title", "status", "type", "matched", "excluded before"],
                rows=lambda: [[item["registration"], item["title"], item["status"] or "", item["study_type"] or "",
                               "; ".join(item["matched"]), item["excluded_before"] or ""] for item in finds],
                title="Registry search: MS stem-cell studies not in the dataset", notes=notes,
                record_type="registry-find", short={"title": 60})
