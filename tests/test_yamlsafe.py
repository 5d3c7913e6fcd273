"""The one-pass builder gives exactly what PyYAML's own safe loader gives on acceptable YAML."""

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading.dataset import bundled_data_dir
from mscli.loading.yamlsafe import _DatasetLoader, parse

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
