"""Text extraction: from sentences to ontology-shaped statements, offline, on CPU.

The default extractor (``ontology``, :mod:`ingest.extract.ontology`) is guided by
the project's ontology:

* :mod:`~ingest.extract.sentences` splits blocks into sentences;
* :mod:`~ingest.extract.mentions` finds mentions of known entities (the graph's
  labels, through :class:`kgqa.linking.LabelIndex`), of new ones (capitalised
  names, emphasised titles) typed by cue words taken from the ontology's class
  labels, literal values (years, numbers), and resolves "He"/"It"/"the novel"
  to the entity the document is about;
* :mod:`~ingest.extract.relations` picks, for each pair of mentions in a
  sentence, the property whose lexicalisations (labels, alt labels, question
  phrases, templates) are closest to the words between them (MiniLM), among the
  properties whose domain and range fit the mentions' types; the similarity
  margin gives the confidence.

``llm`` (:mod:`ingest.extract.llm`) sends the text to any OpenAI-compatible
endpoint named in ``[llm]`` and validates what comes back against the ontology in
the same way; it is never required. Extractors are chosen by name from
:data:`EXTRACTORS` (setting ``ingest.extractor``).

Example:
    >>> sorted(extractor_names())
    ['llm', 'ontology', 'parsed']
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from kgqa.registry import Registry

from ingest.model import Statement, TextContent

if TYPE_CHECKING:
    from kgqa.engine import Engine

    from ingest.resolve import ResolverSession


class Extractor:
    """Turns a text document into statements about entities (not yet IRIs)."""

    name: ClassVar[str] = ""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def extract(self, content: TextContent, session: ResolverSession) -> Iterator[Statement]:
        raise NotImplementedError

    def fingerprint(self) -> str:
        """Settings that change the output: a document is re-extracted when they change."""
        return self.name


EXTRACTORS: Registry[type[Extractor]] = Registry("extractor")


def _load_builtin() -> None:
    from ingest.extract import llm, ontology, parsed  # noqa: F401  (they register themselves)


def extractor_names() -> list[str]:
    _load_builtin()
    return EXTRACTORS.names()


def get_extractor(name: str, engine: Engine) -> Extractor:
    """An extractor by name (``ontology``, ``llm``, or one registered by a plugin)."""
    _load_builtin()
    return EXTRACTORS.get(name)(engine)


__all__ = ["EXTRACTORS", "Extractor", "extractor_names", "get_extractor"]
