"""Regression tests from the second adversarial pass of issue 16 (what the first fix missed).

Device and FIFO cases are made inside the test's own temporary folder: a FIFO made with
``mkfifo`` and a symbolic link to ``/dev/null`` that the test creates, never a real device as a
target of ``--force``.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import minimal

SINGLE = Path(__file__).parent / "fixtures" / "ctgov" / "single-msc.json"
LONG = "p" * 300


def _study(tmp_path: Path, name: str, nct: str, **identification: Any) -> Path:
    study = json.loads(SINGLE.read_text())
    module = study["protocolSection"]["identificationModule"]
    module["nctId"] = nct
    module.pop("acronym", None)
    module.update(identification)
    target = tmp_path / name
    target.write_text(json.dumps(study))
    return target


def _one_line(result: Any) -> None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) <= 2, result.stderr


# 4. Imported records never shadow the editors' ids, aliases or acronyms.

@pytest.mark.parametrize("command", ["show", "cite", "sources", "report"])
def test_imported_acronym_does_not_shadow_a_therapy(run: Any, tmp_path: Path, command: str) -> None:
    assert run("import", "ctgov", str(_study(tmp_path, "msc.json", "NCT09999991", acronym="MSC"))).exit_code == 0
    fmt = {"show": "json", "cite": "csl-json", "sources": "json", "report": "markdown"}[command]
    result = run(command, "msc", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    if command == "show":
        assert result.json()["id"] == "msc"
    elif command == "report":
        assert "Mesenchymal stem cell therapy" in result.stdout
    else:  # the therapy's sources, not the imported study's registry record
        assert "ctgov-import-nct09999991" not in result.stdout and result.stdout.strip() not in ("", "[]")


# 4. A registry number claimed by two records is a validation error naming both.

def test_shared_registry_number_is_a_validation_error_naming_both(run: Any, write_dataset: Any) -> None:
    data = minimal()
    other = copy.deepcopy(data["trials"][0])
    other.update(id="trial-two", acronym="TTWO", registrations=[{"id": "NCT00000002"}, {"id": "2010-000001-01"}])
    data["trials"].append(other)
    result = run("validate", str(write_dataset(data)), "--json")
    assert result.exit_code == 1
    (problem,) = [p for p in result.json() if "registry number" in p["message"]]
    assert problem["record"] == "trial-two" and "trial-one" in problem["message"]
    assert "2010-000001-01" in problem["message"]


def test_a_national_arm_inside_its_umbrella_trial_is_valid(run: Any) -> None:
    assert run("validate").exit_code == 0
    assert run("trial", "NCT01606215", "--json").json()["id"] == "streams"


def test_import_skips_a_second_study_claiming_the_same_eudract_number(run: Any, tmp_path: Path) -> None:
    eudract = [{"id": "2012-000123-45", "type": "EUDRACT_NUMBER"}]
    first = _study(tmp_path, "a.json", "NCT08888881", secondaryIdInfos=eudract)
    second = _study(tmp_path, "b.json", "NCT08888882", secondaryIdInfos=eudract)
    result = run("import", "ctgov", str(first), str(second), "--json")
    assert result.exit_code == 1
    rows = {row["study"]: row for row in result.json()}
    assert rows["NCT08888881"]["action"] == "added"
    assert rows["NCT08888882"]["action"] == "skipped" and "nct08888881" in rows["NCT08888882"]["reason"]
    assert run("validate").exit_code == 0
    assert run("trial", "2012-000123-45", "--json").json()["id"] == "nct08888881"


# 4. Numbers are bounded at load and import; a 4,300-digit integer is one skipped file.

def test_enrolment_over_the_bound_is_a_located_error(run: Any, write_dataset: Any) -> None:
    data = minimal()
    data["trials"][0]["enrolment"][0]["count"] = 10 ** 12
    result = run("validate", str(write_dataset(data)), "--json")
    assert result.exit_code == 1
    assert any(p["field"] == "enrolment[0].count" for p in result.json())


def test_huge_json_integer_skips_its_file_and_imports_the_rest(run: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"protocolSection": {"x": ' + "9" * 5000 + "}}")
    good = _study(tmp_path, "good.json", "NCT09999992")
    result = run("import", "ctgov", str(bad), str(good), "--json")
    assert result.exit_code == 1, result.stderr
    _one_line(result)
    actions = {row["file"]: row["action"] for row in result.json()}
    assert actions == {str(bad): "skipped", str(good): "added"}


def test_import_checks_the_loaders_file_size_before_writing(run: Any, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from mscli.loading import dataset

    largest = max(path.stat().st_size for path in dataset.bundled_data_dir().rglob("*.y*ml"))
    monkeypatch.setattr(dataset, "MAX_FILE_BYTES", largest + 1000)
    study = _study(tmp_path, "a.json", "NCT09999993", officialTitle="stem cell " * (largest // 9))
    result = run("import", "ctgov", str(study), "--json")
    assert result.exit_code == 1, result.stderr
    assert "MB mscli reads" in result.json()[0]["reason"]
    assert not (Path(os.environ["MSCLI_USER_DATA"]) / "imported").exists()
    assert run("info").exit_code == 0


def test_import_refuses_an_oversized_record_before_rendering_it(run: Any, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering a 19 MB record took PyYAML 26 s; the size floor refuses it without rendering."""
    from mscli.features import importer
    from mscli.loading import dataset

    def no_render(converted: Any) -> bytes:
        raise AssertionError("an oversized record was rendered")

    monkeypatch.setattr(dataset, "MAX_FILE_BYTES", 200_000)
    monkeypatch.setattr(importer, "render_file", no_render)
    study = _study(tmp_path, "a.json", "NCT09999994", officialTitle="stem cell " * 25_000)
    result = run("import", "ctgov", str(study), "--json")
    assert result.exit_code == 1, result.stderr
    assert "MB mscli reads" in result.json()[0]["reason"]
    assert not (Path(os.environ["MSCLI_USER_DATA"]) / "imported").exists()


REAL = Path(__file__).parent / "fixtures" / "ctgov_real"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(min_size=1, max_size=400), keyword=st.text(max_size=60))
def test_the_size_floor_never_exceeds_the_rendered_file(title: str, keyword: str) -> None:
    """``text_bytes`` may refuse a record unrendered only because it is a true floor."""
    from mscli.features import ctgov, importer

    study = json.loads((REAL / "NCT02210780.json").read_text())
    study["protocolSection"]["identificationModule"]["officialTitle"] = title
    study["protocolSection"].setdefault("conditionsModule", {})["keywords"] = [keyword, "MS"]
    try:
        converted = ctgov.convert(study, "2026-12-02", {"msc", "ahsct"})
    except ctgov.Unusable:
        return
    assert importer.text_bytes(converted) <= len(importer.render_file(converted))


@pytest.mark.parametrize("name", ["NCT00973089.json", "NCT02210780.json", "NCT03418623.json", "NCT04207047.json"])
def test_the_size_floor_holds_on_real_records(name: str) -> None:
    """The full v2 records of the real fixtures (the others are restricted or v1)."""
    from mscli.features import ctgov, importer

    converted = ctgov.convert(json.loads((REAL / name).read_text()), "2026-12-02", {"msc", "ahsct"})
    floor, size = importer.text_bytes(converted), len(importer.render_file(converted))
    assert 0.5 * size < floor <= size  # a floor, and not a uselessly low one


def test_import_stops_at_the_loaders_file_count_before_writing(run: Any, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from mscli.loading import dataset

    bundled = sum(1 for _ in dataset.bundled_data_dir().rglob("*.y*ml"))
    monkeypatch.setattr(dataset, "MAX_FILES", bundled)  # the bundled folder still loads
    folder = tmp_path / "studies"
    folder.mkdir()
    for number in range(bundled + 1):
        _study(folder, f"s{number}.json", f"NCT0999{number:04d}")
    result = run("import", "ctgov", str(folder), "--json")
    rows = result.json()
    assert result.exit_code == 1, result.stderr
    assert [row["action"] for row in rows].count("added") == bundled
    skipped = [row for row in rows if row["action"] == "skipped"]
    assert len(skipped) == 1 and "data files mscli reads" in skipped[0]["reason"]
    imported = Path(os.environ["MSCLI_USER_DATA"]) / "imported"
    assert len(list(imported.glob("*.yaml"))) == bundled
    assert run("info").exit_code == 0


# 5. Only regular files are read: FIFOs, devices and folders holding them never hang.

@pytest.mark.parametrize("kind", ["fifo", "device-link", "fifo-in-folder", "device-in-folder"])
def test_import_refuses_special_files_without_blocking(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / "x.json"
    if kind.startswith("fifo"):
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/null")
    given = str(folder if kind.endswith("folder") else target)
    env = {**os.environ, "MSCLI_USER_DATA": str(tmp_path / "user")}
    result = subprocess.run([sys.executable, "-m", "mscli", "import", "ctgov", given, "--json"], capture_output=True,
                            text=True, timeout=60, env=env, check=False)
    assert result.returncode == 1, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["action"] == "skipped" and "not a regular file" in row["reason"]


def test_proc_file_is_read_with_a_cap(run: Any) -> None:
    result = run("import", "ctgov", "/proc/self/status", "--json")
    assert result.exit_code == 1
    assert result.json()[0]["action"] == "skipped"


# 5. 300-character paths are one line everywhere.

@pytest.mark.parametrize("where", ["import", "into", "report", "user-data", "cache", "data", "validate", "offer"])
def test_long_paths_are_one_line(run: Any, tmp_path: Path, where: str) -> None:
    long = str(tmp_path / LONG)
    study = str(_study(tmp_path, "a.json", "NCT09999994"))
    args, env = {
        "import": (["import", "ctgov", long + ".json"], {}),
        "into": (["import", "ctgov", study, "--into", long], {}),
        "report": (["report", "msc", "-o", long + ".md"], {}),
        "user-data": (["info"], {"MSCLI_USER_DATA": long}),
        "cache": (["therapies", "--json"], {"MSCLI_CACHE_DIR": long + "/c"}),
        "data": (["trials", "--data", long], {}),
        "validate": (["validate", long], {}),
        "offer": (["clinic", "--offer", long + ".txt"], {}),
    }[where]
    result = run(*args, env=env)
    _one_line(result)
    assert result.exit_code in ((0,) if where == "cache" else (4,)), result.stderr
    if where in ("import", "into", "user-data"):
        assert "cannot write output" not in result.stderr


def test_info_with_an_unreadable_user_data_folder(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "user"
    (folder / "imported").mkdir(parents=True)
    (folder / "imported" / "a.yaml").write_text("trials: []\n")
    real_scandir = os.scandir

    def refuse(path: Any = ".") -> Any:
        if str(path).startswith(str(folder)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    result = run("info", env={"MSCLI_USER_DATA": str(folder)})
    assert result.exit_code == 4
    _one_line(result)
    assert "Permission denied" in result.stderr


# 6. Repeated words are merged.

def test_repeated_search_words_are_merged(run: Any) -> None:
    once = run("search", "stem", "--json")
    many = run("search", " ".join(["stem"] * 1000), "--json")
    assert many.exit_code == 0 and many.json() == once.json()


def test_offer_of_many_numbers_and_names_is_answered(run: Any, tmp_path: Path) -> None:
    offer = tmp_path / "offer.txt"
    offer.write_text("".join(f"MSC trial NCT{number:08d}.\n" for number in range(3000)) + "NCT01854957\n")
    result = run("clinic", "--offer", str(offer), "--json")
    assert result.exit_code == 0, result.stderr
    numbers = {entry["number"]: entry for entry in result.json()["registry_numbers"]}
    assert len(numbers) == 3001 and numbers["NCT00002999"]["line"] == 3000
    assert numbers["NCT01854957"]["in_dataset"] and numbers["NCT01854957"]["line"] == 3001


# 10. --help to a full device exits 4 (/dev/full only as the target of stdout).

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [["--help"], ["trials", "--help"], ["--version"], ["therapies", "--json"]])
def test_output_to_a_full_device_exits_4(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "mscli", *args], stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=60, check=False)
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_imported_yaml_round_trips(run: Any, tmp_path: Path) -> None:
    run("import", "ctgov", str(_study(tmp_path, "a.json", "NCT09999995")))
    (written,) = (Path(os.environ["MSCLI_USER_DATA"]) / "imported").glob("*.yaml")
    assert yaml.safe_load(written.read_text())["trials"][0]["id"] == "nct09999995"


# The argv fuzzer over every command (subcommands included), each with its own options and
# --query expressions: an exit code in the documented set, no traceback, at most two lines.

def _commands() -> dict[tuple[str, ...], list[str]]:
    import typer

    from mscli.cli.app import app

    found: dict[tuple[str, ...], list[str]] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, (*path, name))
        if path:
            found[path] = [opt for param in command.params for opt in (*param.opts, *param.secondary_opts)
                           if opt.startswith("-")]

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = _commands()
VALUES = ["msc", "ahsct", "mesems", "NCT01854957", "2011-001295-19", "2", "-1", "0", "99999999999", "1/2",
          "json", "csv", "tsv", "yaml", "markdown", "html", "table", "bibtex", "ris", "csl-json", "bash",
          "outcome", "therapy", "year", "RRMS", "UK", "none", "start", "id", "", "--", "-", "\x1b]0;x\x07",
          "\u202e", "\U0001f600", "trial", "a" * 300, "nan", "1e400"]
QUERIES = ["@", "[0]", "[].id", "length(@)", "to_number('nan')", "`1e400`", "floor(`-1e400`)", "[::0]",
           "[" * 200 + "@" + "]" * 200, " | ".join(["@"] + ["[@,@]"] * 22), "sort_by(@, &id)", "max_by(@, &x)",
           "@.a.b.c", "{a: @}", "`{}`", "reverse(@)", "[?id=='msc']", "'unterminated", "&@", "not_null(@)"]


@st.composite
def _argv(draw: Any) -> list[str]:
    path = draw(st.sampled_from(sorted(COMMANDS)))
    words = COMMANDS[path] + ["--query"] * 2
    tail: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        choice = draw(st.integers(0, 3))
        if choice == 0 and words:
            word = draw(st.sampled_from(words))
            tail.append(word)
            if word == "--query":
                tail.append(draw(st.sampled_from(QUERIES)))
        elif choice == 1:
            tail.append(draw(st.sampled_from(VALUES)))
        elif choice == 2:
            tail.append(draw(st.text(max_size=12)))
        else:
            tail += ["--query", draw(st.sampled_from(QUERIES) | st.text(max_size=15))]
    if "--force" in tail or "--output" in tail or "-o" in tail:
        tail = [word for word in tail if word not in ("--force", "--output", "-o")]
    return [*path, *[word for word in tail if word not in ("--install-completion", "--show-completion")]]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_argv())
def test_fuzzed_arguments_of_every_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    from tests.conftest import run_main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    result = run_main(args)
    assert result.exit_code in (0, 1, 2, 3, 4, 5), (args, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (args, result.stderr)
    assert len(result.stderr.splitlines()) <= 2, (args, result.stderr)
