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


WORKER_CHECK = """
import filecmp, os, tempfile
from pathlib import Path
from mscli.loading import coldload, dataset, searchworker, store
codes = []
close = searchworker.RemoteSide.close
def closing(self):
    close(self)
    codes.append(self._process.returncode)
searchworker.RemoteSide.close = closing
built = []
for worker in (True, False):
    cache = tempfile.mkdtemp()
    os.environ[dataset.ENV_CACHE] = cache
    coldload.worth_a_worker = lambda size, worker=worker: worker
    dataset.open_store(None)
    built.append(next(path for path in Path(cache).iterdir() if store.is_entry(path)))
assert codes == [0], codes
for name in sorted(os.listdir(built[0])):
    assert filecmp.cmp(built[0] / name, built[1] / name, shallow=False), name
print(searchworker.__file__)
"""


def test_the_installed_wheel_compiles_with_a_worker_to_the_same_folder(installed, tmp_path):
    """The worker imports mscli from the wheel's install, not the source tree, and its files
    are the ones a compile in one process writes."""
    env = {"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    result = subprocess.run([str(installed / "python"), "-c", WORKER_CHECK], cwd=tmp_path, capture_output=True,
                            env=env, timeout=300, text=True)
    assert result.returncode == 0, result.stderr
    assert "site-packages" in result.stdout and str(ROOT) not in result.stdout
