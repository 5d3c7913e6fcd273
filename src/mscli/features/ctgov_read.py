"""Read ClinicalTrials.gov API v2 JSON in every shape people save it, without loading it whole.

Shapes: a single study, a page (``studies``), a bare JSON array of studies, JSON Lines, any
of these with each study wrapped in an envelope (``{"raw": study}`` and the like), and
directories of such files. Arrays and JSON Lines are streamed item by item, so a file of
thousands of studies is read in bounded memory. The retired v1 format is refused with a message
saying how to fetch v2 again, because converting it would mean guessing at renamed fields.
The small tolerant readers used by the mapping live here too.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

MAX_OBJECT_BYTES = 256 * 1024 * 1024  # one JSON object (a study or a page) is read whole
SUFFIXES = (".json", ".jsonl", ".ndjson")
_CHUNK = 1 << 16
_ENVELOPE_KEYS = ("raw", "study", "data", "record", "document", "json")
_V1_KEYS = ("FullStudiesResponse", "StudyFieldsResponse", "FullStudy")
V1_MESSAGE = ("retired ClinicalTrials.gov API v1 format; fetch the studies again from API v2, e.g. "
              "https://clinicaltrials.gov/api/v2/studies?query.term=NCT...&format=json")
NCT = re.compile(r"NCT\d{8}")
_V1_IDS_IN_URL = 20

Progress = Callable[[int], None]
MAX_DIGITS = 30  # far past any count, age or year; Python refuses to parse past 4,300 digits


class HugeNumber(ValueError):
    """A JSON integer too long to be a real figure (and too long for ``int`` to parse)."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise HugeNumber(f"not valid JSON for a study: a number with {len(text.lstrip('-')):,} digits")
    return int(text)


_DECODER = json.JSONDecoder(parse_int=_integer)


class Found(NamedTuple):
    """One study read from the input, or the reason a file or entry could not be read (a named
    tuple: ``registry`` reads these helpers too, and dataclasses cost a millisecond to import)."""

    file: str
    study: Any
    problem: str | None = None


def input_files(path: Path) -> list[Path]:
    """``path`` itself, or every JSON / JSON Lines file under a directory, in sorted order."""
    if not path.is_dir():
        return [path]
    return sorted(file for file in path.rglob("*") if file.suffix.lower() in SUFFIXES and not file.is_dir()
                  and not any(part.startswith(".") for part in file.relative_to(path).parts))


def read_studies(path: Path, progress: Progress | None = None) -> Iterator[Found]:
    """The studies in one file, one at a time; ``progress`` is told the bytes read so far.

    A file that is not JSON, or JSON of another shape, gives one ``Found`` with the problem;
    so does each entry that is not a study.
    """
    name = str(path)
    try:
        stream = _open_regular(path)
    except OSError as error:
        yield Found(name, None, f"cannot read: {error.strerror or error}")
        return
    if stream is None:
        yield Found(name, None, "not a regular file (a FIFO, device or socket); save the JSON to a file first")
        return
    try:
        with stream:
            yield from _read(stream, name, path.stat().st_size, progress)
    except UnicodeDecodeError as error:
        yield Found(name, None, f"not UTF-8 text (byte {error.start})")
    except OSError as error:
        yield Found(name, None, f"cannot read: {error.strerror or error}")


def _open_regular(path: Path) -> IO[str] | None:
    """The file opened for reading, or None when it is not a regular file.

    Opened without blocking and checked on the open descriptor, so a FIFO cannot hang the
    import and a name swapped for a device after a check cannot be read endlessly.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return None
    os.set_blocking(descriptor, True)
    return open(descriptor, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed by the caller)


def _read(stream: IO[str], name: str, size: int, progress: Progress | None) -> Iterator[Found]:
    head = stream.read(_CHUNK)
    first = head.lstrip()[:1]
    if first == "[":
        yield from _array(stream, head, name, progress)
        return
    line, _, rest = head.partition("\n")
    if first == "{" and rest.strip() and _is_object(line):
        yield from _lines(stream, head, name, progress)
        return
    if size > MAX_OBJECT_BYTES:
        yield Found(name, None, f"one JSON object larger than {MAX_OBJECT_BYTES // (1024 * 1024)} MB; "
                    "save it as a JSON array or JSON Lines to import it")
        return
    try:
        text = head + stream.read(MAX_OBJECT_BYTES + 1)
        if len(text) > MAX_OBJECT_BYTES:  # a /proc entry says its size is 0
            yield Found(name, None, f"one JSON object larger than {MAX_OBJECT_BYTES // (1024 * 1024)} MB")
            return
        data = _DECODER.decode(text)
    except HugeNumber as error:
        yield Found(name, None, str(error))
        return
    except json.JSONDecodeError as error:
        yield Found(name, None, f"not valid JSON: {error.msg} (line {error.lineno})")
        return
    except RecursionError:
        yield Found(name, None, "not valid JSON: nested too deeply")
        return
    if progress:
        progress(size)
    yield from studies_in(data, name)


def _is_object(line: str) -> bool:
    try:
        return isinstance(_DECODER.decode(line), dict)
    except (ValueError, RecursionError):
        return False


def _lines(stream: IO[str], head: str, name: str, progress: Progress | None) -> Iterator[Found]:
    buffer, done, number, read = head, False, 0, len(head)
    while True:
        while "\n" in buffer or (done and buffer):
            line, _, buffer = buffer.partition("\n")
            number += 1
            if not line.strip():
                continue
            try:
                item = _DECODER.decode(line)
            except HugeNumber as error:
                yield Found(f"{name}:{number}", None, str(error))
                continue
            except (json.JSONDecodeError, RecursionError):
                yield Found(f"{name}:{number}", None, "not valid JSON on this line")
                continue
            yield from studies_in(item, f"{name}:{number}")
        if done:
            return
        chunk = stream.read(_CHUNK)
        read += len(chunk)
        if progress:
            progress(read)
        buffer += chunk
        done = not chunk


def _array(stream: IO[str], head: str, name: str, progress: Progress | None) -> Iterator[Found]:
    decoder = _DECODER
    buffer, position, index, done, read = head, head.index("[") + 1, 0, False, len(head)
    while True:
        while position < len(buffer) and buffer[position] in " \t\r\n,":
            position += 1
        if buffer.startswith("]", position):
            return
        try:
            item, end = decoder.raw_decode(buffer, position)
        except HugeNumber as error:
            yield Found(f"{name}[{index}]", None, str(error))
            return
        except json.JSONDecodeError as error:
            if done:
                yield Found(f"{name}[{index}]", None, f"not valid JSON: {error.msg} (a cut-off file?)")
                return
            chunk = stream.read(_CHUNK)
            read += len(chunk)
            if progress:
                progress(read)
            buffer, position, done = buffer[position:] + chunk, 0, not chunk
            continue
        yield from studies_in(item, f"{name}[{index}]")
        index += 1
        buffer, position = buffer[end:], 0


def studies_in(data: Any, where: str) -> Iterator[Found]:
    """The studies one JSON value holds: itself, a page's, an envelope's; or why none."""
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        for index, study in enumerate(data["studies"]):
            yield from studies_in(study, f"{where}#studies[{index}]")
    elif isinstance(data, dict) and "protocolSection" in data:
        yield Found(where, data)
    elif isinstance(data, dict) and any(key in data for key in _V1_KEYS):
        yield Found(where, None, v1_message(data))
    elif isinstance(data, dict) and (inner := next((data[key] for key in _ENVELOPE_KEYS
                                                   if isinstance(data.get(key), dict)), None)) is not None:
        yield from studies_in(inner, where)
    else:
        yield Found(where, None, "not a study (no protocolSection) nor a page of studies (no studies)")


def v1_message(data: dict[str, Any]) -> str:
    """Why a v1 file is refused, with the API v2 address of the very studies it holds."""
    ids = list(dict.fromkeys(nct for nct in map(_v1_id, _v1_entries(data)) if nct))
    if not ids or len(ids) > _V1_IDS_IN_URL:
        return V1_MESSAGE
    url = (f"https://clinicaltrials.gov/api/v2/studies/{ids[0]}" if len(ids) == 1 else
           f"https://clinicaltrials.gov/api/v2/studies?filter.ids={','.join(ids)}&format=json")
    return f"retired ClinicalTrials.gov API v1 format; fetch {', '.join(ids)} again from API v2: {url}"


def _v1_entries(data: dict[str, Any]) -> list[Any]:
    for wrapper, key in (("FullStudiesResponse", "FullStudies"), ("StudyFieldsResponse", "StudyFields")):
        entries = data.get(wrapper, {}).get(key) if isinstance(data.get(wrapper), dict) else None
        if isinstance(entries, list):
            return list(entries)
    return [data.get("FullStudy")]


def _v1_id(entry: Any) -> str | None:
    """The NCT number of one v1 entry: a full study's, or a study-fields row's ``NCTId`` list."""
    value = entry.get("NCTId") if isinstance(entry, dict) else None
    if value is None and isinstance(entry, dict):
        value = entry
        for key in ("Study", "ProtocolSection", "IdentificationModule", "NCTId"):
            value = value.get(key) if isinstance(value, dict) else None
    value = value[0] if isinstance(value, list) and value else value
    return value if isinstance(value, str) and NCT.fullmatch(value) else None


# A reference as ClinicalTrials.gov lists it, in NLM (Vancouver) order: "Authors. Title. Journal.
# 2021 Nov;20(11):917-929. doi: 10.1016/...". Journal abbreviations in NLM carry no full stops.
# (Case is ignored only where it is written: a pattern compiled with IGNORECASE takes twice as long.)
_NLM_AUTHORS = re.compile(r"(?:[^.,;]+ [A-Za-z]{1,4}|[^.,;]*(?i:group|consortium|investigators)[^.,;]*)"
                          r"(?:[,;] (?:[^.,;]+ [A-Za-z]{1,4}|(?i:et al)|[^.,;]+))*\.(?: |$)")
_NLM_JOURNAL_YEAR = re.compile(r"\. (?P<journal>[A-Z][^.;]*)\. (?P<year>(?:1[89]|20)\d\d)(?=[ ;.:]|$)")
_NLM_DOI = re.compile(r"\bdoi: ?(?P<doi>10\.\d{4,9}/\S+?)\.?(?: |$)")


def nlm_citation(citation: str) -> dict[str, Any] | None:
    """Authors, title, journal, year and DOI of an NLM-style reference, or None when it does not
    read as one (then the caller keeps the citation whole, rather than guess its parts)."""
    authors = _NLM_AUTHORS.match(citation)
    if authors is None:
        return None
    rest = citation[authors.end():]
    where = _NLM_JOURNAL_YEAR.search(rest)
    if where is None or not where.start():
        return None
    doi = _NLM_DOI.search(rest)
    return {"authors": authors.group(0).strip().rstrip("."), "title": rest[:where.start()].strip(),
            "publisher": where.group("journal").strip(), "year": int(where.group("year")),
            "doi": doi.group("doi") if doi else None}


def reference_fields(citation: str | None, pmid: str, nct_id: str) -> dict[str, Any]:
    """A listed paper's source fields: its parts when the citation reads as NLM, else the whole
    citation as the title (never a guess at where the title ends)."""
    parsed = nlm_citation(citation) if citation else None
    if parsed is None:
        return {"title": (citation or f"PubMed record {pmid}")[:1000],
                "publisher": f"PubMed (listed on ClinicalTrials.gov record {nct_id})"}
    return {name: value[:1000] if isinstance(value, str) else value for name, value in parsed.items()
            if value is not None}


# --- small readers that tolerate missing or mistyped parts ------------------------------------

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    r"""CommonMark source as plain text: backslash escapes (``\>=``) and emphasis markers go."""
    text = _ESCAPE.sub(r"\1", text)
    return re.sub(r"(\*\*|__)(\S.*?\S|\S)\1", r"\2", text)


def module(section: dict[str, Any], name: str) -> dict[str, Any]:
    value = section.get(name)
    return value if isinstance(value, dict) else {}


def text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, str) and value.strip():
        return plain(value.strip())
    return None


def dicts(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def texts(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    return [plain(item.strip()) for item in value if isinstance(item, str) and item.strip()] \
        if isinstance(value, list) else []


def date_of(data: dict[str, Any], key: str) -> str | None:
    struct = data.get(key)
    return text(struct, "date") if isinstance(struct, dict) else None


_AGE = re.compile(r"(\d{1,3})\s+(year|month|week|day|hour|minute)s?", re.IGNORECASE)


def parse_age(text: str | None) -> tuple[int | None, str | None]:
    """An age limit in whole years, or None with a note when the registry's value is not one.

    "18 Years" -> 18; "24 Months" -> 2; "6 Months" -> None with a note; "N/A" or nothing -> None.
    """
    if text is None or text.strip().upper() in ("N/A", "NA", "NONE"):
        return None, None
    match = _AGE.fullmatch(text.strip())
    if match:
        number, unit = int(match.group(1)), match.group(2).lower()
        if unit == "year":
            return number, None
        if unit == "month" and number % 12 == 0:
            return number // 12, None
    return None, text.strip()[:60]


_MS_TYPES = (
    ("CIS", re.compile(r"(?i:clinically isolated syndrome)|\bCIS\b")),
    ("RRMS", re.compile(r"(?i:relapsing[- ]remitting)|\bRRMS\b")),
    ("SPMS", re.compile(r"(?i:secondary[- ]progressive)|\bSPMS\b")),
    ("PPMS", re.compile(r"(?i:primary[- ]progressive)|\bPPMS\b")),
)


def ms_types_of(conditions: list[str]) -> list[str]:
    """The MS types the conditions name in so many words; none for plain "Multiple Sclerosis"."""
    return [ms_type for ms_type, pattern in _MS_TYPES if any(pattern.search(c) for c in conditions)]
