"""Check the text of a clinic's offer against the dataset's red flags.

An offer is read from a file, from standard input or from the command line, then searched for
registry numbers (looked up among the dataset's trials), therapies the dataset knows (with
their availability) and the phrases each red flag names. Everything here is a keyword match:
the matched text is returned with its line and surroundings so that a person can judge it,
and nothing claims more than that the words were, or were not, found. Nothing is written.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mscli.errors import InputError, NotFoundError, UsageError
from mscli.features import offertext
from mscli.model import textmatch
from mscli.model.evidence_outputs import FlagMatch, FlagResult, NamedTherapy, OfferCheck, QuotedNumber
from mscli.model.records import REGISTRIES, Availability, Dataset, FlagCheck, RedFlag, registry_of
from mscli.queries.core import find

MAX_OFFER_BYTES = 1024 * 1024

NOTES = (
    "These are keyword checks: a phrase is reported wherever it appears unless a nearby word "
    "denies it ('no cure is promised'), and a flag not found only means the words were not "
    "in the text, never that the offer passed. Read the matched text and ask the clinic.",
    "A registry number missing from mscli's dataset is not proof that it is unregistered: "
    "mscli holds only the MS stem cell trials it has reviewed. Look the number up on the "
    "registry itself.",
)

# Registry numbers as they appear in running text: the model's formats, not inside longer
# runs of letters or digits.
_REGISTRY_IN_TEXT = re.compile(
    "|".join(rf"(?<![A-Za-z0-9])(?:{pattern.pattern})(?![0-9])" for pattern in REGISTRIES.values()),
    re.IGNORECASE)

# A single word with a folder separator or a file suffix is always a path: a mistyped file
# name must never be checked as if it were the offer's text.
_LOOKS_LIKE_PATH = re.compile(r"[^\s]*(?:[/\\][^\s]*|\.[A-Za-z][A-Za-z0-9]{0,4})")


@dataclass(frozen=True)
class Offer:
    """The text of an offer and where it came from (file, stdin or the command line)."""

    text: str
    kind: str
    name: str
    format: str = "text"


def read_offer(value: str, stdin: BinaryIO | None) -> Offer:
    """Read ``--offer VALUE``: '-' is standard input, a path is read, anything else is the text.

    Files and standard input are converted by their content (plain text, HTML, PDF) and
    refused when mscli cannot read them, so that raw bytes are never checked as an offer.
    """
    if value == "-":
        if stdin is None:
            raise InputError("--offer -: standard input is closed")
        return _from_bytes(stdin.read(MAX_OFFER_BYTES + 1), "standard input", "", "stdin", "-")
    path = Path(value)
    try:
        info = path.stat()
    except (OSError, ValueError):
        info = None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"--offer {value}: not a regular file")
        try:
            with path.open("rb") as handle:
                content = handle.read(MAX_OFFER_BYTES + 1)
        except OSError as error:
            raise InputError(f"--offer {value}: {error.strerror or error}") from None
        return _from_bytes(content, value, path.suffix.lower(), "file", value)
    if re.match(r"https?://\S+$", value.strip(), re.IGNORECASE):
        raise InputError(f"--offer {value}: mscli does not fetch web pages; save the page's text to a "
                         "file, or pipe it in with --offer -")
    if _LOOKS_LIKE_PATH.fullmatch(value.strip()):
        raise InputError(f"--offer {value}: no such file (to check text, give a phrase with spaces)")
    if not value.strip():
        raise UsageError("--offer: empty text")
    return Offer(value, "text", "(command line)")


def _from_bytes(content: bytes, name: str, suffix: str, kind: str, shown: str) -> Offer:
    if len(content) > MAX_OFFER_BYTES:
        raise InputError(f"--offer {name}: larger than {MAX_OFFER_BYTES // 1024} KB")
    if not content.strip():
        raise UsageError(f"--offer {name}: no text to check")
    text, form = offertext.to_text(content, name, suffix)
    return Offer(offertext.require_text(text, name), kind, shown, form)


def registry_numbers(dataset: Dataset, text: str) -> list[QuotedNumber]:
    """Registry numbers quoted in ``text``, each once, with the dataset trial it belongs to."""
    from mscli.model.registries import canonical_id, numbers_of

    found: dict[str, QuotedNumber] = {}
    known = {form for trial in dataset["trials"] for number in numbers_of(trial)
             for form in (number, canonical_id(number))}
    for match in _REGISTRY_IN_TEXT.finditer(text):
        number = _canonical(match.group(0))
        if number is None or number in found:
            continue
        trial = None
        if number in known:  # a lookup per number would make an offer of many numbers quadratic
            try:
                trial = find(dataset, "trials", number)
            except NotFoundError:
                trial = None
        found[number] = {
            "number": number,
            "registry": registry_of(number),
            "in_dataset": trial is not None,
            "trial": trial["id"] if trial else None,
            "trial_status": trial["status"] if trial else None,
            "trial_therapy": trial["therapy"] if trial else None,
            "line": textmatch.line_of(text, match.start()),
            "context": textmatch.context(text, match.start(), match.end()),
        }
    return list(found.values())


def _canonical(raw: str) -> str | None:
    """The registry's own spelling of a number found in any case ('nct01854957')."""
    candidates = [raw, raw.upper()]
    if raw.lower().startswith("chictr"):
        candidates.append("ChiCTR" + raw[6:])
    return next((candidate for candidate in candidates if registry_of(candidate)), None)


# Words for a cell treatment that does not say which one: an offer that names no therapy mscli
# knows ("our stem cell treatment, fat-derived, same day") is as unproven as one that names MSC.
GENERIC_CELL_TREATMENT = [
    "stem cell treatment", "stem cell treatments", "stem cell therapy", "stem cell therapies",
    "stem cell injection", "stem cell injections", "stem cell infusion", "stem cell infusions",
    "stem cell procedure", "stem cells", "stem cell", "cell therapy", "cellular therapy", "regenerative therapy",
    "regenerative medicine", "regenerative treatment", "exosome", "exosomes", "stromal vascular fraction",
    "SVF", "fat-derived", "adipose-derived", "umbilical cord", "cord-derived", "placenta-derived",
    "bone marrow concentrate", "BMAC", "mesenchymal", "stem cell protocol"]


def therapies_named(dataset: Dataset, text: str) -> list[NamedTherapy]:
    """Therapies named in ``text`` by id, name or alias, with their availability.

    Overlapping names keep the longest ('MSC-NTF' is NurOwn, not also plain MSC). A therapy
    named only in contrast or denial ("unlike HSCT, ...", "this is not HSCT") is marked
    ``contrasted``: the clinic mentions it, but it is not what is offered.
    """
    hits: list[tuple[textmatch.Hit, str]] = []
    for therapy in dataset["therapies"]:
        names = {therapy["id"], therapy["name"], *therapy.get("aliases", [])}
        hits += [(hit, therapy["id"]) for hit in textmatch.find(sorted(names), text, plurals=True)]
    kept = textmatch.without_overlaps([hit for hit, _ in hits])
    owner = {id(hit): therapy_id for hit, therapy_id in hits}
    by_therapy: dict[str, NamedTherapy] = {}
    index = {therapy["id"]: therapy for therapy in dataset["therapies"]}
    for hit in kept:
        therapy = index[owner[id(hit)]]
        entry = by_therapy.get(therapy["id"])
        if entry is None:
            entry = by_therapy[therapy["id"]] = {
                "id": therapy["id"], "name": therapy["name"], "availability": therapy["availability"],
                "matched": [], "contrasted": True, "line": textmatch.line_of(text, hit.start),
                "context": textmatch.context(text, hit.start, hit.end)}
        # Once one mention is plain, the rest need no look (a long offer repeats its names).
        entry["contrasted"] = entry["contrasted"] and (textmatch.contrasted(text, hit.start)
                                                       or textmatch.negated(text, hit.start, hit.end))
        if hit.text not in entry["matched"]:
            entry["matched"].append(hit.text)
    return list(by_therapy.values())


# Money a study pays out rather than charges ("reasonable travel expenses will be paid"); a
# sentence that also names an amount is never excused by it.
_PAID_OUT = re.compile(r"\b(?:expenses|reimburs\w*|refund\w*|allowance|compensat\w*|travel costs?)\b", re.IGNORECASE)
_AMOUNT = re.compile(r"[$€£]\s?\d|\d[\d,.]*\s?(?:k\b|USD|EUR|GBP|dollars|euros|pounds)", re.IGNORECASE)


_SENTENCE_CHARS = 400  # how far a sentence is looked for either side, so each match costs the same


def _sentence(text: str, start: int, end: int) -> str:
    floor, ceiling = max(0, start - _SENTENCE_CHARS), min(len(text), end + _SENTENCE_CHARS)
    left = max(floor - 1, *(text.rfind(mark, floor, start) for mark in ".!?\n"))
    rights = [pos for pos in (text.find(mark, end, ceiling) for mark in ".!?\n") if pos != -1]
    return text[left + 1:min(rights) if rights else ceiling]


def _denied(flag: RedFlag, text: str, hit: textmatch.Hit) -> bool:
    if textmatch.negated(text, hit.start, hit.end, after=flag["id"] == "paying-to-take-part"):
        return True
    if flag["id"] == "paying-to-take-part":
        sentence = _sentence(text, hit.start, hit.end)
        return bool(_PAID_OUT.search(sentence)) and not _AMOUNT.search(sentence)
    return False


def _match(phrase: str, found: str, text: str, start: int, end: int) -> FlagMatch:
    return {"phrase": phrase, "text": found, "line": textmatch.line_of(text, start),
            "context": textmatch.context(text, start, end)}


def _phrase_hits(flag: RedFlag, text: str) -> list[FlagMatch]:
    """The flag's phrases found in ``text`` and not denied by a nearby negation."""
    return [_match(hit.phrase, hit.text, text, hit.start, hit.end)
            for hit in textmatch.find(flag.get("phrases", []), text) if not _denied(flag, text, hit)]


def evaluate_flag(flag: RedFlag, text: str, numbers: list[QuotedNumber],
                  therapies: list[NamedTherapy]) -> FlagResult:
    """Whether the keyword check of one red flag is raised, with the evidence for it.

    ``raised`` is None for flags mscli cannot check from text. A False is only "not found in
    the text", never a pass: ``absent_note`` says so in words for every such flag.
    """
    check = flag["check"]
    matches: list[FlagMatch] = []
    raised: bool | None
    if check == FlagCheck.NO_REGISTRY_NUMBER:
        raised = not numbers
    elif check == FlagCheck.THERAPY_AVAILABILITY:
        offered = [t for t in therapies if not t["contrasted"]]
        not_standard = [t for t in offered if t["availability"] != Availability.STANDARD_CARE_SOME_COUNTRIES]
        matches = [{"phrase": t["id"], "text": ", ".join(t["matched"]), "line": t["line"],
                    "context": t["context"]} for t in not_standard]
        if len(offered) == len(not_standard):
            generic = [hit for hit in textmatch.find(GENERIC_CELL_TREATMENT, text)
                       if not textmatch.negated(text, hit.start, hit.end)]
            matches += [_match("unnamed cell treatment", hit.text, text, hit.start, hit.end) for hit in generic[:3]]
            # "Unlike HSCT, our treatment ...": what is offered is not the therapy it names.
            matches += [{"phrase": "offered instead of " + t["id"], "text": ", ".join(t["matched"]),
                         "line": t["line"], "context": t["context"]} for t in therapies if t["contrasted"]]
        raised = bool(matches)
    elif check in (FlagCheck.PHRASE_PRESENT, FlagCheck.PHRASE_ABSENT):
        matches = _phrase_hits(flag, text)
        raised = bool(matches) if check == FlagCheck.PHRASE_PRESENT else not matches
    else:
        raised = None
    return {"id": flag["id"], "title": flag["title"], "check": check, "raised": raised,
            "status": _status(check, raised), "matches": matches, "check_note": flag["check_note"],
            "questions": flag["questions"], "sources": flag["sources"]}


def _status(check: str, raised: bool | None) -> str:
    """The result in words that cannot be read as a pass."""
    if raised is None:
        return "not checked: ask"
    if raised:
        return "raised"
    if check == FlagCheck.PHRASE_ABSENT:
        return "mentioned in the text: ask for proof"
    if check == FlagCheck.NO_REGISTRY_NUMBER:
        return "a number is quoted: look it up"
    return "not found in the text: ask anyway"


def check_offer(dataset: Dataset, offer: Offer) -> OfferCheck:
    """The whole report on one offer: numbers, therapies, every flag, and the caveats."""
    numbers = registry_numbers(dataset, offer.text)
    therapies = therapies_named(dataset, offer.text)
    flags = [evaluate_flag(flag, offer.text, numbers, therapies) for flag in dataset["red_flags"]]
    return {
        "input": {"kind": offer.kind, "name": offer.name, "format": offer.format, "characters": len(offer.text),
                  "lines": len(offer.text.splitlines())},
        "registry_numbers": numbers,
        "therapies": therapies,
        "flags": flags,
        "raised": [flag["id"] for flag in flags if flag["raised"]],
        "notes": list(NOTES),
    }
