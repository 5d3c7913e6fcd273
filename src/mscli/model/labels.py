"""Words mscli shows people: the notice and, beside each vocabulary, its plain-language labels.

One place for them, so tables, detail views, Markdown and the report all say the same thing,
while JSON, CSV/TSV and ``--fields`` keep the slugs.
"""

NOTICE = ("mscli informs; it does not advise. Decisions about treatment belong with you "
          "and your neurologist.")
UNVERIFIED_COLUMN = "unverified_fields"  # CSV/TSV: the fields of a row not yet checked, comma-separated
UNVERIFIED_SUFFIX = " (unverified)"  # after a value in text formats; a table shows the mark instead
UNVERIFIED_MARK = " †"
NOT_A_REFERRAL = ("This pre-screen is not a referral and not medical advice: only a trial's own team "
                  "decides who is eligible. It checks only the criteria listed; every trial has others.")

# Human words for each vocabulary of model.records, keyed by slug. A slug missing here is shown
# as itself; tests/test_labels.py checks every member of every vocabulary has a label.
STATUS_LABELS = {
    "not-yet-recruiting": "not yet recruiting", "recruiting": "recruiting",
    "enrolling-by-invitation": "enrolling by invitation", "active-not-recruiting": "running, not recruiting",
    "completed": "completed", "terminated": "stopped early", "withdrawn": "withdrawn before starting",
    "suspended": "paused", "unknown": "status unknown",
}
OUTCOME_LABELS = {
    "met-randomised": "primary endpoint met (randomised)",
    "not-met": "primary endpoint not met",
    "safety-feasibility": "safety only: no efficacy test",
    "uncontrolled-improvement": "improvement, no control group",
    "stopped-early": "stopped early",
    "withdrawn": "withdrawn: nobody took part",
    "pending": "results pending",
    "not-found": "no results found",
    "not-assessed": "results not yet read",
}
AVAILABILITY_LABELS = {
    "standard-care-some-countries": "treatment in some countries",
    "trials-only": "in trials only",
    "research-only": "early research",
    "unproven": "unproven",
}
AIM_LABELS = {
    "immune-reset": "reset the immune system", "repair": "repair damage",
    "immune-modulation-and-repair": "calm the immune system and repair", "unclear": "unclear",
}
CHEMOTHERAPY_LABELS = {"required": "needed", "not-required": "not needed", "varies": "varies"}
SOURCE_KIND_LABELS = {
    "journal-article": "journal article", "review": "review", "guideline": "guideline",
    "registry-record": "registry record", "web-page": "web page", "news": "news",
    "position-statement": "position statement", "protocol": "protocol",
}
STUDY_KIND_LABELS = {
    "lab": "laboratory study", "animal": "animal study", "cohort": "cohort (no comparison group)",
    "registry-analysis": "registry analysis", "meta-analysis": "meta-analysis",
    "systematic-review": "systematic review", "case-series": "case series",
}
GUIDANCE_KIND_LABELS = {
    "consensus": "consensus paper", "position-statement": "position statement", "guideline": "guideline",
    "advice": "advice page",
}
PHASE_LABELS = {"n/a": "no phase", "early-1": "early 1"}
RECORD_TYPE_LABELS = {"red_flags": "red flags", "red-flag": "red flag", "glossary": "glossary term"}

# Common ways people write a country, mapped to the names the dataset uses (ClinicalTrials.gov's).
COUNTRY_ALIASES = {
    "uk": "United Kingdom", "u.k.": "United Kingdom", "great britain": "United Kingdom", "britain": "United Kingdom",
    "england": "United Kingdom", "scotland": "United Kingdom", "wales": "United Kingdom",
    "northern ireland": "United Kingdom", "usa": "United States", "us": "United States", "u.s.": "United States",
    "u.s.a.": "United States", "united states of america": "United States", "america": "United States",
    "the netherlands": "Netherlands", "holland": "Netherlands", "russian federation": "Russia",
    "iran, islamic republic of": "Iran", "prc": "China",
}
