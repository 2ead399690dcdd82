"""Translation: a question becomes a :class:`~kgqa.translate.structure.QueryStructure`.

The structure (relation path with directions, form, answer class, literal filter,
constraint) is what the translating model predicts from the question with its
entity mentions masked; entities and values are bound separately as RDF terms.

* :class:`~kgqa.translate.structure.QueryStructure` (with :class:`Hop`,
  :class:`LiteralFilter`): the target, and its SPARQL;
* :class:`~kgqa.translate.model.Translator`: MiniLM embedding + torch-trained heads;
  ``train(pairs)``, ``predict``/``predict_batch``, ``save``/``load``;
* :func:`~kgqa.translate.synthesize.synthesize`: training questions from the graph;
* :func:`~kgqa.translate.train.train_translator`: what ``kgqa train translator`` runs;
* :func:`~kgqa.translate.masking.mask_brackets`: ``[entity]`` questions (MetaQA) in
  the translator's masked form.

Example:
    >>> from rdflib import URIRef
    >>> s = QueryStructure((Hop(URIRef("http://ex.org/author"), inverse=True),), "count")
    >>> s.signature()
    'count|http://ex.org/author^-1'
"""

from kgqa.translate.masking import mask_brackets
from kgqa.translate.model import Reading, Translator, TranslatorError
from kgqa.translate.structure import Hop, LiteralFilter, QueryStructure

__all__ = ["Hop", "LiteralFilter", "QueryStructure", "Reading", "Translator", "TranslatorError", "mask_brackets"]
