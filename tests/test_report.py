"""``mscli report``: Markdown and self-contained HTML summaries, through the real CLI.

The HTML is checked twice: its structure with the standard library's HTML parser, and its
rendering with headless Chromium (a screenshot that must show a page, not a blank). CI sets
MSCLI_REQUIRE_CHROMIUM=1 so a missing browser fails there instead of skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mscli.loading import dataset
from mscli.model.labels import NOTICE
from mscli.queries import core as queries
from tests import png
from tests.conftest import minimal

HOSTILE_TEXT = "<script>alert('x')</script> & \"quoted\" 'single' </dd><img src=x onerror=alert(1)>"
HOSTILE_URL = "https://example.org/\"><script>alert(1)</script>"


# --- helpers -----------------------------------------------------------------------------

class Page(HTMLParser):
    """Everything the tests ask of an HTML page: tags with attributes, ids, headings, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self.text_parts: list[str] = []
        self.source_items: list[str] = []
        self.sources_text: dict[str, str] = {}
        self.title = ""
        self._open: list[str] = []
        self._heading: str | None = None
        self._buffer: list[str] = []
        self._source: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("h1", "h2", "h3", "title"):
            self._heading, self._buffer = tag, []
        if tag == "li" and (attributes.get("id") or "").startswith("source-"):
            self._source = str(attributes["id"])
            self.source_items.append(self._source)
            self.sources_text[self._source] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            text = " ".join("".join(self._buffer).split())
            if tag == "title":
                self.title = text
            else:
                self.headings.append((tag, text))
            self._heading = None
        if tag == "li":
            self._source = None

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        if self._heading:
            self._buffer.append(data)
        if self._source:
            self.sources_text[self._source] += data

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def ids(self) -> set[str]:
        return {str(attrs["id"]) for _, attrs in self.tags if attrs.get("id")}


def parse(html_text: str) -> Page:
    page = Page()
    page.feed(html_text)
    page.close()
    return page


def markdown_headings(text: str) -> list[tuple[int, str]]:
    return [(len(match.group(1)), match.group(2)) for match in re.finditer(r"^(#{1,6}) (.+)$", text, re.M)]


def markdown_sources(text: str) -> list[tuple[int, str]]:
    """The numbered entries under '## Sources': (number, mscli id)."""
    block = text.split("\n## Sources\n", 1)[1].split("\n## ", 1)[0]
    return [(int(number), source_id) for number, source_id in
            re.findall(r"^(\d+)\. .* mscli id: `([a-z0-9-]+)`$", block, re.M)]


def cited_numbers(text: str) -> set[int]:
    """Every number inside a [n, m] reference outside the sources list."""
    body = text.split("\n## Sources\n", 1)[0]
    return {int(n) for group in re.findall(r"\[(\d+(?:, \d+)*)\]", body) for n in group.split(", ")}


def expected_source_ids(folder: str | None, *names: str) -> set[str]:
    """Sources the report must list: those of each chosen record, computed from the dataset."""
    data = dataset.load(folder, use_cache=False)
    wanted: set[str] = set()
    for name in names:
        _, record = queries.find_any(data, name)
        wanted |= {source["id"] for source in queries.sources_of(data, record)}
    return wanted


def hostile_dataset() -> dict[str, Any]:
    data = minimal()
    data["dataset"]["title"] = "Test & <b>data</b>"
    therapy = data["therapies"][0]
    therapy["name"] = "Alpha <script>alert(1)</script> & co"
    therapy["summary"] = HOSTILE_TEXT
    therapy["main_risks"] = ["- looks like a list item", "1. looks numbered", "**bold** `code` [link](x)"]
    therapy["unverified"] = ["summary"]
    data["trials"][0]["result"] = HOSTILE_TEXT
    data["sources"][0]["title"] = "A paper with <i>tags</i> & \"quotes\""
    data["sources"][1]["url"] = HOSTILE_URL
    return data


# --- Markdown ----------------------------------------------------------------------------

def test_markdown_report_structure_on_the_bundled_dataset(run):
    result = run("report", "ahsct", "mesems")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    headings = markdown_headings(text)
    assert headings[0] == (1, "Stem cell therapies for multiple sclerosis: evidence summary")
    assert [h for h in headings if h[0] == 1] == headings[:1]
    level_two = [title for level, title in headings if level == 2]
    assert level_two == ["Therapy: Autologous haematopoietic stem cell transplantation", "Trial: MESEMS",
                         "Sources", "Questions to discuss with my neurologist"]
    assert NOTICE in text
    info = dataset.load(None, use_cache=False)["dataset"]
    assert f"last reviewed on {info['reviewed']}" in text and info["version"] in text

    listed = markdown_sources(text)
    assert [number for number, _ in listed] == list(range(1, len(listed) + 1))
    ids = [source_id for _, source_id in listed]
    assert len(ids) == len(set(ids))
    assert expected_source_ids(None, "ahsct", "mesems") <= set(ids)
    assert cited_numbers(text) == set(range(1, len(listed) + 1))


def test_markdown_sections_carry_what_a_neurologist_needs(run):
    text = run("report", "ahsct", "NCT01854957").stdout
    therapy, trial = text.split("\n## Therapy: ")[1].split("\n## Trial: ")
    for label in ("Availability", "What it is", "Strongest evidence so far", "Main risks",
                  "Who benefits, per current evidence", "What guidance says"):
        assert f"**{label}:**" in therapy, label
    assert "| Trial | Registry numbers | Phase | Status |" in therapy
    assert "| MIST [" in therapy and "NCT00273364" in therapy
    for label in ("Registry numbers", "Phase", "Status", "Design", "Who could take part", "Enrolment",
                  "Results", "Outcome"):
        assert f"**{label}:**" in trial, label
    assert "NCT01854957 (ClinicalTrials.gov)" in trial and "2011-001295-19 (EudraCT)" in trial


def test_markdown_to_stdout_matches_the_file(run, tmp_path):
    target = tmp_path / "report.md"
    result = run("report", "msc", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == run("report", "msc").stdout


def test_unverified_values_and_sources_are_marked(run, write_dataset):
    data = minimal()
    data["trials"][0]["unverified"] = ["outcome", "enrolment"]
    text = run("report", "tone", "--data", str(write_dataset(data))).stdout
    assert "**Outcome:** not met (unverified)" in text
    assert re.search(r"^- 40 actual \(as of 2020-01-01\) \(unverified\) \[1\]$", text, re.M)
    sources = dict((source_id, number) for number, source_id in markdown_sources(text))
    assert set(sources) == {"src-a", "src-b"}
    line = next(line for line in text.splitlines() if line.endswith("`src-b`"))
    assert "(unverified)" in line
    line = next(line for line in text.splitlines() if line.endswith("`src-a`"))
    assert "(unverified)" not in line and "DOI: `10.1000/abc`" in line and "PMID: `123`" in line


def test_markdown_escapes_dataset_text(run, write_dataset):
    text = run("report", "alpha", "--data", str(write_dataset(hostile_dataset()))).stdout
    outside_code = re.sub(r"`[^`]*`", "", text)
    assert "<script>" not in outside_code and "<i>" not in outside_code and "<b>" not in outside_code
    assert "**What it is:** \\<script\\>alert('x')\\</script\\> \\& \"quoted\" 'single' " \
           "\\</dd\\>\\<img src=x onerror=alert(1)\\> (unverified)" in text
    assert "## Therapy: Alpha \\<script\\>alert(1)\\</script\\> \\& co" in text
    assert "- \\- looks like a list item" in text
    assert "- 1\\. looks numbered" in text
    assert "- \\*\\*bold\\*\\* \\`code\\` \\[link\\](x)" in text
    assert f"URL: `{HOSTILE_URL}`" in text


def test_a_record_named_twice_appears_once(run):
    text = run("report", "mesems", "NCT01854957", "MESEMS").stdout
    assert [title for level, title in markdown_headings(text) if level == 2].count("Trial: MESEMS") == 1


@pytest.mark.parametrize("ids", [["mesems"], ["NCT01854957", "ahsct"], ["msc", "mesems", "MESEMS"]])
def test_the_stores_glossary_terms_give_the_report_found_without_them(ids):
    """The command reads named trials' terms from the store's name index instead of matching text."""
    from mscli.output import report
    from mscli.queries import terms

    store = dataset.open_store(None)
    with_links = report.build(terms.dataset_naming(store, ids), ids, links=store.links)
    assert store.links and any(trial["id"] in store.links for trial in store.dataset()["trials"])
    assert with_links == report.build(dataset.load(None), ids)


def test_stale_dataset_is_flagged_in_the_report(run, write_dataset):
    data = minimal()
    data["dataset"]["reviewed"] = "2020-01-01"
    text = run("report", "alpha", "--data", str(write_dataset(data))).stdout
    assert "last reviewed on 2020-01-01" in text
    assert "newer evidence may exist" in text


# --- errors and files --------------------------------------------------------------------

def test_unknown_id_is_one_line_with_suggestions_and_writes_nothing(run_process, tmp_path):
    target = tmp_path / "report.html"
    result = run_process("report", "ahsct", "mesem", "--output", str(target))
    assert result.returncode == 1
    assert result.stdout == b""
    error = result.stderr.decode()
    assert error.count("\n") == 1 and error.startswith("mscli: error: unknown record 'mesem'")
    assert "did you mean" in error and "'mesems'" in error
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_kept_unless_forced(run_process, tmp_path):
    target = tmp_path / "report.md"
    target.write_text("my notes\n", encoding="utf-8")
    refused = run_process("report", "msc", "--output", str(target))
    assert refused.returncode == 4
    assert b"already exists; use --force" in refused.stderr and refused.stderr.count(b"\n") == 1
    assert target.read_text(encoding="utf-8") == "my notes\n"
    forced = run_process("report", "msc", "--output", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8").startswith("# Stem cell therapies")
    assert [path.name for path in tmp_path.iterdir()] == ["report.md"]


def test_report_file_gets_ordinary_permissions(run_process, tmp_path):
    target = tmp_path / "report.md"
    assert run_process("report", "msc", "--output", str(target)).returncode == 0
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("where", ["missing-directory/report.html", "a-file/report.html", "a-directory.html"])
def test_unwritable_output_is_exit_4_one_line(run_process, tmp_path, where):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    (tmp_path / "a-directory.html").mkdir()
    target = tmp_path / where
    result = run_process("report", "msc", "--output", str(target), "--force")
    assert result.returncode == 4
    assert result.stderr.startswith(b"mscli: error: cannot write") and result.stderr.count(b"\n") == 1
    assert b"Traceback" not in result.stderr


def test_unknown_suffix_needs_a_format(run, tmp_path):
    target = tmp_path / "report.txt"
    refused = run("report", "msc", "--output", str(target))
    assert refused.exit_code == 2 and "cannot tell the report format" in refused.stderr
    assert not target.exists()
    assert run("report", "msc", "--output", str(target), "--format", "html").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_format_option_and_suffix(run, tmp_path):
    assert run("report", "msc", "--format", "html").stdout.startswith("<!DOCTYPE html>")
    assert run("report", "msc", "--output", str(tmp_path / "r.HTM")).exit_code == 0
    assert (tmp_path / "r.HTM").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert run("report", "msc", "--output", str(tmp_path / "r.markdown")).exit_code == 0
    assert (tmp_path / "r.markdown").read_text(encoding="utf-8").startswith("# ")


# --- HTML ----------------------------------------------------------------------------------

FORBIDDEN_TAGS = {"script", "link", "img", "iframe", "object", "embed", "base", "form", "svg", "video", "audio"}


def check_self_contained(page: Page) -> None:
    for tag, attrs in page.tags:
        assert tag not in FORBIDDEN_TAGS, tag
        assert "src" not in attrs, (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert tag == "a", (tag, attrs)
            assert href.startswith(("#", "https://", "http://")), href
            if href.startswith("#"):
                assert href[1:] in page.ids(), href
    style = "".join(part for part in page.text_parts if "{" in part)
    assert "url(" not in style and "@import" not in style and "@font-face" not in style


def test_html_report_structure(run_process, tmp_path):
    target = tmp_path / "report.html"
    result = run_process("report", "ahsct", "mesems", "--output", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    page = parse(text)
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag.get("lang") == "en"
    assert ("meta", {"charset": "utf-8"}) in page.tags
    assert page.title == "Stem cell therapies for multiple sclerosis: evidence summary"
    assert page.headings[0] == ("h1", page.title)
    assert [text for level, text in page.headings if level == "h2"] == [
        "Therapy: Autologous haematopoietic stem cell transplantation", "Trial: MESEMS",
        "Sources", "Questions to discuss with my neurologist"]
    assert {"record-ahsct", "record-mesems", "sources", "questions"} <= page.ids()
    assert NOTICE in page.text
    reviewed = dataset.load(None, use_cache=False)["dataset"]["reviewed"]
    assert ("time", {"class": "reviewed", "datetime": reviewed}) in page.tags
    assert page.source_items == [f"source-{n}" for n in range(1, len(page.source_items) + 1)]
    listed = {re.search(r"mscli id: (\S+)$", item).group(1) for item in page.sources_text.values()}
    assert expected_source_ids(None, "ahsct", "mesems") <= listed
    tables = [tag for tag, _ in page.tags if tag in ("table", "thead", "th")]
    assert tables.count("table") == 2 and tables.count("thead") == 2
    check_self_contained(page)


def test_html_escapes_every_dataset_string(run_process, write_dataset, tmp_path):
    target = tmp_path / "hostile.html"
    folder = write_dataset(hostile_dataset())
    result = run_process("report", "alpha", "tone", "--data", str(folder), "--output", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    page = parse(text)
    check_self_contained(page)
    assert "<script" not in text.lower() and "<i>" not in text and "<b>" not in text
    assert HOSTILE_TEXT in page.text
    assert "Test & <b>data</b>" in page.text
    assert ("h2", "Therapy: Alpha <script>alert(1)</script> & co") in page.headings
    assert HOSTILE_URL in page.text
    assert not any(attrs.get("href") == HOSTILE_URL for _, attrs in page.tags)
    unverified = [attrs for tag, attrs in page.tags if attrs.get("class") == "unverified"]
    assert len(unverified) == 2


def chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("MSCLI_REQUIRE_CHROMIUM"):
        pytest.fail("chromium is not installed but MSCLI_REQUIRE_CHROMIUM is set")
    pytest.skip("chromium is not installed (set MSCLI_REQUIRE_CHROMIUM=1 to make this a failure)")


def screenshot(page: Path, tmp_path: Path) -> png.Image:
    """Render ``page`` in headless Chromium with networking off and return the screenshot."""
    shot = tmp_path / f"{page.stem}.png"
    profile = tmp_path / f"{page.stem}-profile"
    completed = subprocess.run(
        [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri()],
        capture_output=True, timeout=180, check=False)
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")[-2000:]
    assert shot.is_file(), completed.stderr.decode(errors="replace")[-2000:]
    return png.read(shot.read_bytes())


def ink(image: png.Image) -> tuple[int, float]:
    """Distinct colours, and the share of rows holding dark (text) pixels."""
    colours: set[bytes] = set()
    inked_rows = 0
    for row in range(image.height):
        pixels = image.pixels(row)
        colours.update(pixels)
        if any(sum(pixel[:3]) < 200 for pixel in pixels):
            inked_rows += 1
    return len(colours), inked_rows / image.height


def test_html_report_renders_in_headless_chromium(run_process, tmp_path):
    target = tmp_path / "report.html"
    assert run_process("report", "ahsct", "mesems", "--output", str(target)).returncode == 0
    image = screenshot(target, tmp_path)
    assert (image.width, image.height) == (1000, 1400)
    colours, inked = ink(image)
    assert colours > 16
    assert inked > 0.3
    top = image.pixels(0)
    assert all(sum(pixel[:3]) > 700 for pixel in top), "the page background should be white"


def test_the_screenshot_check_tells_a_blank_page(tmp_path):
    blank = tmp_path / "blank.html"
    blank.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
                     "<body></body></html>", encoding="utf-8")
    colours, inked = ink(screenshot(blank, tmp_path))
    assert colours == 1 and inked == 0


def test_missing_chromium_fails_when_required_and_skips_otherwise(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("MSCLI_REQUIRE_CHROMIUM", "1")
    with pytest.raises(pytest.fail.Exception):
        chromium_binary()
    monkeypatch.delenv("MSCLI_REQUIRE_CHROMIUM")
    with pytest.raises(pytest.skip.Exception):
        chromium_binary()
