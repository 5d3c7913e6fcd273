"""The installed wheel works from any directory on a fresh virtual environment."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    wheel = next((work / "dist").glob("mscli-*.whl"))
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   capture_output=True, timeout=600)
    return env_dir / "bin"


def test_installed_wheel_runs_the_main_job_outside_the_source_tree(installed, tmp_path):
    env = {"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    result = subprocess.run([str(installed / "mscli"), "trials", "--therapy", "msc", "--json"], cwd=tmp_path,
                            capture_output=True, env=env, timeout=120, check=True)
    trials = json.loads(result.stdout)
    assert "mesems" in {trial["id"] for trial in trials}
    compare = subprocess.run([str(installed / "mscli"), "compare", "ahsct", "msc", "--json"], cwd=tmp_path,
                             capture_output=True, env=env, timeout=120, check=True)
    assert [row["id"] for row in json.loads(compare.stdout)] == ["ahsct", "msc"]
    query = subprocess.run([str(installed / "mscli"), "trials", "--query", "length(@)"], cwd=tmp_path,
                           capture_output=True, env=env, timeout=120, check=True)
    assert json.loads(query.stdout) >= len(trials)  # jmespath came with the wheel's dependencies
    module = subprocess.run([str(installed / "python"), "-m", "mscli", "validate"], cwd=tmp_path,
                            capture_output=True, env=env, timeout=120)
    assert module.returncode == 0, module.stderr
    assert (tmp_path / ".cache" / "mscli").is_dir()
