"""Generate a synthetic mscli dataset of N trials, for benchmarks.

    python benchmarks/generate.py --trials 10000 --out benchmarks/out/10k
    python benchmarks/generate.py --trials 10000 --out benchmarks/out/10k-json --form json

Trials are written 1,000 per file, with realistic field sizes and every therapy, phase, status
and design represented, as mscli's YAML data files (``--form yaml``, the default) or as its
JSON form (``--form json``: ``trials-NNNN.json``, one record per line, as ``mscli import ctgov
--form json`` writes). The same seed gives the same trials in either form. The bundled dataset
(YAML) is copied in so every reference resolves. A ``trials.json`` with the same trials is
written beside the dataset for the jq comparison.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

import yaml

from mscli.loading.dataset import bundled_data_dir
from mscli.loading.jsonsafe import dumps
from mscli.model.records import Blinding, MsType, Outcome, Phase, Route, Status

COUNTRIES = ["Italy", "Spain", "United Kingdom", "United States", "Canada", "Sweden", "Norway", "Denmark",
             "Israel", "Iran", "China", "Germany", "France", "Netherlands", "Australia", "Jordan"]
THERAPIES = ["ahsct", "msc", "msc-np", "msc-ntf", "nsc", "other-cell-therapies"]
WORDS = ("safety", "tolerability", "lesions", "relapses", "disability", "progression", "infusion",
         "intrathecal", "marrow", "placebo", "crossover", "randomised", "participants", "follow-up", "weeks",
         "months", "measured", "reported")


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _outcome(index: int) -> str:
    """An outcome the validator accepts for the trial's status and design (set from ``index``)."""
    status = list(Status)[index % len(Status)]
    if status is Status.WITHDRAWN:
        return Outcome.WITHDRAWN.value
    if status in (Status.TERMINATED, Status.SUSPENDED):
        return Outcome.STOPPED_EARLY.value
    choices = [outcome for outcome in Outcome if outcome not in (Outcome.WITHDRAWN, Outcome.STOPPED_EARLY)]
    if index % 2:  # odd trials are not randomised
        choices.remove(Outcome.MET_RANDOMISED)
    return choices[index % len(choices)].value


def trial(index: int, rng: random.Random, source_ids: list[str]) -> dict[str, object]:
    start = rng.randint(1995, 2025)
    return {
        "id": f"synthetic-trial-{index}",
        "acronym": f"SYN{index}",
        "title": f"Synthetic trial {index}: " + sentence(rng, 6),
        "therapy": THERAPIES[index % len(THERAPIES)],
        "registrations": [{"id": f"NCT{90000000 + index:08d}"}],
        "phase": list(Phase)[index % len(Phase)].value,
        "design": {"randomised": index % 2 == 0, "controlled": index % 3 != 0,
                   "blinding": list(Blinding)[index % len(Blinding)].value, "crossover": index % 5 == 0,
                   "comparator": sentence(rng, 3)},
        "eligibility": {"ms_types": [list(MsType)[index % len(MsType)].value], "age_min": 18,
                        "age_max": rng.choice([50, 55, 65]), "edss_min": 2.0, "edss_max": 6.5,
                        "notes": sentence(rng, 5), "source": rng.choice(source_ids)},
        "enrolment": [{"count": rng.randint(5, 300), "kind": "actual", "source": rng.choice(source_ids),
                       "as_of": f"{min(start + 3, 2026)}-01-01"}],
        "sites": rng.randint(1, 20),
        "countries": rng.sample(COUNTRIES, rng.randint(1, 3)),
        "start_year": start,
        "end_year": min(start + rng.randint(1, 6), 2030),
        "status": list(Status)[index % len(Status)].value,
        "routes": [list(Route)[index % len(Route)].value],
        "dose": sentence(rng, 4),
        "primary_endpoint": sentence(rng, 6),
        "result": sentence(rng, 10),
        "outcome": _outcome(index),
        "results_posted": True,  # outcomes that claim a result need one on record
        "status_checked": "2026-11-23",
        "sources": [rng.choice(source_ids)],
        "reviewed": "2026-11-23",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--form", choices=("yaml", "json"), default="yaml", help="form of the trial files")
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - reproducible test data, not security
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    bundled = bundled_data_dir()
    for path in bundled.glob("*.yaml"):
        shutil.copy(path, out / path.name)
    source_ids = ["seed-mssociety-msct", "seed-msif-stem-cell-therapy", "clinicaltrials-gov-glossary"]
    trials = [trial(index, rng, source_ids) for index in range(args.trials)]
    for chunk in range(0, len(trials), 1000):
        document = {"trials": trials[chunk:chunk + 1000]}
        path = out / f"trials-{chunk // 1000:04d}.{args.form}"
        path.write_text(dumps(document) if args.form == "json" else yaml.dump(
            document, Dumper=yaml.CSafeDumper, sort_keys=False, width=100, allow_unicode=True), encoding="utf-8")
    (out.parent / f"{out.name}-trials.json").write_text(json.dumps(trials), encoding="utf-8")
    print(f"wrote {len(trials)} trials to {out} ({args.form})")


if __name__ == "__main__":
    main()
