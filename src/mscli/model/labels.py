"""Words mscli shows people: the notice and, beside each vocabulary, its plain-language labels.

One place for them, so tables, detail views, Markdown and the report all say the same thing,
while JSON, CSV/TSV and ``--fields`` keep the slugs.
"""

NOTICE = ("mscli informs; it does not advise. Decisions about treatment belong with you "
          "and your neurologist.")
NOT_A_REFERRAL = ("This pre-screen is not a referral and not medical advice: only a trial's own team "
                  "decides who is eligible. It checks only the criteria listed; every trial has others.")
