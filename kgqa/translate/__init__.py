"""Translation: a question becomes a :class:`~kgqa.translate.structure.QueryStructure`.

The structure (relation path with directions, form, answer class, literal filter)
is what the translating language model predicts from the question with its
entity mentions masked; entities and values are bound separately as RDF terms.
"""

from kgqa.translate.structure import Hop, LiteralFilter, QueryStructure

__all__ = ["Hop", "LiteralFilter", "QueryStructure"]
