"""Entity linking: from words in a question or document to IRIs in the graph.

:class:`~kgqa.linking.labels.LabelIndex` holds every entity's labels and finds
mentions (exact, normalised, fuzzy). Ranking the candidates with the MiniLM
encoder and graph context, and keeping the ranked alternatives for the
clarification policy, builds on it.
"""

from kgqa.linking.labels import Candidate, LabelIndex, Mention, fold, normalize

__all__ = ["Candidate", "LabelIndex", "Mention", "fold", "normalize"]
