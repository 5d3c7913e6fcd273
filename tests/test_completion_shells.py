"""Completion in real bash, zsh and fish, installed the way the README says, driven by Tab.

bash and zsh run interactively in a pseudo-terminal (pexpect): the test types a command line,
presses Tab, then moves to the start of the line and turns it into ``printf '<%s>\\n' ...``, so
the shell itself prints the words the completion left on the line: "United Kingdom" must come
back as one word. fish is asked through its own completion API (``complete -C``) with the script
in fish's completions folder. A missing shell skips, unless MSCLI_REQUIRE_SHELLS=1 (set by
.ci/run, which installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

BIN = Path(sys.executable).parent
PROMPT = "READY> "
BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")


def _need(shell: str) -> str:
    found = shutil.which(shell)
    if found is None:
        if os.environ.get("MSCLI_REQUIRE_SHELLS") == "1":
            pytest.fail(f"{shell} is required (MSCLI_REQUIRE_SHELLS=1) but not installed")
        pytest.skip(f"needs {shell}")
    assert (BIN / "mscli").exists(), "mscli must be installed next to the test interpreter"
    return found


def _env(home: Path) -> dict[str, str]:
    keep = {name: value for name, value in os.environ.items() if name.startswith(("MSCLI_", "LANG", "LC_"))}
    return {**keep, "HOME": str(home), "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "TERM": "xterm", "PS1": PROMPT, "LC_ALL": "C.UTF-8"}


def _install(home: Path, shell: str, relative: str) -> None:
    """``mscli completion SHELL > FILE``, as the README's install lines do."""
    target = home / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    script = subprocess.run([str(BIN / "mscli"), "completion", shell], capture_output=True, check=True,
                            env=_env(home), timeout=60).stdout
    target.write_bytes(script)


def _words_after_tab(child, typed: list[str]) -> list[str]:
    """Type ``typed`` (Tab presses are "\\t" inside it), then print the finished line's words."""
    for chunk in typed:
        child.send(chunk)
        if chunk.endswith("\t"):
            _settle(child)
    child.send("\x01printf '<%s>\\n' \r")  # Ctrl-A: to the start of the line
    child.expect(PROMPT, timeout=30)
    printed = child.before
    return [line.strip()[1:-1] for line in printed.splitlines() if line.strip().startswith("<")
            and line.strip().endswith(">")]


def _settle(child) -> None:
    """Wait until the shell has printed everything the Tab produced (mscli runs on each Tab)."""
    while True:
        try:
            child.expect(r".+", timeout=4)
        except pexpect.TIMEOUT:
            return


def _bash(tmp_path: Path):
    bash = _need("bash")
    home = tmp_path / "home"
    _install(home, "bash", ".local/share/bash-completion/completions/mscli")
    rc = home / ".bashrc"
    if BASH_COMPLETION.exists():  # bash-completion loads ~/.local/share/bash-completion/completions/mscli
        rc.write_text(f"source {BASH_COMPLETION}\nPS1='{PROMPT}'\n", encoding="utf-8")
    elif os.environ.get("MSCLI_REQUIRE_SHELLS") == "1":
        pytest.fail("bash-completion is required (MSCLI_REQUIRE_SHELLS=1) but not installed")
    else:
        rc.write_text(f"source ~/.local/share/bash-completion/completions/mscli\nPS1='{PROMPT}'\n", encoding="utf-8")
    child = pexpect.spawn(bash, ["--rcfile", str(rc), "-i"], env=_env(home), encoding="utf-8",
                          timeout=30, dimensions=(40, 300))
    child.expect(PROMPT)
    return child


def _zsh(tmp_path: Path):
    zsh = _need("zsh")
    home = tmp_path / "home"
    _install(home, "zsh", ".zfunc/_mscli")
    (home / ".zshrc").write_text(
        f"bindkey -e\nPROMPT='{PROMPT}'\nfpath+=~/.zfunc\nautoload -Uz compinit\ncompinit\n", encoding="utf-8")
    child = pexpect.spawn(zsh, ["-i"], env={**_env(home), "ZDOTDIR": str(home)}, encoding="utf-8",
                          timeout=30, dimensions=(40, 300))
    child.expect(PROMPT)
    return child


CASES = [
    (["mscli trial mes\t"], ["mscli", "trial", "mesems"]),
    (["mscli trials --country Unit\t", "K\t"], ["mscli", "trials", "--country", "United Kingdom"]),
    (["mscli report NCT0185\t"], ["mscli", "report", "NCT01854957"]),
    (["mscli match --trial mese\t"], ["mscli", "match", "--trial", "mesems"]),
    (["mscli timeline --therapy ahs\t"], ["mscli", "timeline", "--therapy", "ahsct"]),
]


@pytest.mark.parametrize(("typed", "expected"), CASES, ids=[" ".join(expected[1:]) for _, expected in CASES])
@pytest.mark.parametrize("start", [_bash, _zsh], ids=["bash", "zsh"])
def test_tab_in_an_interactive_shell_installed_as_the_readme_says(tmp_path, start, typed, expected):
    """Each case runs in a fresh shell, so every one is that shell's first Tab."""
    child = start(tmp_path)
    try:
        assert _words_after_tab(child, typed) == expected
    finally:
        child.close(force=True)


def _fish(tmp_path: Path, line: str) -> list[str]:
    fish = _need("fish")
    home = tmp_path / "home"
    _install(home, "fish", ".config/fish/completions/mscli.fish")
    env = {**_env(home), "XDG_CONFIG_HOME": str(home / ".config")}
    result = subprocess.run([fish, "-c", f"complete -C {line!r}"], capture_output=True, env=env,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return [entry.split("\t")[0] for entry in result.stdout.decode().splitlines()]


@pytest.mark.parametrize(("line", "expected"), [
    ("mscli trial mes", ["mesems"]),
    ("mscli trials --country Unit", ["United Kingdom", "United States"]),
    ("mscli trials --country United\\ K", ["United Kingdom"]),
    ("mscli report NCT0185", ["NCT01854957"]),
    ("mscli match --trial mese", ["mesems"]),
    ("mscli timeline --therapy ahs", ["ahsct"]),
])
def test_fish_completes_from_its_completions_folder(tmp_path, line, expected):
    assert _fish(tmp_path, line) == expected
