"""The one-pass builder gives exactly what PyYAML's own safe loader gives on acceptable YAML, and
the quick builder gives exactly what the located one gives, or leaves the text to it."""

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading.dataset import bundled_data_dir
from mscli.loading.yamlsafe import MAX_DEPTH, MarkedDict, YamlProblem, _DatasetLoader, parse, parse_quick

_SCALARS = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4), max_leaves=20)


def _reference(text: str) -> object:
    return yaml.load(text, Loader=_DatasetLoader)  # noqa: S506 - a safe loader subclass


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), _VALUES, min_size=1, max_size=5), st.booleans())
def test_values_match_pyyaml(document: dict[str, object], flow: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    assert parse(text) == _reference(text)


def test_bundled_files_match_pyyaml() -> None:
    files = sorted(Path(bundled_data_dir()).glob("*.yaml"))
    assert files
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert parse(text) == _reference(text), file.name


def test_plain_scalars_resolve_like_pyyaml() -> None:
    text = "a: yes\nb: 0x1F\nc: 1_000\nd: ~\ne: 2026-01-02\nf: '3'\ng: ! 4\nh: .5\ni: 1:30\n"
    assert parse(text) == _reference(text)
    assert parse(text)["e"] == "2026-01-02"


def _lines(value: object) -> object:
    """The lines the quick builder promises: each top-level key's, and each record's."""
    assert isinstance(value, MarkedDict)
    return value.key_lines, {key: [getattr(item, "line", None) for item in items]
                             for key, items in value.items() if isinstance(items, list)}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.lists(_VALUES, max_size=4), min_size=1, max_size=4),
       st.booleans())
def test_quick_builder_gives_the_located_values_and_lines(document: dict[str, object], flow: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    quick, located = parse_quick(text), parse(text)
    assert quick == located
    assert _lines(quick) == _lines(located)


def test_quick_builder_reads_the_bundled_files_as_the_located_one() -> None:
    for file in sorted(Path(bundled_data_dir()).glob("*.yaml")):
        text = file.read_text(encoding="utf-8")
        quick, located = parse_quick(text), parse(text)
        assert quick == located, file.name
        assert _lines(quick) == _lines(located), file.name


REFUSED = [
    "a: &x 1\nb: *x\n",
    "t:\n- {a: 1, a: 2}\n",
    "t:\n- a: 1\n  b:\n    c: 1\n    c: 2\n",
    "t:\n- {1: x}\n",
    "t:\n- {<<: {a: 1}}\n",
    "t:\n- a: !!python/name:os.system x\n",
    "t:\n- a: !!int 3\n",
    "t:\n- a: 1.0e+999\n",
    "t:\n- a: 99999999999999999999\n",
    "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
    "a: 1\n---\nb: 2\n",
    "a: [1, 2\n",
    "a:\n\t- 1\n",
]


@pytest.mark.parametrize("text", REFUSED)
def test_quick_builder_leaves_every_refusal_to_the_located_one(text: str) -> None:
    with pytest.raises(YamlProblem):
        parse(text)
    assert parse_quick(text) is None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab1 :-[]{},&*!<\n'\"#|>~.", max_size=40))
def test_quick_builder_never_accepts_what_the_located_one_refuses(text: str) -> None:
    try:
        located = parse(text)
    except YamlProblem:
        assert parse_quick(text) is None
        return
    quick = parse_quick(text)
    assert quick is None or quick == located
