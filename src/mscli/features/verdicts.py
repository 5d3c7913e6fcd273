"""The labels a pre-screen gives: one per criterion, one per trial, one per guidance profile.

Defined in the model (``model.evidence_outputs``) with the JSON shapes that carry them, so that
``mscli schema`` publishes them; named here for the features and views that use them.
"""

from mscli.model.evidence_outputs import GuidanceFit, Label, Overall

__all__ = ["GuidanceFit", "Label", "Overall"]
