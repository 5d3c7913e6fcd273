"""Every corpus offer raises the same flags whatever form it arrives in: plain text, a text file, a
saved web page, a PDF brochure (wrapped as a brochure wraps it) and standard input.

The PDFs are written by fpdf2 and read back by mscli through pypdf, so the text layer is a real
one; the web pages are parsed by mscli's HTML reader from markup these tests build around the text.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_offer_corpus import offers

UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
OFFERS = offers()


def write_pdf(path: Path, text: str, width: float) -> None:
    """A brochure: each paragraph wrapped to the column, as a PDF writer lays it out."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    if UNICODE_FONT.exists():
        pdf.add_font("body", fname=str(UNICODE_FONT))
        pdf.set_font("body", size=11)
    else:
        pdf.set_font("Helvetica", size=11)
    for line in text.splitlines():
        pdf.multi_cell(width, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def write_html(path: Path, text: str) -> None:
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines())
    path.write_text(f"<!DOCTYPE html><html><head><title>Offer</title><script>var a = 'cure';</script></head>"
                    f"<body><nav>Home | About</nav>{body}</body></html>", encoding="utf-8")


def raised(result: Any) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return list(result.json()["raised"])


def pdf_can_hold(text: str) -> bool:
    return UNICODE_FONT.exists() or all(ord(char) < 256 for char in text)


@pytest.mark.parametrize("offer", OFFERS, ids=[offer["id"] for offer in OFFERS])
def test_every_offer_raises_the_same_flags_in_every_form(run, tmp_path, offer):
    text = offer["text"]
    expected = raised(run("clinic", "--offer", text, "--json"))
    plain = tmp_path / "offer.txt"
    plain.write_text(text, encoding="utf-8")
    assert raised(run("clinic", "--offer", str(plain), "--json")) == expected
    assert raised(run("clinic", "--offer", "-", "--json", input=text.encode("utf-8"))) == expected
    page = tmp_path / "offer.html"
    write_html(page, text)
    assert raised(run("clinic", "--offer", str(page), "--json")) == expected
    if pdf_can_hold(text):
        brochure = tmp_path / "advert.pdf"
        write_pdf(brochure, text, width=0)
        assert raised(run("clinic", "--offer", str(brochure), "--json")) == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offer=st.sampled_from(OFFERS), width=st.integers(40, 190))
def test_a_pdf_wrapped_at_any_width_raises_the_flags_of_its_text(run, tmp_path_factory, offer, width):
    text = offer["text"]
    if not pdf_can_hold(text):
        return
    brochure = tmp_path_factory.mktemp("pdf") / "brochure.pdf"
    write_pdf(brochure, text, width=width)
    assert raised(run("clinic", "--offer", str(brochure), "--json")) == raised(
        run("clinic", "--offer", text, "--json"))
