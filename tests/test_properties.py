"""Property tests: random arguments and random damage never produce a traceback."""

from __future__ import annotations

import contextlib
import copy
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mscli.errors import DatasetError, DatasetPathError
from mscli.loading import dataset
from tests.conftest import MINIMAL, run_main

WORDS = ["trials", "trial", "therapy", "therapies", "compare", "search", "sources", "info", "cite",
         "glossary", "show", "validate", "--therapy", "--phase", "--status", "--ms-type", "--country",
         "--design", "--since", "--until", "--sort", "--limit", "--json", "--format", "msc", "ahsct",
         "mesems", "NCT01854957", "2", "3", "-1", "0", "csv", "table", "", "--", "-x", "\u202e", "\U0001f600"]

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=30)), max_size=6))
def test_random_arguments_never_traceback(args):
    result = run_main(args)
    assert result.exit_code in (0, 1, 2, 3, 4), (args, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (args, result.stderr)
    if "--json" in args and result.exit_code == 0 and result.stdout:
        json.loads(result.stdout)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


PATHS = [path for path in _paths(MINIMAL) if path]
REPLACEMENTS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                         st.text(max_size=20), st.lists(st.text(max_size=5), max_size=2), st.just({}))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PATHS), REPLACEMENTS, st.booleans())
def test_random_damage_validates_or_gives_a_located_error(tmp_path_factory, path, replacement, delete):
    data = copy.deepcopy(MINIMAL)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    folder = tmp_path_factory.mktemp("damaged")
    (folder / "data.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    try:
        loaded = dataset.load(str(folder), use_cache=False)
    except DatasetError as error:
        assert error.problems and all(problem.file == "data.yaml" or problem.file == "(dataset)"
                                      for problem in error.problems)
        return
    json.dumps(loaded, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_raise_dataset_errors(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("bytes")
    (folder / "data.yaml").write_bytes(content)
    with contextlib.suppress(DatasetError, DatasetPathError):
        dataset.load(str(folder), use_cache=False)
