"""Turn what a person was sent (a text file, a saved web page, a PDF brochure) into plain text.

The clinic check is only as good as the text it reads: raw PDF bytes or HTML markup would
hide every phrase and come back "not found", which reads as reassurance. So each input kind is
recognised by its content (not only its name), converted to the text a reader sees, and
anything mscli cannot read (images, Word files, binary data, a scanned PDF with no text
layer) is refused with a message that says what to do, never given a verdict.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from mscli.errors import InputError, UsageError

PDF_HINT = "copy its text into a .txt file, or run 'pdftotext FILE out.txt' and check out.txt"

# Magic numbers of formats people are sent but mscli does not read, with what to do instead.
_REFUSED = (
    (b"\x89PNG", "an image (PNG)"), (b"\xff\xd8\xff", "an image (JPEG)"), (b"GIF8", "an image (GIF)"),
    (b"RIFF", "an image or media file"), (b"II*\x00", "an image (TIFF)"), (b"MM\x00*", "an image (TIFF)"),
    (b"PK\x03\x04", "a Word, OpenDocument or zip file"), (b"\xd0\xcf\x11\xe0", "a Word (.doc) file"),
    (b"{\\rtf", "an RTF file"),
)
_REFUSED_SUFFIXES = {".png": "an image", ".jpg": "an image", ".jpeg": "an image", ".gif": "an image",
                     ".webp": "an image", ".heic": "an image", ".tif": "an image", ".tiff": "an image",
                     ".doc": "a Word file", ".docx": "a Word file", ".odt": "an OpenDocument file",
                     ".rtf": "an RTF file", ".pages": "a Pages file"}
_ADVICE = "copy the text into a .txt file (or pipe it in with --offer -) and check that"


def to_text(content: bytes, name: str, suffix: str = "") -> tuple[str, str]:
    """The readable text of ``content`` and its kind ('text', 'html' or 'pdf').

    Raises InputError for content mscli cannot read, so that no verdict is given on it.
    """
    head = content[:1024].lstrip()
    if head.startswith(b"%PDF-") or (suffix == ".pdf" and b"%PDF-" in content[:1024]):
        return _pdf_text(content, name), "pdf"
    if suffix == ".pdf":
        raise InputError(f"--offer {name}: not a readable PDF; {PDF_HINT}")
    for magic, what in _REFUSED:
        if head.startswith(magic):
            raise InputError(f"--offer {name}: {what}, which mscli cannot read; {_ADVICE}")
    if suffix in _REFUSED_SUFFIXES:
        raise InputError(f"--offer {name}: {_REFUSED_SUFFIXES[suffix]}, which mscli cannot read; {_ADVICE}")
    if b"\x00" in content[:8192]:
        raise InputError(f"--offer {name}: binary data, not text; {_ADVICE}")
    text = content.decode("utf-8", errors="replace")
    if text.count("\ufffd") > max(8, len(text) // 50):
        raise InputError(f"--offer {name}: not UTF-8 text; {_ADVICE}")
    if suffix in (".html", ".htm") or _looks_like_html(text):
        return html_text(text), "html"
    return text, "text"


def _looks_like_html(text: str) -> bool:
    start = text.lstrip()[:512].lower()
    return start.startswith(("<!doctype html", "<html")) or ("<body" in start and "</" in text)


class _VisibleText(HTMLParser):
    """Collects the text a browser would show: not scripts, styles, templates or the head."""

    _HIDDEN = {"script", "style", "noscript", "template", "head", "svg"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "header", "footer", "blockquote", "td", "th", "ul", "ol", "table", "title", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The visible text of an HTML page, one block element a line (stdlib parser, no markup)."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _pdf_text(content: bytes, name: str) -> str:
    """The text layer of a PDF through pypdf, imported only here to keep start-up fast."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise InputError(f"--offer {name}: reading PDFs needs the pypdf package; {PDF_HINT}") from None
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"--offer {name}: an encrypted PDF; {PDF_HINT}")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise InputError(f"--offer {name}: a damaged PDF mscli cannot read; {PDF_HINT}") from None
    if len("".join(text.split())) < 20:
        raise InputError(f"--offer {name}: a PDF with no text layer (a scan or pictures of text); "
                         "copy the text by hand into a .txt file and check that")
    return reflow(text)


_WRAPPED = re.compile(r"(?<![.!?:;])\n(?=[a-z])")


def reflow(text: str) -> str:
    """A PDF's lines as its sentences: a PDF breaks lines where the column ends and pads justified
    lines with spaces, so "travel costs are / reimbursed" would read as two sentences and lose
    the words that deny a charge. Spaces are collapsed, and a line is joined to the next when it
    ends without punctuation and the next goes on in lower case (a heading stays its own line)."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return _WRAPPED.sub(" ", "\n".join(line for line in lines if line))


def require_text(text: str, name: str) -> str:
    """``text`` if it has something to check, else a usage error."""
    if not text.strip():
        raise UsageError(f"--offer {name}: no text to check")
    return text
