"""The ``fields=`` pieces ``registry search`` asks for, checked against the API's own data model.

``field-metadata-extract.json`` holds, unchanged but for the leaves left out, the nodes of the
API's answer to GET /api/v2/studies/metadata (recorded by genomoncology/biomcp; see
tests/fixtures/ctgov_replay/PROVENANCE.md) on the way to each piece mscli requests.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mscli.features import registry_search

FIXTURES = Path(__file__).parent / "fixtures"
METADATA = json.loads((FIXTURES / "ctgov_replay" / "field-metadata-extract.json").read_text(encoding="utf-8"))
FULL_RECORDS = [FIXTURES / "ctgov_replay" / "study-NCT02576665.json",
                *(FIXTURES / "ctgov_real" / name for name in
                  ("NCT00973089.json", "NCT02210780.json", "NCT03418623.json", "NCT04207047.json"))]


def _pieces(nodes: list[dict[str, Any]], path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    for node in nodes:
        here = (*path, node["name"])
        yield node["piece"], ".".join(here)
        yield from _pieces(node.get("children", []), here)


def test_every_requested_piece_is_the_apis_and_comes_back_where_mscli_reads_it():
    model = dict(_pieces(METADATA))
    assert registry_search.FIELDS.split(",") == list(registry_search.REQUESTED)
    for piece, path in registry_search.REQUESTED.items():
        assert model.get(piece) == path, piece


def _restricted(value: Any, paths: list[list[str]]) -> Any:
    """What the API returns of ``value`` for these paths: only they, lists kept item by item."""
    if isinstance(value, list):
        return [_restricted(item, paths) for item in value]
    if not isinstance(value, dict):
        return value
    kept: dict[str, Any] = {}
    for key in dict.fromkeys(path[0] for path in paths if path):
        if key in value:
            rest = [path[1:] for path in paths if path and path[0] == key]
            kept[key] = copy.deepcopy(value[key]) if [] in rest else _restricted(value[key], rest)
    return kept


@pytest.mark.parametrize("record", FULL_RECORDS, ids=lambda path: path.stem)
def test_the_requested_fields_hold_everything_search_reads(record: Path):
    """A find made from the restricted answer equals one made from the full record."""
    full = json.loads(record.read_text(encoding="utf-8"))
    study = _restricted(full, [path.split(".") for path in registry_search.REQUESTED.values()])
    assert study != full and study["protocolSection"]["identificationModule"]["nctId"]
    assert registry_search._fields(study) == registry_search._fields(full)
    number = full["protocolSection"]["identificationModule"]["nctId"]
    assert (registry_search._find(study, number, ["m"], ["s"], None)
            == registry_search._find(full, number, ["m"], ["s"], None))
