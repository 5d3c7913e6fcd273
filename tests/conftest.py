"""Shared fixtures: a CLI runner with a private cache, and small datasets written to disk."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from mscli.cli.app import main

MINIMAL: dict[str, Any] = {
    "dataset": {"title": "test dataset", "version": "1", "reviewed": "2026-11-01"},
    "therapies": [{
        "id": "alpha", "name": "Alpha cells", "aliases": ["ALP"], "summary": "A therapy.",
        "cell_source": "Bone marrow.", "mechanism": "Calms the immune system.",
        "chemotherapy": "not-required", "aim": "repair", "availability": "trials-only",
        "strongest_evidence": "One trial.", "main_risks": ["Headache."], "who_benefits": "Not established.",
        "sources": ["src-a"], "reviewed": "2026-11-01",
    }],
    "trials": [{
        "id": "trial-one", "acronym": "TONE", "title": "The first trial", "therapy": "alpha",
        "registrations": [{"id": "NCT00000001"}, {"id": "2010-000001-01", "note": "EU arm"}],
        "phase": "2",
        "design": {"randomised": True, "controlled": True, "blinding": "double-blind", "crossover": False},
        "eligibility": {"ms_types": ["RRMS"], "age_min": 18, "age_max": 50, "source": "src-a"},
        "enrolment": [{"count": 40, "kind": "actual", "source": "src-a", "as_of": "2020-01-01"},
                      {"count": 50, "kind": "planned", "source": "src-b", "as_of": "2015"}],
        "countries": ["Italy"], "start_year": 2015, "end_year": 2019, "status": "completed",
        "outcome": "not-met", "sources": ["src-a"], "reviewed": "2026-11-01",
    }],
    "sources": [
        {"id": "src-a", "kind": "journal-article", "title": "A paper", "publisher": "A Journal",
         "year": 2020, "doi": "10.1000/abc", "pmid": "123", "verified": True, "reviewed": "2026-11-01"},
        {"id": "src-b", "kind": "web-page", "title": "A page", "publisher": "A charity",
         "verified": False, "reviewed": "2026-11-01"},
    ],
}


def verdicts_in(cache: Path) -> list[Path]:
    """The remembered verdicts in a cache folder (not the digest of mscli's sources beside them)."""
    from mscli.loading import verdicts

    folder = cache / verdicts.FOLDER
    return [path for path in folder.iterdir() if verdicts.is_key_name(path.name)] if folder.is_dir() else []


def minimal() -> dict[str, Any]:
    """A fresh deep copy of a small valid dataset, for tests to break one thing in."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own cache directory, an empty user data directory, no
    MSCLI_DATA from the caller, and a registry address no one listens on: a test that runs
    ``mscli registry`` without its own replay server is refused locally, never sent out."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("MSCLI_CTGOV_URL", "http://127.0.0.1:9/api/v2")
    monkeypatch.setenv("MSCLI_CACHE_DIR", str(cache))
    monkeypatch.setenv("MSCLI_USER_DATA", str(tmp_path_factory.mktemp("user") / "mscli"))
    monkeypatch.delenv("MSCLI_DATA", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return cache


@pytest.fixture
def write_dataset(tmp_path: Path) -> Callable[..., Path]:
    """Write a dataset (dict or raw text) as one YAML file and return its directory."""

    def write(data: dict[str, Any] | str | bytes, name: str = "data.yaml") -> Path:
        folder = tmp_path / "dataset"
        folder.mkdir(exist_ok=True)
        target = folder / name
        if isinstance(data, bytes):
            target.write_bytes(data)
        elif isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return folder

    return write


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_main(args: list[str], env: dict[str, str] | None = None, stdin: str | bytes | None = None) -> Result:
    """Run mscli's real entry point in-process (its error boundary included), capturing output."""
    runner = CliRunner()
    with runner.isolation(input=stdin, env=env) as (stdout, stderr, _):
        old_argv, sys.argv = sys.argv, ["mscli", *args]
        try:
            main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        finally:
            sys.argv = old_argv
            sys.stdout.flush()
            sys.stderr.flush()
        return Result(code, stdout.getvalue().decode("utf-8", "replace"),
                      stderr.getvalue().decode("utf-8", "replace"))


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run mscli in-process through ``main``, as the installed command does."""

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | bytes | None = None) -> Result:
        return run_main(list(args), env, input)

    return invoke


@pytest.fixture
def run_process() -> Callable[..., subprocess.CompletedProcess[bytes]]:
    """Run mscli as a real process (for pipes, terminals and encodings)."""

    def invoke(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run([sys.executable, "-m", "mscli", *args], capture_output=True,
                              env=full_env, timeout=60, check=False, **kwargs)

    return invoke
