"""`mscli import ctgov --form json`: the JSON form of imported records, and moving between forms."""

from __future__ import annotations

import json

import pytest

from mscli.loading import jsonsafe
from tests.test_ctgov import FIXTURES, SINGLE, imported, user_data  # noqa: F401 - user_data is a fixture


def test_json_form_writes_one_record_per_line_and_loads_the_same_trial(run, user_data, tmp_path):  # noqa: F811
    assert imported(run, str(SINGLE))[0] == 0
    as_yaml = run("trial", "NCT09900001", "--json").json()
    (user_data / "imported" / "nct09900001.yaml").unlink()

    code, rows, _ = imported(run, str(SINGLE), "--form", "json")
    assert code == 0 and rows["NCT09900001"]["action"] == "added"
    written = user_data / "imported" / "nct09900001.json"
    assert rows["NCT09900001"]["path"] == str(written)
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"trials": [' and json.loads(lines[1])["id"] == "nct09900001"
    assert jsonsafe.parse(written.read_text(encoding="utf-8"))["trials"][0]["id"] == "nct09900001"
    assert run("trial", "NCT09900001", "--json").json() == as_yaml
    assert run("validate").exit_code == 0

    code, rows, _ = imported(run, str(SINGLE), "--form", "json")
    assert code == 0 and rows["NCT09900001"]["action"] == "unchanged"


def test_a_record_in_the_other_form_is_kept_unless_forced_then_replaced(run, user_data):  # noqa: F811
    assert imported(run, str(SINGLE))[0] == 0
    old = user_data / "imported" / "nct09900001.yaml"
    new = user_data / "imported" / "nct09900001.json"

    code, rows, _ = imported(run, str(SINGLE), "--form", "json")
    assert code == 0 and rows["NCT09900001"]["action"] == "unchanged"
    assert old.is_file() and not new.exists()

    code, rows, _ = imported(run, str(SINGLE), "--form", "json", "--force")
    assert code == 0 and rows["NCT09900001"]["action"] == "changed"
    assert new.is_file() and not old.exists()
    assert run("trial", "NCT09900001", "--json").exit_code == 0

    code, rows, _ = imported(run, str(FIXTURES / "single-msc.json"), "--form", "yaml", "--dry-run", "--force")
    assert rows["NCT09900001"]["action"] == "changed" and new.is_file() and not old.exists()


def test_a_changed_record_in_the_other_form_needs_force(run, user_data, tmp_path):  # noqa: F811
    assert imported(run, str(SINGLE), "--form", "json")[0] == 0
    study = json.loads(SINGLE.read_text())
    study["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 50
    updated = tmp_path / "updated.json"
    updated.write_text(json.dumps(study))
    code, rows, _ = imported(run, str(updated))
    assert code == 1 and rows["NCT09900001"]["action"] == "skipped"
    assert "exists as nct09900001.json; use --force" in rows["NCT09900001"]["reason"]
    assert not (user_data / "imported" / "nct09900001.yaml").exists()


def test_an_unknown_form_is_a_usage_error(run, user_data):  # noqa: F811
    result = run("import", "ctgov", str(SINGLE), "--form", "xml")
    assert result.exit_code == 2
    assert "--form xml: choose yaml or json" in result.stderr
    assert not user_data.exists()


@pytest.mark.parametrize("name", ["NCT00973089.json", "NCT02210780.json", "NCT03418623.json", "NCT04207047.json"])
def test_the_size_floor_holds_for_the_json_form_too(name: str) -> None:
    """``text_bytes`` refuses an oversized record unrendered in either form only as a true floor."""
    from mscli.features import ctgov, importer

    real = FIXTURES.parent / "ctgov_real" / name
    converted = ctgov.convert(json.loads(real.read_text()), "2026-12-02", {"msc", "ahsct"})
    floor, size = importer.text_bytes(converted), len(importer.render_file(converted, "json"))
    assert 0.5 * size < floor <= size
    assert jsonsafe.parse(importer.render_file(converted, "json").decode("utf-8"))["trials"][0]["id"]
