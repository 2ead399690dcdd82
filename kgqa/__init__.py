"""kgqa: question answering over a knowledge graph built from your documents.

Start with :class:`kgqa.Engine`::

    from kgqa import Engine
    engine = Engine.open()              # the project in ./.kgqa
    engine.ingest(["data/sample"])      # documents -> RDF with provenance
    answer = engine.ask("Who wrote Solaris?")
    print(answer.text, answer.sparql)

Packages: ``store`` (Oxigraph / SPARQL endpoints), ``ontology``, ``sparql``,
``linking``, ``translate``, ``answer``, ``complete`` (PyKEEN), ``dialogue`` (the
clarification policy), ``server`` (SPARQL 1.1 Protocol), ``cli``, ``bench``.
"""

from kgqa.engine import Engine
from kgqa.errors import KgqaError

__version__ = "0.1.0"
__all__ = ["Engine", "KgqaError", "__version__"]
