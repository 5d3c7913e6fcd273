"""Output a person reads: labels for every vocabulary, the start page, help, the pager."""

from __future__ import annotations

import json
import sys
from enum import StrEnum

import pytest

from mscli.cli import runtime
from mscli.model import labels, records

VOCABULARIES = {
    records.Status: labels.STATUS_LABELS, records.Outcome: labels.OUTCOME_LABELS,
    records.Availability: labels.AVAILABILITY_LABELS, records.Aim: labels.AIM_LABELS,
    records.Chemotherapy: labels.CHEMOTHERAPY_LABELS, records.SourceKind: labels.SOURCE_KIND_LABELS,
    records.StudyKind: labels.STUDY_KIND_LABELS, records.GuidanceKind: labels.GUIDANCE_KIND_LABELS,
}


@pytest.mark.parametrize("vocabulary", list(VOCABULARIES), ids=lambda v: v.__name__)
def test_every_member_of_a_vocabulary_has_a_label(vocabulary: type[StrEnum]) -> None:
    assert {member.value for member in vocabulary} <= set(VOCABULARIES[vocabulary])


def test_outcome_labels_say_what_was_tested() -> None:
    assert labels.OUTCOME_LABELS["safety-feasibility"] == "safety only: no efficacy test"
    assert "primary endpoint" in labels.OUTCOME_LABELS["met-randomised"]
    assert "control" in labels.OUTCOME_LABELS["uncontrolled-improvement"]


def test_tables_show_labels_and_machine_formats_keep_slugs(run) -> None:
    table = run("trials", "--format", "markdown").stdout
    assert "primary endpoint not met" in table
    tsv = run("trials", "--format", "tsv").stdout
    assert "\tnot-met" in tsv and "primary endpoint not met" not in tsv
    assert "not-met" in {trial["outcome"] for trial in json.loads(run("trials", "--json").stdout)}


def test_study_and_guidance_kinds_read_as_words_in_tables(run) -> None:
    studies = run("studies", "--format", "markdown").stdout
    assert "registry analysis" in studies and "registry-analysis" not in studies
    assert "registry-analysis" in {study["kind"] for study in run("studies", "--json").json()}
    guidance = run("guidance", "--format", "markdown").stdout
    assert "position statement" in guidance and "position-statement" not in guidance


def test_mscli_alone_prints_a_start_page_with_exit_0(run) -> None:
    result = run()
    assert result.exit_code == 0
    assert "Five commands to try first" in result.stdout and labels.NOTICE in result.stdout


def test_help_command_is_the_command_help(run) -> None:
    result = run("help", "trials")
    assert result.exit_code == 0 and "Usage: mscli trials" in result.stdout


def test_pager_gets_text_taller_than_the_screen(monkeypatch, tmp_path) -> None:
    got = tmp_path / "paged"
    script = f"import sys; open(r'{got}', 'wb').write(sys.stdin.buffer.read())"
    monkeypatch.setenv("MSCLI_PAGER", f'{sys.executable} -c "{script}"')
    monkeypatch.setenv("LINES", "10")
    assert runtime.page("line\n" * 50)
    assert got.read_text() == "line\n" * 50
    assert not runtime.page("short\n")


def test_an_empty_pager_means_none(monkeypatch) -> None:
    monkeypatch.setenv("MSCLI_PAGER", "")
    monkeypatch.setenv("LINES", "10")
    assert not runtime.page("line\n" * 50)


@pytest.mark.parametrize("width", [80, 100, 160])
@pytest.mark.parametrize("listing", ["trials", "therapies", "sources"])
def test_real_listings_keep_every_id_whole_and_fit(listing: str, width: int) -> None:
    """The bundled dataset's listings as a terminal of 80, 100 and 160 columns shows them
    (benchmarks/tmux_capture.sh shows the same in a real terminal)."""
    from mscli.output import views
    from mscli.output.layout import cell_width, unbreakable
    from mscli.output.render import OutputFormat, render
    from mscli.output.terminal import Terminal

    dataset = runtime.load(runtime.Output(None, None, True, False))
    view = {"trials": lambda: views.trials_view(dataset["trials"]),
            "therapies": lambda: views.therapies_view(dataset),
            "sources": lambda: views.sources_view(dataset["sources"])}[listing]()
    shown = render(view, OutputFormat.TABLE, Terminal(is_tty=True, width=width, color=False, unicode=True))
    lines = shown.split("\n")
    for record in view.payload:
        assert any(record["id"] in line.split() for line in lines), (record["id"], width)
    assert all(cell_width(line) <= width or any(unbreakable(word) and cell_width(word) > width // 3
                                               for word in line.split()) for line in lines)


def test_therapy_a_comma_b_means_both(run) -> None:
    both = {trial["therapy"] for trial in json.loads(run("trials", "--therapy", "ahsct,msc", "--json").stdout)}
    assert both == {"ahsct", "msc"}


@pytest.mark.parametrize("form", ["UK", "united kingdom", "Great Britain"])
def test_common_country_forms_are_accepted(run, form: str) -> None:
    result = run("trials", "--country", form, "--json")
    assert result.exit_code == 0
    assert all("United Kingdom" in trial["countries"] for trial in json.loads(result.stdout))
