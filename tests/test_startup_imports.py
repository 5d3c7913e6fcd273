"""What a command imports, checked on ``sys.modules`` of a fresh interpreter (start-up time
itself is measured in benchmarks/bench.py, never in a test).

Heavy modules (Rich, JMESPath, pypdf, the HTTP client, the offer checks' regexes) are imported
only by the commands and options that use them, and running a command imports its own
command module only; ``COMMAND_MODULES`` must name every command each module registers.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mscli.cli import app as cli

HEAVY = ("rich", "jmespath", "pypdf", "urllib.request", "http.client", "ssl", "html.parser",
         "mscli.features.offertext", "mscli.features.clinic", "mscli.features.ctgov_http")

# Each runs, with a warm cache, what a person types first, on the JSON path.
CHEAP = [
    ["therapies"], ["therapy", "msc"], ["trials", "--therapy", "msc"], ["trial", "mesems"],
    ["search", "thyroid", "--limit", "20"], ["sources"], ["studies"], ["guidance"], ["glossary", "edss"],
    ["show", "consensus-2010"], ["compare", "ahsct", "msc"], ["clinic"], ["timeline", "--therapy", "msc"],
    ["match", "--age", "34", "--ms-type", "rrms"], ["coverage"], ["info"], ["schema", "trial"],
]

# What the JSON path of most commands has no use for, each a millisecond or more of start-up:
# the registry-number patterns (only a trial or source id can be one), dataclasses (the record
# kinds are a named tuple), the pre-screen (a trial's table wording uses it, its JSON not) and
# the output shapes (they type the views and make ``mscli schema``; the timeline's event kinds
# are apart from them) and the record types (they type the queries and describe the data files
# for the validator; the vocabularies commands filter on are apart from them, and so are the
# evidence commands' and a registry import's own vocabularies).
OUTPUT_SHAPES = {"mscli.model.outputs", "mscli.model.evidence_outputs", "mscli.model.registry_outputs"}
RECORD_TYPES = {"mscli.model.records", "mscli.model.fields"}
OWN_VOCABULARIES = {"mscli.model.evidence_terms", "mscli.model.trial_terms"}
NOT_ON_THE_JSON_PATH = {"dataclasses", "mscli.model.registries", "mscli.features.match", *OUTPUT_SHAPES,
                        *RECORD_TYPES, *OWN_VOCABULARIES}
# (orjson, for 200 sources or an answer of 64 kB, imports dataclasses)
EVIDENCE = {"mscli.model.evidence_terms"}
NEEDED = {"trial": {"mscli.model.registries"}, "sources": {"dataclasses"}, "timeline": {"dataclasses", *EVIDENCE},
          "match": {"mscli.features.match", *EVIDENCE}, "compare": EVIDENCE, "clinic": EVIDENCE,
          "trials": {"dataclasses"}, "coverage": {"dataclasses"},
          "schema": OUTPUT_SHAPES | RECORD_TYPES | OWN_VOCABULARIES}

# Runs mscli in this interpreter, then writes the names of the modules it imported to the
# file descriptor given first.
PROBE = ("import os, sys\nreport = int(sys.argv[1])\nsys.argv = ['mscli', *sys.argv[2:]]\n"
         "from mscli.cli.entry import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
         "os.write(report, ' '.join(sorted(sys.modules)).encode())\n")


def imported(args: list[str], terminal: bool = False) -> set[str]:
    """The modules a run of ``mscli ARGS`` imported; with ``terminal``, stdout and stderr are a pty."""
    read, write = os.pipe()
    if terminal:
        master, slave = os.openpty()
        out: int = slave
    else:
        out = subprocess.DEVNULL
    try:
        process = subprocess.Popen([sys.executable, "-c", PROBE, str(write), *args], stdout=out, stderr=out,
                                   stdin=subprocess.DEVNULL, pass_fds=(write,), env={**os.environ, "MSCLI_PAGER": ""})
        os.close(write)
        if terminal:
            os.close(slave)
            while True:  # drain the terminal so the child never blocks on a full pty
                try:
                    if not os.read(master, 65536):
                        break
                except OSError:
                    break
        names = b""
        while chunk := os.read(read, 65536):
            names += chunk
        process.wait(timeout=60)
    finally:
        os.close(read)
        if terminal:
            os.close(master)
    return set(names.decode().split())


@pytest.fixture(autouse=True)
def warm_cache(private_cache: Path) -> None:
    """The compiled dataset in the test's own cache, as every run but the first finds it."""
    subprocess.run([sys.executable, "-m", "mscli", "info", "--json"], capture_output=True, check=True, timeout=60)


def _module_of(args: list[str]) -> str:
    return next(module for module, names in cli.COMMAND_MODULES.items() if args[0] in names)


@pytest.mark.parametrize("args", CHEAP, ids=lambda args: args[0])
def test_a_cheap_command_on_the_json_path_imports_nothing_heavy(args):
    modules = imported([*args, "--json"])
    assert f"mscli.cli.{_module_of(args)}" in modules
    assert not {name for name in HEAVY if name in modules}
    others = {f"mscli.cli.{module}" for module in cli.COMMAND_MODULES if module != _module_of(args)}
    assert not others & modules, "only the command's own module is imported"


@pytest.mark.parametrize("args", CHEAP, ids=lambda args: args[0])
def test_the_json_path_imports_only_what_its_answer_needs(args):
    assert not (NOT_ON_THE_JSON_PATH - NEEDED.get(args[0], set())) & imported([*args, "--json"])


@pytest.mark.parametrize("args", [["trials", "--therapy", "msc"], ["coverage"]], ids=lambda args: args[0])
def test_a_long_answer_of_few_records_is_written_by_orjson(args):
    """Fewer than 200 records, but more than 64 kB of JSON: json's indenting encoder would take
    longer than importing orjson."""
    assert "orjson" in imported([*args, "--json"])


def test_the_entry_point_freezes_what_a_run_made_before_the_interpreter_exits():
    """The app runs with the garbage collector off; unfrozen, the last collection at exit walks
    every object the run made (a sixth of a warm ``trials --json``)."""
    probe = ("import gc, sys\nsys.argv = ['mscli', 'therapies', '--json']\nfrom mscli.cli.entry import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\nsys.stderr.write(str(gc.get_freeze_count()))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=60, check=True)
    assert json.loads(done.stdout)
    assert int(done.stderr.decode().split()[-1]) > 10_000


@pytest.mark.parametrize("args", [["trials", "--therapy", "msc"], ["trial", "mesems"], ["therapies"]],
                         ids=lambda args: args[0])
def test_tables_on_a_terminal_are_drawn_without_rich(args):
    modules = imported(args, terminal=True)
    assert "mscli.output.render" in modules
    assert "rich" not in modules


def test_a_small_import_on_a_terminal_shows_no_progress_bar(tmp_path: Path):
    study = Path(__file__).parent / "fixtures" / "ctgov" / "single-msc.json"
    modules = imported(["import", "ctgov", str(study), "--dry-run", "--into", str(tmp_path)], terminal=True)
    assert "mscli.features.importer" in modules
    assert "rich" not in modules


def test_a_dry_run_then_the_import_builds_neither_the_record_types_nor_the_validator(tmp_path: Path):
    """The second run finds the first run's check remembered, so nothing of validation is imported."""
    study = Path(__file__).parent / "fixtures" / "ctgov" / "single-msc.json"
    first = imported(["import", "ctgov", str(study), "--dry-run", "--into", str(tmp_path), "--json"])
    assert "mscli.loading.validate" in first
    second = imported(["import", "ctgov", str(study), "--into", str(tmp_path), "--json"])
    assert (tmp_path / "imported" / "nct09900001.yaml").is_file()
    assert not {"mscli.loading.validate", "mscli.loading.yamlsafe", "mscli.model.evidence_terms",
                *RECORD_TYPES} & second


def test_a_report_on_a_trial_compiles_no_glossary_pattern(tmp_path: Path):
    """The named trial's glossary terms come from the store, so the text matcher is never loaded."""
    modules = imported(["report", "mesems", "--output", str(tmp_path / "report.md")])
    assert (tmp_path / "report.md").is_file()
    assert not {"mscli.loading.links", "mscli.model.textmatch", "dataclasses"} & modules


def test_a_remembered_dry_run_imports_no_yaml(tmp_path: Path):
    """The new file's bytes, which key the remembered check, come from ``yamlemit``, not PyYAML."""
    study = Path(__file__).parent / "fixtures" / "ctgov" / "single-msc.json"
    imported(["import", "ctgov", str(study), "--dry-run", "--into", str(tmp_path), "--json"])
    again = imported(["import", "ctgov", str(study), "--dry-run", "--into", str(tmp_path), "--json"])
    assert "mscli.loading.yamlemit" in again
    assert "yaml" not in again


def test_clinic_loads_the_offer_checks_only_for_an_offer():
    assert "mscli.features.offertext" in imported(["clinic", "--offer", "Guaranteed cure, fee USD 20,000", "--json"])


def test_command_modules_names_every_command_each_module_registers():
    full = cli.full_app()
    registered: dict[str, set[str]] = {module: set() for module in cli.COMMAND_MODULES}
    for command in full.registered_commands:
        registered[command.callback.__module__.rsplit(".", 1)[-1]].add(cli._name(command))
    for group in full.registered_groups:
        owner = next(module for module in cli.COMMAND_MODULES
                     if any(value is group.typer_instance
                            for value in vars(importlib.import_module(f"mscli.cli.{module}")).values()))
        registered[owner].add(cli._name(group))
    assert registered == {module: set(names) for module, names in cli.COMMAND_MODULES.items()}


# The tests' registry address, on which no one listens (see conftest): the command tries once.
OFFLINE = ["--registry-url", "http://127.0.0.1:9/api/v2", "--retries", "0", "--timeout", "1"]
HTTP_CLIENT = {"urllib.request", "http.client", "ssl", "email.utils", "encodings.idna"}


@pytest.mark.parametrize("args", [["registry", "check", "mesems"], ["registry", "search"]], ids=lambda a: a[1])
def test_a_registry_command_that_cannot_connect_loads_no_http_client(args):
    """A refused connection is found with a bare socket; the HTTP client is for real requests."""
    modules = imported([*args, *OFFLINE, "--json"])
    assert "mscli.features.ctgov_http" in modules
    unused = {"dataclasses", "mscli.features.ctgov", "mscli.output.registry_views", *HTTP_CLIENT, *RECORD_TYPES}
    assert not unused & modules


# hashlib imports OpenSSL (2 ms); a verdict's key is hashed with the BLAKE2b module alone.
OPENSSL = {"hashlib", "_hashlib"}


def test_a_remembered_verdict_parses_no_yaml():
    subprocess.run([sys.executable, "-m", "mscli", "validate"], capture_output=True, check=True, timeout=60)
    modules = imported(["validate", "--json"])
    assert "mscli.loading.verdicts" in modules
    assert not {"yaml", "mscli.loading.yamlsafe", "mscli.loading.validate", "mscli.output.evidence_views",
                *OPENSSL} & modules


def test_diff_of_a_dataset_remembered_valid_and_compiled_parses_no_yaml():
    from mscli.loading.dataset import bundled_data_dir

    subprocess.run([sys.executable, "-m", "mscli", "validate"], capture_output=True, check=True, timeout=60)
    modules = imported(["diff", str(bundled_data_dir()), str(bundled_data_dir()), "--json"])
    assert "mscli.features.diffing" in modules
    assert not {"yaml", "mscli.loading.yamlsafe", "mscli.loading.validate", *OPENSSL, *OUTPUT_SHAPES} & modules


@pytest.mark.parametrize("args", [["glossary", "edss"], ["therapy", "msc"], ["show", "consensus-2010"],
                                  ["show", "edss"]], ids=" ".join)
def test_details_take_glossary_links_from_the_store(args):
    """No glossary regex is compiled: the store keeps each record's terms and each term's users."""
    assert not {"mscli.loading.links", "mscli.model.textmatch"} & imported([*args, "--json"])


# Runs mscli, then writes to stderr (last line) which of the record model's formats it compiled
# (``vocabularies`` keeps them; ``records`` passes them on).
PATTERNS_PROBE = ("import sys\nsys.argv = ['mscli', *sys.argv[1:]]\nfrom mscli.cli.entry import main\ntry:\n"
                  "    main()\nexcept SystemExit:\n    pass\nrecords = sys.modules['mscli.model.vocabularies']\n"
                  "sys.stderr.write('\\n' + ' '.join(n for n in ('SLUG', 'DATE', 'DOI', 'PMID', 'REGISTRIES')"
                  " if n in vars(records)))\n")


@pytest.mark.parametrize("args", CHEAP, ids=lambda args: args[0])
def test_the_json_path_compiles_no_record_format_it_does_not_check(args):
    """The formats a field must have are for validation; only a lookup that may be given a
    registry number (``trial``) compiles the registries' patterns."""
    done = subprocess.run([sys.executable, "-c", PATTERNS_PROBE, *args, "--json"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "MSCLI_PAGER": ""})
    compiled = set(done.stderr.rsplit("\n", 1)[-1].split())
    assert compiled == ({"REGISTRIES"} if args[0] == "trial" else set())
