"""Shell completion, as the shells ask for it: the completion variables set, mscli run as a process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mscli.cli.completion import finished_words
from tests.conftest import minimal


def complete_bash(run_process, words: str, env: dict[str, str] | None = None) -> list[str]:
    parts = words.split(" ")
    result = run_process(env={"_MSCLI_COMPLETE": "complete_bash", "COMP_WORDS": words,
                              "COMP_CWORD": str(len(parts) - 1), **(env or {})})
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    return result.stdout.decode().split()


def test_bash_completes_therapy_ids_for_the_therapy_option(run_process):
    assert complete_bash(run_process, "mscli trials --therapy ms") == ["msc", "msc-np", "msc-ntf"]


def test_bash_completes_trial_ids_from_the_dataset(run_process):
    ids = [t["id"] for t in json.loads(run_process("trials", "--json").stdout)]
    assert sorted(complete_bash(run_process, "mscli trial ")) == sorted(ids)
    assert complete_bash(run_process, "mscli trial mes") == ["mesems"]


def test_bash_completes_countries_and_any_record_id(run_process):
    countries = complete_bash(run_process, "mscli trials --country I")
    assert "Italy" in countries and all(c.startswith("I") for c in countries)
    assert "consensus-2010" in complete_bash(run_process, "mscli show cons")
    assert complete_bash(run_process, "mscli glossary eds") == ["edss"]


def test_fixed_choices_complete_without_data(run_process):
    assert complete_bash(run_process, "mscli trials --status rec") == ["recruiting"]
    from mscli.model.outputs import SCHEMA_TYPES

    assert complete_bash(run_process, "mscli schema trial") == [
        name for name in SCHEMA_TYPES if name.startswith("trial")]
    assert complete_bash(run_process, "mscli completion f") == ["fish"]


def test_completion_reads_the_dataset_named_by_data(run_process, write_dataset):
    folder = write_dataset(minimal())
    assert complete_bash(run_process, f"mscli trials --data {folder} --therapy ") == ["alpha"]


def test_broken_dataset_gives_no_completions_and_no_noise(run_process, write_dataset):
    data = minimal()
    data["trials"][0]["phase"] = "9"
    folder = write_dataset(yaml.safe_dump(data))
    assert complete_bash(run_process, f"mscli trial --data {folder} t") == []
    assert complete_bash(run_process, "mscli trial t", env={"MSCLI_DATA": str(folder / "missing")}) == []


def test_zsh_and_fish_get_ids_with_descriptions(run_process):
    zsh = run_process(env={"_MSCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "mscli therapy ah"})
    assert zsh.returncode == 0
    assert b"ahsct" in zsh.stdout and b"haematopoietic" in zsh.stdout.lower()
    fish = run_process(env={"_MSCLI_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "mscli trial mes",
                            "_TYPER_COMPLETE_FISH_ACTION": "get-args"})
    assert fish.returncode == 0
    assert fish.stdout.decode().splitlines()[0].startswith("mesems\t")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_command_prints_the_script(run, shell):
    result = run("completion", shell)
    assert result.exit_code == 0
    assert "_MSCLI_COMPLETE" in result.stdout
    assert f"complete_{shell}" in result.stdout


def test_completion_command_refuses_other_shells(run):
    result = run("completion", "tcsh")
    assert result.exit_code == 2
    assert "bash, zsh, fish" in result.stderr


def test_typer_show_completion_option_prints_the_same_script(run_process):
    result = run_process("--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == run_process("completion", "bash").stdout.decode().strip()


def test_command_names_complete_from_the_full_app(run_process):
    assert complete_bash(run_process, "mscli tri") == ["trials", "trial"]
    assert "diff" in complete_bash(run_process, "mscli ")


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, None),
    ({"_MSCLI_COMPLETE": "complete_bash", "COMP_WORDS": "mscli trial mes", "COMP_CWORD": "2"}, ["trial"]),
    ({"_MSCLI_COMPLETE": "complete_bash", "COMP_WORDS": "mscli tri", "COMP_CWORD": "1"}, []),
    ({"_MSCLI_COMPLETE": "complete_bash", "COMP_WORDS": "mscli trial", "COMP_CWORD": "x"}, []),
    ({"_MSCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "mscli trials --therapy "}, ["trials", "--therapy"]),
    ({"_MSCLI_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "mscli trial me"}, ["trial"]),
    ({"_MSCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": ""}, []),
])
def test_finished_words_choose_the_command_to_build(environ, expected):
    assert finished_words(environ) == expected


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_in_a_real_bash(tmp_path):
    """Source the printed script and call the function bash would call on Tab."""
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "mscli").exists(), "mscli must be installed next to the test interpreter"
    script = ('source <(mscli completion bash); complete -p mscli; '
              'COMP_WORDS=(mscli trials --therapy ms); COMP_CWORD=3; _mscli_completion mscli; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(["bash", "-c", script], capture_output=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "complete -o default -F _mscli_completion mscli"
    assert lines[1:] == ["msc", "msc-np", "msc-ntf"]


def test_registry_numbers_complete_once_one_is_begun(run_process):
    assert complete_bash(run_process, "mscli trial NCT0185") == ["NCT01854957"]
    assert "NCT01854957" in complete_bash(run_process, "mscli cite NCT0185")
    assert not any(word.startswith("NCT") for word in complete_bash(run_process, "mscli trial "))


def test_report_match_and_timeline_complete_their_ids(run_process):
    offered = complete_bash(run_process, "mscli report ")
    assert {"ahsct", "mesems", "consensus-2010"} <= set(offered)
    assert "edss" not in offered  # glossary terms have no report section
    assert complete_bash(run_process, "mscli match --trial mese") == ["mesems"]
    assert complete_bash(run_process, "mscli timeline --therapy ahs") == ["ahsct"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_quotes_multi_word_values(tmp_path):
    bin_dir = Path(sys.executable).parent
    script = ('source <(mscli completion bash); COMP_WORDS=(mscli trials --country Unit); COMP_CWORD=3; '
              '_mscli_completion mscli; printf "%s\\n" "${COMPREPLY[@]}"')
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(["bash", "-c", script], capture_output=True, env=env, timeout=60, check=False)
    assert result.stdout.decode().splitlines() == ["United\\ Kingdom", "United\\ States"]
