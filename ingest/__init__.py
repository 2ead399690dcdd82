"""Ingestion: folders of mixed documents in, clean ontology-shaped RDF with provenance out.

The flow for each document (:mod:`ingest.pipeline`)::

    file --reader--> Content --extractor/mapping--> Statements --resolver--> quads + provenance rows
                                                                            |            |
                                            one store call, the document's graph     SQLite

* :mod:`ingest.readers`: a registry of readers by name and extension (``rdf``,
  ``csv``, ``json``, ``text``; NetworkX graphs from Python);
* :mod:`ingest.mapping`: the declarative mapping files that shape tables;
* :mod:`ingest.extract`: text extraction guided by the ontology (offline MiniLM,
  or an optional LLM), every triple with a confidence;
* :mod:`ingest.resolve`: entity resolution, one stable IRI per thing;
* :mod:`ingest.writer`: statements to quads in bounded memory;
* :mod:`ingest.provenance`: documents, triple provenance and merges in SQLite;
* :mod:`ingest.pipeline`: one transaction per document, resume, summary;
  :func:`~ingest.pipeline.ingest_paths`, :func:`~ingest.pipeline.remove_document`;
* :mod:`ingest.evaluate`: precision and recall against a gold file.

From Python use :meth:`kgqa.Engine.ingest`, :meth:`kgqa.Engine.ingest_graph` and
:meth:`kgqa.Engine.remove`; from the shell ``kgqa ingest``, ``kgqa remove`` and
``kgqa documents``.

Example:
    >>> import tempfile, pathlib
    >>> from kgqa import Engine
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.nt").write_text('<http://ex.org/a> <http://ex.org/p> "x" .\\n')
    >>> engine = Engine.memory()
    >>> engine.ingest([folder]).counts()
    {'ok': 1, 'skipped': 0, 'failed': 0}
"""
