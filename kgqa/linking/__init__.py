"""Entity linking: from words in a question or document to IRIs in the graph.

* :class:`~kgqa.linking.labels.LabelIndex` holds every entity's labels and looks
  them up exactly, normalised or fuzzily (fast with 100k+ entities);
* :func:`~kgqa.linking.mentions.detect` finds the mentions of a question (no
  brackets or hints needed) and the role of each number in it;
* :class:`~kgqa.linking.rank.CandidateRanker` orders each mention's candidates by
  string match, the words around the mention, MiniLM context similarity and degree,
  keeping all of them with their scores (the clarification policy reads them);
* :class:`~kgqa.linking.link.Linker` bundles these for one graph.

Example:
    >>> from rdflib import URIRef
    >>> idx = LabelIndex()
    >>> idx.add(URIRef("http://ex.org/lem"), "Stanisław Lem")
    >>> [m.surface for m in detect(idx, "Where was Stanislaw Lem born?").mentions]
    ['Stanislaw Lem']
"""

from kgqa.linking.labels import Candidate, LabelIndex, Mention, fold, normalize
from kgqa.linking.link import Linker
from kgqa.linking.mentions import Detection, FoundMention, FoundNumber, detect
from kgqa.linking.rank import CandidateRanker

__all__ = [
    "Candidate",
    "CandidateRanker",
    "Detection",
    "FoundMention",
    "FoundNumber",
    "LabelIndex",
    "Linker",
    "Mention",
    "detect",
    "fold",
    "normalize",
]
