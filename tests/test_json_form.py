"""Data files in the JSON form: listed, loaded, refused and located exactly as YAML ones are."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.errors import DatasetError, DatasetPathError, Problem
from mscli.loading import dataset
from mscli.loading.jsonsafe import dumps
from mscli.loading.yamlsafe import MAX_DEPTH
from tests.conftest import minimal
from tests.test_validate import RULES, mutate

VALID = dumps(minimal())
DEEP = "[" * (MAX_DEPTH + 8) + "]" * (MAX_DEPTH + 8)

HOSTILE: list[tuple[str, bytes, str]] = [
    ("syntax error", b'{"trials": [\n  {"id": "x"}\n', "JSON syntax error"),
    ("yaml in a json file", yaml.safe_dump(minimal()).encode(), "JSON syntax error"),
    ("deep nesting", b'{"trials": ' + b"[" * 500 + b"]" * 500 + b"}", "nesting deeper"),
    ("deep in a record", VALID.replace('"sites"', f'"countries": {DEEP}, "sites"', 1).encode()
     if '"sites"' in VALID else VALID.replace('"phase": "2"', f'"phase": {DEEP}').encode(), "nesting deeper"),
    ("deep under an unknown key", b'{"junk": ' + DEEP.encode() + b"}", "nesting deeper"),
    ("deep in the dataset section", VALID.replace('"title": "test dataset"', f'"title": {DEEP}').encode(),
     "nesting deeper"),
    ("deep top level", DEEP.encode(), "nesting deeper"),
    ("duplicate key", VALID.replace('"phase": "2"', '"phase": "2", "phase": "3"').encode(),
     "duplicate key 'phase'"),
    ("duplicate top-level key", VALID.replace('{"dataset":', '{"trials": [], "dataset":').encode(),
     "duplicate key 'trials'"),
    ("non-string key", b'{"trials": [{1: "x"}]}', "expecting a key in double quotes"),
    ("second document", VALID.encode() + b'{"trials": []}\n', "extra data"),
    ("top-level list", b'[{"id": "x"}]', "expected a mapping"),
    ("empty file", b"", "file is empty"),
    ("not utf-8", VALID.replace("test dataset", "caf\udce9").encode("utf-8", "surrogateescape"), "not valid UTF-8"),
    ("utf-8 bom", b"\xef\xbb\xbf" + VALID.encode(), "byte-order mark"),
    ("utf-16 bom", b"\xff\xfe" + VALID.encode("utf-16-le"), "byte-order mark"),
    ("nul byte", VALID.replace("test dataset", "a\x00b").encode(), "invalid control character"),
    ("lone surrogate", VALID.replace("test dataset", "a\\ud800b").encode(), "surrogate"),
    ("nan", VALID.replace('"start_year": 2015', '"start_year": NaN').encode(), "finite"),
    ("inf", VALID.replace('"start_year": 2015', '"start_year": Infinity').encode(), "finite"),
    ("overflowing float", VALID.replace('"age_max": 50', '"age_max": 1e999').encode(), "finite"),
    ("huge integer", VALID.replace('"start_year": 2015', '"start_year": ' + "9" * 5000).encode(), "bad value"),
    ("integer out of range", VALID.replace('"start_year": 2015', f'"start_year": {2**60}').encode(),
     "out of range"),
    ("number in a text field", VALID.replace('"phase": "2"', '"phase": 2').encode(), "quote it"),
    ("float in a whole-number field", VALID.replace('"start_year": 2015', '"start_year": 2015.0').encode(),
     "start_year"),
]


@pytest.mark.parametrize("name,content,expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_json_file_gives_a_located_error(write_dataset, run, name, content, expected):
    folder = write_dataset(content, name="data.json")
    before = hashlib.sha256((folder / "data.json").read_bytes()).hexdigest()
    with pytest.raises(DatasetError) as caught:
        dataset.load(str(folder), use_cache=False)
    assert expected in str(caught.value), str(caught.value)
    assert str(caught.value).startswith("data.json")
    result = run("trials", "--data", str(folder))
    assert result.exit_code == 3
    assert result.stderr.startswith("mscli: error: data.json")
    assert len(result.stderr.strip().splitlines()) == 1
    assert hashlib.sha256((folder / "data.json").read_bytes()).hexdigest() == before


def test_a_hundred_thousand_nested_brackets_are_refused_under_a_memory_limit(tmp_path):
    import resource
    import subprocess

    (tmp_path / "deep.json").write_bytes(b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
    (tmp_path / "deep-objects.json").write_bytes(b'{"x": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001 + b"\n")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024, 1024 * 1024 * 1024))

    for name in ("deep.json", "deep-objects.json"):
        result = subprocess.run([sys.executable, "-m", "mscli", "validate", str(tmp_path / name)],
                                capture_output=True, timeout=60, preexec_fn=limit)  # noqa: PLW1509
        assert result.returncode == 1, result.stderr
        assert b"nesting deeper than 32 levels" in result.stdout + result.stderr
        assert b"Traceback" not in result.stderr and b"RecursionError" not in result.stderr


def _problems(files: dict[str, str]) -> list[Problem]:
    return dataset.check([dataset.DataFile(name, text.encode()) for name, text in files.items()])[1]


def _shape(problem: Problem) -> tuple[str, str | None, str | None]:
    """A problem without its file and line, and without the hint on how to write text, which
    differ between the two forms of one file."""
    message = re.sub(r" \(YAML reads? [^)]*\); quote it$|; write it in double quotes$", "", problem.message)
    return re.sub(r"data\.(yaml|json):\d+", "FILE", message), problem.record, problem.field


@pytest.mark.parametrize("name,change,expected", RULES, ids=[rule[0] for rule in RULES])
def test_each_rule_reports_the_same_problems_located_in_the_json_file(name, change, expected):
    data = mutate(change)
    in_yaml = _problems({"data.yaml": yaml.safe_dump(data, sort_keys=False, allow_unicode=True)})
    for text in (json.dumps(data, indent=2, ensure_ascii=False), dumps(data)):
        in_json = _problems({"data.json": text})
        assert sorted(map(_shape, in_json), key=repr) == sorted(map(_shape, in_yaml), key=repr), name
        lines = text.splitlines()
        for problem in in_json:
            if problem.file == "(dataset)" or problem.line is None:
                assert problem.file != "data.json" or problem.record == "dataset", problem
                continue
            assert problem.file == "data.json"
            where = lines[problem.line - 1]
            key = re.sub(r"\[\d+\]$", "", (problem.field or "").split(".")[-1])
            assert f'"{key}"' in where or where.lstrip().startswith(("{", '"trials"', '"sources"')), \
                (problem, where)


def test_a_field_problem_names_the_line_of_its_key_in_pretty_json():
    data = minimal()
    data["trials"][0]["phase"] = "9"
    text = json.dumps(data, indent=2)
    [problem] = _problems({"data.json": text})
    assert (problem.file, problem.record, problem.field) == ("data.json", "trial-one", "phase")
    assert text.splitlines()[problem.line - 1].strip().startswith('"phase": "9"')


def test_problems_across_files_name_the_record_lines_of_json_files():
    data = minimal()
    other = {"trials": [dict(data["trials"][0], acronym="TWO")]}
    problems = _problems({"a.json": dumps(data), "b.json": dumps(other)})
    duplicate = next(problem for problem in problems if problem.message.startswith("duplicate id"))
    assert duplicate.file == "b.json" and duplicate.line == 2
    trial_line = dumps(data).splitlines().index(next(line for line in dumps(data).splitlines()
                                                     if '"id": "trial-one"' in line)) + 1
    assert f"first defined at a.json:{trial_line}" in duplicate.message


# PyYAML writes NEL and the Unicode line separators unescaped and reads them back as spaces, a
# YAML round-trip fault of its own; both forms are compared on text that YAML round-trips.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\u2028\u2029"),
                min_size=1, max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_TEXT, notes=st.none() | _TEXT, year=st.integers(1900, 2100) | st.integers(-(2**60), 2**60),
       countries=st.lists(_TEXT, max_size=3), phase=st.sampled_from(["2", "3", "9", 2]), pretty=st.booleans())
def test_a_dataset_in_json_loads_to_exactly_what_its_yaml_loads_to(title, notes, year, countries, phase, pretty):
    data = minimal()
    record = data["trials"][0]
    record.update(title=title, start_year=year, end_year=max(year, 2019), countries=countries, phase=phase)
    if notes is not None:
        record["eligibility"]["notes"] = notes
    from_yaml = dataset.check([dataset.DataFile("data.yaml", yaml.safe_dump(data, allow_unicode=True).encode())])
    text = json.dumps(data, indent=2, ensure_ascii=False) if pretty else dumps(data)
    from_json = dataset.check([dataset.DataFile("data.json", text.encode())])
    assert from_json[0] == from_yaml[0]
    assert [_shape(problem) for problem in from_json[1]] == [_shape(problem) for problem in from_yaml[1]]


def test_json_files_are_listed_beside_yaml_files(write_dataset, run, tmp_path):
    data = minimal()
    folder = write_dataset({"dataset": data.pop("dataset"), "therapies": data.pop("therapies")})
    (folder / "trials.json").write_text(dumps({"trials": data.pop("trials")}), encoding="utf-8")
    (folder / "sources.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (folder / "notes.txt").write_text("not data", encoding="utf-8")
    assert [name for _, name in dataset.list_files(folder)] == ["data.yaml", "sources.yml", "trials.json"]
    assert [trial["id"] for trial in dataset.load(str(folder), use_cache=False)["trials"]] == ["trial-one"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetPathError, match=r"no data files \(.yaml, .yml or .json\)"):
        dataset.list_files(empty)


def test_too_many_data_files_counts_json_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "MAX_FILES", 3)
    for index in range(4):
        (tmp_path / f"part-{index}.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DatasetPathError, match="more than 3 data files"):
        dataset.list_files(tmp_path)


@pytest.mark.parametrize("args", [["trials", "--json"], ["trial", "trial-one", "--format", "yaml"],
                                  ["search", "first", "--json"], ["therapies", "--format", "csv"]])
def test_the_same_answers_from_either_form_cached_or_not(run, write_dataset, tmp_path, args):
    as_yaml = write_dataset(minimal())
    as_json = tmp_path / "json-form"
    as_json.mkdir()
    (as_json / "data.json").write_text(dumps(minimal()), encoding="utf-8")
    expected = run(*args, "--data", str(as_yaml), "--no-cache").stdout
    assert expected
    for _ in range(2):  # the first run compiles the cache, the second reads it
        assert run(*args, "--data", str(as_json)).stdout == expected
    assert run(*args, "--data", str(as_json / "data.json"), "--no-cache").stdout == expected


def test_validate_a_json_file(run, tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(dumps(minimal()), encoding="utf-8")
    data = minimal()
    data["trials"][0]["status"] = "finished"
    bad.write_text(json.dumps(data, indent=1), encoding="utf-8")
    assert run("validate", str(good)).exit_code == 0
    result = run("validate", str(bad), "--json")
    assert result.exit_code == 1
    [problem] = result.json()
    lines = json.dumps(data, indent=1).splitlines()
    assert problem["file"] == "bad.json" and problem["record"] == "trial-one" and problem["field"] == "status"
    assert '"status": "finished"' in lines[problem["line"] - 1]


def test_user_data_directory_json_files_are_read(run):
    user = Path(os.environ["MSCLI_USER_DATA"])
    (user / "imported").mkdir(parents=True)
    record: dict[str, Any] = dict(minimal()["trials"][0], id="user-json-trial", therapy="msc",
                                  registrations=[{"id": "NCT09999991"}], sources=["clinicaltrials-gov-glossary"])
    record["eligibility"] = dict(record["eligibility"], source="clinicaltrials-gov-glossary")
    record["enrolment"] = [dict(record["enrolment"][0], source="clinicaltrials-gov-glossary")]
    (user / "imported" / "user-json-trial.json").write_text(dumps({"trials": [record]}), encoding="utf-8")
    result = run("trial", "user-json-trial", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["id"] == "user-json-trial"


def test_an_edited_json_file_is_never_served_stale(run, tmp_path):
    folder = tmp_path / "json-form"
    folder.mkdir()
    data = minimal()
    (folder / "data.json").write_text(dumps(data), encoding="utf-8")
    assert run("trial", "trial-one", "--json", "--data", str(folder)).json()["phase"] == "2"
    data["trials"][0]["phase"] = "3"
    (folder / "data.json").write_text(dumps(data), encoding="utf-8")
    assert run("trial", "trial-one", "--json", "--data", str(folder)).json()["phase"] == "3"


def test_the_bundled_dataset_in_the_json_form_loads_to_the_same_records():
    from mscli.loading.yamlsafe import parse

    files = dataset.read_files(dataset.bundled_data_dir())
    as_json = [dataset.DataFile(file.name.rsplit(".", 1)[0] + ".json",
                                dumps(parse(file.content.decode("utf-8"))).encode()) for file in files]
    from_yaml, from_json = dataset.check(files), dataset.check(as_json)
    assert from_yaml[1] == [] and from_json[1] == []
    assert from_json[0] == from_yaml[0]


def test_a_number_where_text_belongs_is_explained_in_json_terms():
    """YAML's reading of unquoted words is no excuse in a JSON file: the hint says what to write."""
    data = minimal()
    data["trials"][0]["title"] = 3
    [problem] = _problems({"data.json": json.dumps(data, indent=2)})
    assert problem.field == "title"
    assert "YAML" not in problem.message and problem.message.endswith("write it in double quotes")
