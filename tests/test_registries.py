"""Registry numbers in every form people write them resolve to the same trial (issue 12)."""

from __future__ import annotations

import pytest

from mscli.model.registries import canonical_id, canonical_urls, copy_domain
from tests.conftest import minimal

FORMS = [
    ("NCT01854957", "NCT01854957"), ("nct01854957", "NCT01854957"), ("nct1854957", "NCT01854957"),
    (" NCT 01854957 ", "NCT01854957"),
    ("2011-001295-19", "2011-001295-19"), ("EudraCT 2011-001295-19", "2011-001295-19"),
    ("eudract number: 2011-001295-19", "2011-001295-19"), ("EUCTR2011-001295-19-IT", "2011-001295-19"),
    ("euctr2011-001295-19", "2011-001295-19"),
    ("2023-510228-63-00", "2023-510228-63-00"), ("CTIS2023-510228-63-00", "2023-510228-63-00"),
    ("ISRCTN88667898", "ISRCTN88667898"), ("isrctn 88667898", "ISRCTN88667898"),
    ("ACTRN12610000000000", "ACTRN12610000000000"), ("actrn12610000000000", "ACTRN12610000000000"),
    ("IRCT201105196432N1", "IRCT201105196432N1"), ("irct201105196432n1", "IRCT201105196432N1"),
    ("CTRI/2019/04/018500", "CTRI/2019/04/018500"), ("ctri/2019/004/018500", "CTRI/2019/004/018500"),
    ("ChiCTR2000031319", "ChiCTR2000031319"), ("chictr-trc-12002345", "ChiCTR-TRC-12002345"),
    ("jRCT2053190087", "jRCT2053190087"), ("JRCT2053190087", "jRCT2053190087"),
    ("DRKS00012345", "DRKS00012345"), ("drks00012345", "DRKS00012345"),
]


@pytest.mark.parametrize("written,stored", FORMS)
def test_canonical_id(written, stored):
    assert canonical_id(written) == stored


@pytest.mark.parametrize("text", ["", "mesems", "NCT123456789", "2011-1295-19", "ISRCTN123", "CTRI/19/04/1"])
def test_not_a_registry_number(text):
    assert canonical_id(text) is None


def test_canonical_urls_and_copies():
    assert canonical_urls("NCT01854957")[0] == "https://clinicaltrials.gov/study/NCT01854957"
    assert canonical_urls("2011-001295-19")[0] == (
        "https://www.clinicaltrialsregister.eu/ctr-search/search?query=2011-001295-19")
    assert canonical_urls("IRCT201105196432N1") == (
        "https://trialsearch.who.int/Trial2.aspx?TrialID=IRCT201105196432N1",)
    assert copy_domain("https://www.trials.co/x") == "trials.co"
    assert copy_domain("https://ictrptest.azurewebsites.net/Trial2.aspx?TrialID=NCT1") == "ictrptest.azurewebsites.net"
    assert copy_domain("https://doi.org/10.1000/abc") is None
    assert copy_domain("https://notrials.co/x") is None


@pytest.mark.parametrize("query,trial", [
    ("nct1606215", "streams"), ("EudraCT 2012-002357-35", "streams"), ("EUCTR2012-002357-35-GB", "streams"),
    ("EUCTR2016-001166-29-DE", "coast"), ("2016-001166-29", "coast"), ("ctis2023-510228-63-00", "smart-ms"),
    ("CTIS2023-510228-63-00", "smart-ms"), ("isrctn88667898", "star-ms"), ("NCT6592703", "maestro-4ms"),
])
def test_bundled_trials_resolve_in_every_form(run, query, trial):
    result = run("trial", query, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["id"] == trial


@pytest.mark.parametrize("query", [
    "actrn12610000000000", "IRCT 201105196432N1", "ctri/2019/04/018500", "CHICTR2000031319",
    "JRCT2053190087", "drks00012345", "nct00000001", "EUCTR2010-000001-01-ES",
])
def test_national_registries_resolve(run, write_dataset, query):
    data = minimal()
    data["trials"][0]["registrations"] += [
        {"id": number} for number in ("ACTRN12610000000000", "IRCT201105196432N1", "CTRI/2019/04/018500",
                                      "ChiCTR2000031319", "jRCT2053190087", "DRKS00012345")]
    folder = write_dataset(data)
    result = run("trial", query, "--json", "--data", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.json()["id"] == "trial-one"


def test_unknown_number_still_suggests(run):
    result = run("trial", "NCT09999999")
    assert result.exit_code != 0
    assert "unknown trial" in result.stderr
