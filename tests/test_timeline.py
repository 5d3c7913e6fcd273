"""mscli timeline: events in order, filters, and trial/participant counts drawn as bars."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

import pytest

from tests.conftest import minimal

BLOCKS = "█░▒"


def trial(base: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**copy.deepcopy(base), "acronym": None, "registrations": [], **fields}


def timeline_dataset() -> dict[str, Any]:
    """Three therapies' trials over several years and phases, with actual, planned and missing
    enrolment figures, a dated and an undated publication, a study and guidance."""
    data = minimal()
    beta = copy.deepcopy(data["therapies"][0])
    beta.update(id="beta", name="Beta cells", aliases=[])
    gamma = copy.deepcopy(beta)
    gamma.update(id="gamma", name="Gamma cells")
    data["therapies"] += [beta, gamma]
    base = data["trials"][0]
    base["publications"] = ["src-a", "src-b"]
    planned = [{"count": 300, "kind": "planned", "source": "src-b", "as_of": "2022"}]
    data["trials"] += [
        trial(base, id="trial-two", therapy="alpha", phase="1", start_year=2015, end_year=2016,
              enrolment=[{"count": 12, "kind": "actual", "source": "src-a", "as_of": "2016"},
                         {"count": 20, "kind": "planned", "source": "src-a", "as_of": "2014"}], publications=[]),
        trial(base, id="trial-three", therapy="beta", phase="3", start_year=2022, end_year=2027,
              status="recruiting", enrolment=planned, publications=[]),
        trial(base, id="trial-four", therapy="beta", phase="2", start_year=None, end_year=None,
              enrolment=[], publications=[]),
        trial(base, id="trial-five", therapy="gamma", phase="3", start_year=2015, end_year=None,
              enrolment=[{"count": 7, "kind": "actual", "source": "src-a", "as_of": "2018-05-01"}],
              publications=[]),
    ]
    data["sources"][0]["date"] = "2020-03-01"
    data["sources"][1]["year"] = 2016
    data["studies"] = [{
        "id": "mouse-study", "title": "Cells in mice", "kind": "animal", "therapy": "beta", "year": 2015,
        "summary": "Mice were treated.", "finding": "Milder disease.", "sources": ["src-a"],
        "reviewed": "2026-11-01",
    }]
    data["guidance"] = [{
        "id": "statement", "title": "A statement", "kind": "position-statement", "publisher": "A society",
        "year": 2015, "therapies": ["alpha", "gamma"], "summary": "Says things.", "sources": ["src-a"],
        "reviewed": "2026-11-01",
    }]
    return data


def events(run, folder, *args: str) -> list[tuple[str, str, str]]:
    result = run("timeline", "--json", "--data", str(folder), *args)
    assert result.exit_code == 0, result.stderr
    return [(event["date"], event["kind"], event["id"]) for event in result.json()]


def test_events_are_in_time_order(run, write_dataset):
    assert events(run, write_dataset(timeline_dataset())) == [
        ("2015", "position-statement", "statement"),
        ("2015", "trial-start", "trial-five"),
        ("2015", "trial-start", "trial-one"),
        ("2015", "trial-start", "trial-two"),
        ("2015", "study", "mouse-study"),
        ("2016", "trial-completion", "trial-two"),
        ("2016", "trial-publication", "trial-one"),
        ("2019", "trial-completion", "trial-one"),
        ("2020-03-01", "trial-publication", "trial-one"),
        ("2022", "trial-start", "trial-three"),
        ("2027", "trial-completion-planned", "trial-three"),
    ]


def test_every_event_has_date_kind_id_title_and_therapy(run, write_dataset):
    result = run("timeline", "--json", "--data", str(write_dataset(timeline_dataset())))
    for event in result.json():
        assert set(event) == {"date", "year", "kind", "record_type", "id", "title", "therapies", "source"}
        assert event["title"] and event["therapies"] and event["year"] == int(event["date"][:4])
    publication = next(e for e in result.json() if e["date"] == "2020-03-01")
    assert publication["source"] == "src-a" and publication["title"] == "TONE: The first trial"


def test_therapy_and_year_filters(run, write_dataset):
    folder = write_dataset(timeline_dataset())
    gamma = events(run, folder, "--therapy", "gamma")
    assert gamma == [("2015", "position-statement", "statement"), ("2015", "trial-start", "trial-five")]
    window = events(run, folder, "--since", "2016", "--until", "2020")
    assert {date[:4] for date, _, _ in window} == {"2016", "2019", "2020"}
    both = events(run, folder, "-t", "beta", "-t", "gamma", "--since", "2022")
    assert [event_id for _, _, event_id in both] == ["trial-three", "trial-three"]


@pytest.mark.parametrize("args", [["--since", "2020", "--until", "2010"], ["--therapy", "unicorn"],
                                  ["--chart", "colour"], ["--since", "1800"]])
def test_timeline_usage_errors(run, args):
    result = run("timeline", *args)
    assert result.exit_code == 2 and result.stdout == ""


def independent_counts(data: dict[str, Any], by: str) -> dict[str, dict[str, int]]:
    """Counted directly from the fixture: newest actual figure, else newest planned."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in data["trials"]:
        group = {"therapy": item["therapy"], "phase": item["phase"],
                 "year": str(item["start_year"] or "unknown")}[by]
        counts[group]["trials"] += 1
        actual = sorted((e for e in item["enrolment"] if e["kind"] == "actual"), key=lambda e: e["as_of"])
        other = sorted((e for e in item["enrolment"] if e["kind"] != "actual"), key=lambda e: e["as_of"])
        chosen = (actual or other or [None])[-1]
        if chosen is None:
            counts[group]["trials_without_figure"] += 1
        else:
            counts[group][f"participants_{chosen['kind']}"] += chosen["count"]
    return {group: dict(values) for group, values in counts.items()}


@pytest.mark.parametrize("by", ["therapy", "phase", "year"])
def test_chart_numbers_match_an_independent_count(run, write_dataset, by):
    data = timeline_dataset()
    result = run("timeline", "--chart", by, "--json", "--data", str(write_dataset(data)))
    assert result.exit_code == 0, result.stderr
    got = {row["group"]: {key: value for key, value in row.items() if key != "group" and value}
           for row in result.json()}
    assert got == independent_counts(data, by)


def test_chart_groups_are_in_natural_order(run, write_dataset):
    folder = write_dataset(timeline_dataset())
    groups = {by: [row["group"] for row in run("timeline", "--chart", by, "--json", "--data", str(folder)).json()]
              for by in ("therapy", "phase", "year")}
    assert groups == {"therapy": ["alpha", "beta", "gamma"], "phase": ["1", "2", "3"],
                      "year": ["2015", "2022", "unknown"]}


def test_chart_respects_the_therapy_filter(run, write_dataset):
    folder = write_dataset(timeline_dataset())
    rows = run("timeline", "--chart", "phase", "--therapy", "beta", "--json", "--data", str(folder)).json()
    assert [(row["group"], row["trials"], row["participants_planned"]) for row in rows] == [("2", 1, 0), ("3", 1, 300)]


def draw(run_process, folder, by: str, encoding: str = "utf-8", **env: str) -> str:
    result = run_process("timeline", "--chart", by, "--format", "table", "--data", str(folder),
                         env={"COLUMNS": "80", "NO_COLOR": "1", "PYTHONIOENCODING": encoding, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.decode(encoding)


@pytest.mark.parametrize("by", ["therapy", "phase", "year"])
def test_bars_fit_80_columns_without_colour_and_print_the_numbers(run_process, write_dataset, by):
    data = timeline_dataset()
    text = draw(run_process, write_dataset(data), by)
    lines = text.splitlines()
    assert "\x1b[" not in text
    assert max(len(line) for line in lines) <= 80
    assert any(mark in text for mark in BLOCKS)
    for group, values in independent_counts(data, by).items():
        bar_lines = [line for line in lines if line.strip().startswith(group + " ")]
        assert any(line.rstrip().endswith(" " + str(values["trials"])) for line in bar_lines), (group, text)
        participants = [line for line in bar_lines
                        if f"{values.get('participants_actual', 0)} actual" in line
                        and f"{values.get('participants_planned', 0)} planned" in line]
        assert participants, (group, text)
    assert "planned" in text and "actual" in text


def test_bars_fall_back_to_ascii(run_process, write_dataset):
    text = draw(run_process, write_dataset(timeline_dataset()), "therapy", encoding="ascii")
    assert "#" in text and "+ planned" in text
    assert not any(mark in text for mark in BLOCKS)
    assert max(len(line) for line in text.splitlines()) <= 80


def test_bars_scale_to_the_largest_group(run_process, write_dataset):
    text = draw(run_process, write_dataset(timeline_dataset()), "therapy")
    lengths = {line.split()[0]: line.count("█") for line in text.splitlines()[:4] if "█" in line}
    assert lengths["alpha"] == lengths["beta"] == 2 * lengths["gamma"] > 0


def test_machine_formats_give_numbers_not_bars(run, write_dataset):
    folder = write_dataset(timeline_dataset())
    for fmt in ("csv", "tsv", "markdown", "yaml", "jsonl"):
        result = run("timeline", "--chart", "therapy", "--format", fmt, "--data", str(folder))
        assert result.exit_code == 0
        body = "\n".join(line for line in result.stdout.splitlines() if not line.startswith("## "))
        assert not any(mark in body for mark in BLOCKS + "#"), fmt
    lines = run("timeline", "--chart", "therapy", "--format", "csv", "--data", str(folder)).stdout.splitlines()
    assert lines[0].startswith("therapy,trials,participants actual,participants planned")
    assert lines[1].startswith("alpha,2,52,0")


def test_bundled_chart_counts_every_trial_once(run):
    trials = run("trials", "--json").json()
    for by in ("therapy", "phase", "year"):
        rows = run("timeline", "--chart", by, "--json").json()
        assert sum(row["trials"] for row in rows) == len(trials)
    bundled = run("timeline", "--json").json()
    assert [event["year"] for event in bundled] == sorted(event["year"] for event in bundled)


def test_a_chart_with_no_trials_says_so(run_process, write_dataset):
    data = timeline_dataset()
    text = draw(run_process, write_dataset(data), "therapy")
    assert "No results." not in text
    result = run_process("timeline", "--chart", "year", "--since", "2090", "--format", "table",
                         "--data", str(write_dataset(data)), env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.returncode == 0
    assert b"No results." in result.stdout and b"Trials by year" not in result.stdout
