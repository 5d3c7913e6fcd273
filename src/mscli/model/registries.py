"""Registry numbers in the forms people write them, and the registries' own addresses.

``canonical_id`` turns what a user types or a paper prints ("nct1854957", "EudraCT 2011-001295-19",
"EUCTR2011-001295-19-IT", "ctis2023-510228-63-00", "isrctn 88667898") into the one form the dataset
stores; ``canonical_urls`` gives the addresses a registry-record source may use for a number; and
``copy_domain`` names the third-party copy site an address belongs to, if any.
"""

import re
from typing import Any
from urllib.parse import urlparse

from mscli.model.vocabularies import registry_of

_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    # CTIS before EudraCT: its four-group number starts like a EudraCT one.
    (re.compile(r"(?:ctis|euct)?[\s:#-]*(\d{4}-\d{6}-\d{2}-\d{2})"), "{0}"),
    (re.compile(r"(?:eudract(?:\s*number)?|euctr)?[\s:#-]*(\d{4}-\d{6}-\d{2})(?:-[a-z]{2,3})?"), "{0}"),
    (re.compile(r"nct[\s:#-]*0*(\d{1,8})"), "NCT{0:0>8}"),
    (re.compile(r"isrctn[\s:#-]*(\d{8})"), "ISRCTN{0}"),
    (re.compile(r"actrn[\s:#-]*(\d{14})"), "ACTRN{0}"),
    (re.compile(r"irct[\s:#-]*(\d{8,}n\d+)"), "IRCT{0}"),
    (re.compile(r"ctri[\s:#-]*/?(\d{4})/(\d{2,3})/(\d{6})"), "CTRI/{0}/{1}/{2}"),
    (re.compile(r"chictr[\s:#]*(-?[a-z]{0,4}-?\d{6,})"), "ChiCTR{0}"),
    (re.compile(r"jrct[\s:#-]*(\d{10})"), "jRCT{0}"),
    (re.compile(r"drks[\s:#-]*(\d{8})"), "DRKS{0}"),
)


def canonical_id(text: str) -> str | None:
    """The stored form of a registry number written in any common way, or None if it is not one."""
    key = text.strip().lower()
    for pattern, template in _FORMS:
        match = pattern.fullmatch(key)
        if match:
            parts = [part.upper() for part in match.groups()]
            if template.startswith("IRCT"):
                parts = [parts[0]]
            value = template.format(*parts)
            return value if registry_of(value) else None
    return None


def ictrp_url(registration_id: str) -> str:
    return f"https://trialsearch.who.int/Trial2.aspx?TrialID={registration_id}"


def canonical_urls(registration_id: str) -> tuple[str, ...]:
    """The registry's own address for a number, and the WHO ICTRP page that shows every registry."""
    registry = registry_of(registration_id)
    own = {
        "ClinicalTrials.gov": f"https://clinicaltrials.gov/study/{registration_id}",
        "ISRCTN": f"https://www.isrctn.com/{registration_id}",
        "EudraCT": f"https://www.clinicaltrialsregister.eu/ctr-search/search?query={registration_id}",
        "CTIS": f"https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={registration_id}",
        "ANZCTR": f"https://www.anzctr.org.au/{registration_id}.aspx",
        "jRCT": f"https://jrct.niph.go.jp/en-latest-detail/{registration_id}",
        "DRKS": f"https://drks.de/search/en/trial/{registration_id}",
    }.get(registry or "")
    return tuple(url for url in (own, ictrp_url(registration_id)) if url)


# Sites that reproduce registry records or papers: never a source's ``url`` (use ``seen_at``).
COPY_DOMAINS: tuple[str, ...] = (
    "trials.co", "clinicaltrialexchange.com", "stemcellsaustralia.edu.au", "bioseek.eu",
    "meddatax.com", "ctv.veeva.com", "centerwatch.com", "trial.medpath.com", "ignite-sd.com",
    "ichgcp.net", "inclinicaltrials.com", "trialx.com", "clincosm.com", "clinconnect.io",
    "crick.ai", "withpower.com", "medifind.com", "scribd.com", "vdocuments.site", "docslib.org",
    "9pdf.net", "pdffox.com", "moam.info", "coek.info", "studylibit.com", "documents.pub",
    "ictrptest.azurewebsites.net", "elogim.com", "researcher.life", "scilit.net",
    "togows.dbcls.jp", "herbal-organic.com", "distantreader.org",
)


def copy_domain(url: str) -> str | None:
    """The copy site ``url`` is on (its domain or a parent domain in COPY_DOMAINS), else None."""
    host = (urlparse(url).hostname or "").lower()
    for domain in COPY_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def numbers_of(record: Any) -> list[str]:
    """A trial's registry numbers (or a source's registry_id) in their stored form."""
    if "registrations" in record:
        return [registration["id"] for registration in record["registrations"]]
    return [record["registry_id"]] if record.get("registry_id") else []
