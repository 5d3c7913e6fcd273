"""The per-record work of a compile, made faster, still answers as the plain code it replaced.

Each reference below is the earlier, straightforward implementation, kept here to compare
against: the texts search reads (``field_text``, ``search_texts``), the text a record is scanned
for glossary terms in (``record_text``), the keys names are compared in (``normalise_key``).
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mscli.loading import dataset, links, validate
from mscli.model import kinds
from mscli.model.kinds import FIELD_TOPICS, KINDS, WHOLE_SLUG_FIELDS


class _Text(str):
    """A str subclass: values of this kind must take the careful path, not the fast one."""


_KEYS = st.sampled_from(["id", "source", "title", "name", "notes", "phase", "design", "sources", "as_of"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-2, 2, allow_nan=False),
                     st.text(alphabet="ab -_\u00e9\n", max_size=5),
                     st.text(alphabet="xy", max_size=3).map(_Text))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)), max_leaves=10)


def _plain_field_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return " | ".join(_plain_field_text(item) for key, item in value.items() if key != "source")
    if isinstance(value, list):
        return " | ".join(_plain_item_text(item) for item in value)
    return str(value)


def _plain_item_text(item: Any) -> str:
    if isinstance(item, dict):
        return str(item["id"]) if "id" in item else _plain_field_text(item)
    return str(item)


def _plain_search_texts(collection: Any, record: Any) -> list[str]:
    texts = []
    for name, _ in KINDS[collection].search_fields:
        text = _plain_field_text(record.get(name))
        if name in WHOLE_SLUG_FIELDS:
            text = text.replace("-", "_")
        elif text and name in FIELD_TOPICS:
            text = f"{FIELD_TOPICS[name]}: {text}"
        texts.append(text)
    return texts


def _plain_collect(value: Any, parts: list[str]) -> None:
    items = value if isinstance(value, list) else (
        item for name, item in value.items() if name not in links._NOT_TEXT)
    for item in items:
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, (list, dict)):
            _plain_collect(item, parts)


def _plain_record_text(record: Any) -> str:
    parts: list[str] = []
    _plain_collect(record, parts)
    if isinstance(record.get("phase"), str) and record["phase"] != "n/a":
        parts.append(f"phase {record['phase']}")
    design = record.get("design")
    if isinstance(design, dict):
        parts += [word for word in ("randomised", "crossover") if design.get(word)]
    eligibility = record.get("eligibility")
    if isinstance(eligibility, dict) and (eligibility.get("edss_min") is not None
                                          or eligibility.get("edss_max") is not None):
        parts.append("EDSS")
    return "\n".join(parts)


def _plain_normalise_key(text: str) -> str:
    text = text.strip().lower()
    text = re.sub(r"^(eudract|eudract number|euctr)[\s:#-]*", "", text)
    return re.sub(r"[\s_]+", " ", text)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_field_text_is_the_plain_one(value: Any) -> None:
    assert kinds.field_text(value) == _plain_field_text(value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([name for name, _ in KINDS["trials"].search_fields]), _VALUES, max_size=6))
def test_search_texts_are_the_plain_ones(record: dict[str, Any]) -> None:
    assert kinds.search_texts("trials", record) == _plain_search_texts("trials", record)
    assert kinds.search_texts("trials", record) == [kinds.search_text(name, record.get(name))
                                                    for name, _ in KINDS["trials"].search_fields]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_record_text_is_the_plain_one(record: dict[str, Any]) -> None:
    assert links.record_text(record) == _plain_record_text(record)


@given(st.lists(st.sampled_from(["eudract", "euctr", " number", "EudraCT", ":", "#", "-", "_", " ",
                                 "\t", "\u00a0", "2011", "nct", "\u0130"]), max_size=8).map("".join))
def test_normalise_key_is_the_plain_one(text: str) -> None:
    assert kinds.normalise_key(text) == _plain_normalise_key(text)


def test_every_bundled_record_reads_as_before() -> None:
    problems: list[Any] = []
    checked = [(file.name, validate.check_file(file.name, dataset.parse_text(file.name, dataset.decode(file)),
                                               problems))
               for file in dataset.read_files(dataset.bundled_data_dir())]
    data = validate.assemble(checked, problems)
    assert not problems
    for collection in KINDS:
        for record in data[collection]:  # type: ignore[literal-required]
            assert kinds.search_texts(collection, record) == _plain_search_texts(collection, record)
            assert links.record_text(record) == _plain_record_text(record)
            assert [kinds.normalise_key(name) for name in kinds.names_of(collection, record)] == [
                _plain_normalise_key(name) for name in kinds.names_of(collection, record)]


@given(st.text(alphabet=st.sampled_from("0123456789\u0660\u0669\uff11"), min_size=8, max_size=8))
def test_a_stored_nct_number_is_its_own_canonical_form(digits: str) -> None:
    """validate's shared-number check takes an NCT number as it is, on this guarantee."""
    from mscli.model.registries import canonical_id

    assert canonical_id(f"NCT{digits}") == f"NCT{digits}"
