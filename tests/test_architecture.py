"""The shape of the code: layers import only downward, no import cycles, small modules.

The layer rule itself is import-linter's contract in pyproject.toml (``lint-imports`` in CI);
these tests check that the contract is really enforced (a planted upward import fails it) and
add what import-linter does not: no cycles between modules, function-level imports included.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "mscli"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every mscli module ``path`` imports, at any depth (functions included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: _imports(path, modules) - {name} for name, path in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target.rsplit(".", 1)[0] == node:  # a package importing its own submodule
                continue
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles():
    assert _cycle(_graph()) is None


def test_a_planted_cycle_is_found():
    graph = _graph()
    graph["mscli.model.records"] = {*graph["mscli.model.records"], "mscli.model.kinds"}
    assert _cycle(graph) is not None


def test_no_module_over_400_lines_but_the_record_model():
    long = {str(path.relative_to(PACKAGE)): count for path in PACKAGE.rglob("*.py")
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > 400
            and path.name != "records.py"}
    assert long == {}


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a test dependency")
def test_layer_contract_holds_and_fails_on_a_planted_upward_import(tmp_path):
    def lint(root: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
                              cwd=root, capture_output=True, text=True, timeout=120, check=False,
                              env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"})

    copy = tmp_path / "project"
    shutil.copytree(PACKAGE, copy / "src" / "mscli", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    assert lint(copy).returncode == 0
    records = copy / "src" / "mscli" / "model" / "records.py"
    records.write_text(records.read_text(encoding="utf-8") + "\nfrom mscli.cli import runtime  # noqa\n",
                       encoding="utf-8")
    result = lint(copy)
    assert result.returncode != 0 and "BROKEN" in result.stdout
