"""The kinds of event in ``mscli timeline``.

Apart from ``outputs`` (the JSON shapes, which publish it in ``mscli schema``) because the
timeline needs the kinds at run time and the shapes only for type checking: importing every
output shape cost the timeline about 3 ms of start-up.
"""

from enum import StrEnum


class EventKind(StrEnum):
    """What happened; the order here is the order of events within one year."""

    CONSENSUS = "consensus"
    GUIDELINE = "guideline"
    POSITION_STATEMENT = "position-statement"
    ADVICE = "advice"
    TRIAL_START = "trial-start"
    TRIAL_PROTOCOL = "trial-protocol"
    TRIAL_COMPLETION = "trial-completion"
    TRIAL_COMPLETION_PLANNED = "trial-completion-planned"
    TRIAL_PUBLICATION = "trial-publication"
    STUDY = "study"
