"""The Engine: kgqa's single Python entry point.

Example:
    >>> import tempfile
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> engine = Engine.init(tempfile.mkdtemp() + "/.kgqa", ontologies=[bundled_ontology("scifi.ttl")])
    >>> result = engine.sparql("ASK { ?p a <http://www.w3.org/2002/07/owl#ObjectProperty> }")
    >>> bool(result)
    True
    >>> engine.close()
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from rdflib import URIRef
from rdflib.term import Node

from kgqa.config import CONFIG_FILE, Config, Settings, StoreSection
from kgqa.errors import KgqaError, OntologyError, ProjectError
from kgqa.namespaces import DEFAULT_FACTS_GRAPH, ONTOLOGY_GRAPH
from kgqa.ontology import Ontology, OntologyReport, bundled_ontology, validate_file
from kgqa.project import DEFAULT_DIRNAME, find_project
from kgqa.sparql.results import QueryResult
from kgqa.store import open_store
from kgqa.store.base import Store
from kgqa.store.formats import oxigraph_format, read_checked

if TYPE_CHECKING:
    import networkx as nx

    from ingest.pipeline import IngestSummary, RemoveReport
    from ingest.readers.networkx import NetworkXReport
    from kgqa.answer.context import QAContext
    from kgqa.dialogue.storage import SessionStore
    from kgqa.answer import Answer
    from kgqa.complete.complete_graph import CompletionReport
    from kgqa.dialogue import Session


@dataclass
class LoadReport:
    """What one ``load`` did: a file, the graph it went to, and how many triples."""

    path: Path
    graph: URIRef | None
    triples: int


class Engine:
    """A kgqa project: its store, settings, ontology and models.

    Open one with :meth:`init` (new project), :meth:`open` (existing) or
    :meth:`memory` (throw-away, in memory).
    """

    def __init__(self, store: Store, config: Config, directory: Path | None) -> None:
        self.store = store
        self.config = config
        #: The project directory (``None`` for an in-memory engine).
        self.directory = directory
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    # -- opening -----------------------------------------------------------------
    @classmethod
    def init(
        cls,
        directory: str | Path = DEFAULT_DIRNAME,
        *,
        ontologies: Iterable[str | Path] = (),
        config: dict[str, Any] | None = None,
    ) -> Engine:
        """Create a project in ``directory`` with kgqa's core vocabulary and ``ontologies``.

        Re-running on an existing project keeps its data and only adds ontologies.
        """
        directory = Path(directory)
        cfg_path = directory / CONFIG_FILE
        if cfg_path.exists():
            engine = cls.open(directory)
        else:
            cfg = Config.from_dict(config or {}, str(cfg_path))
            # Validate ontologies before anything is written, so a bad one leaves no project
            # behind; each may use the classes of those before it, as add_ontology allows.
            onto_paths = [bundled_ontology("kgqa.ttl"), *map(Path, ontologies)]
            for i, onto_path in enumerate(onto_paths):
                validate_file(onto_path, known=Ontology.from_files(onto_paths[:i])).raise_for_errors()
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "models").mkdir(exist_ok=True)
            cfg.save(cfg_path)
            engine = cls.open(directory)
            engine.add_ontology(bundled_ontology("kgqa.ttl"))
            ontologies = [p for p in onto_paths[1:]]
        for path in ontologies:
            engine.add_ontology(path)
        return engine

    @classmethod
    def open(cls, directory: str | Path | None = None, *, read_only: bool = False) -> Engine:
        """Open the project in ``directory`` (found from the current directory when ``None``)."""
        found = find_project(directory)
        config = Config.load(found / CONFIG_FILE)
        return cls(_store_for(config.settings.store, found, read_only, config.source), config, found)

    @classmethod
    def memory(cls, *, ontologies: Iterable[str | Path] = (), config: dict[str, Any] | None = None) -> Engine:
        """An engine over an in-memory store; models go to a temporary directory."""
        engine = cls(open_store("oxigraph"), Config.from_dict(config or {}), None)
        for path in [bundled_ontology("kgqa.ttl"), *ontologies]:
            engine.add_ontology(path)
        return engine

    def close(self) -> None:
        """Close the store (and any open models)."""
        self.store.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def settings(self) -> Settings:
        """The project's checked settings (``kgqa.toml``): ``engine.settings.query.timeout``..."""
        return self.config.settings

    @property
    def models_dir(self) -> Path:
        """Where trained models live (a temporary directory for in-memory engines)."""
        if self.directory is not None:
            path = self.directory / "models"
        else:
            if self._scratch is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="kgqa-")
            path = Path(self._scratch.name)
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- SPARQL ------------------------------------------------------------------
    def sparql(
        self,
        query: str,
        *,
        graph: URIRef | str | None = None,
        bindings: dict[str, Node] | None = None,
        timeout: float | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over the union of all graphs, or over ``graph``.

        ``bindings`` pre-binds variables to RDF terms (the safe way to put user values
        into a query). ``timeout`` (seconds) and ``limit`` (rows) default to the
        project's ``[query]`` settings.

        Example:
            >>> engine = Engine.memory()
            >>> engine.sparql("SELECT (1 + 1 AS ?two) {}").to_dicts()
            [{'two': 2}]
        """
        return self.store.query(
            query,
            graph=graph,
            bindings=bindings,
            timeout=self.settings.query.timeout if timeout is None else timeout,
            limit=self.settings.query.limit if limit is None else limit,
        )

    def update(self, update: str) -> None:
        """Run a SPARQL update (refused when the store is read-only)."""
        self.store.update(update, timeout=self.settings.query.timeout)
        self.invalidate()

    # -- loading RDF -------------------------------------------------------------
    def load(self, paths: Sequence[str | Path], *, graph: URIRef | str | None = None) -> list[LoadReport]:
        """Bulk-load RDF files. Every file is validated before any is loaded.

        Triples of a file without named graphs go to ``graph`` (default
        ``urn:kgqa:graph:facts``); quads keep their own graphs.
        """
        files = [Path(p) for p in paths]
        if len(files) > 1:  # a store's load checks its one file itself; check all before the first loads
            for path in files:
                read_checked(path, oxigraph_format(path))
        reports = []
        for path in files:
            target = graph
            if target is None and not _is_dataset_format(path):
                target = DEFAULT_FACTS_GRAPH
            n = self.store.load(path, graph=target)
            reports.append(LoadReport(path, URIRef(str(target)) if target else None, n))
        if hasattr(self.store, "optimize") and sum(r.triples for r in reports) > 100_000:
            self.store.optimize()
        return reports

    def add_ontology(self, path: str | Path) -> OntologyReport:
        """Validate an ontology file and add it to the ontology graph.

        Raises :class:`~kgqa.errors.OntologyError` (naming file and line) and changes
        nothing when the file is not a usable ontology.
        """
        path = Path(path)
        report = validate_file(path, known=self.ontology)
        report.raise_for_errors()
        self.store.load(path, graph=ONTOLOGY_GRAPH)
        self.invalidate()
        return report

    @cached_property
    def ontology(self) -> Ontology:
        """The project's ontology (classes, properties, lexicalisations), read once from the store."""
        return Ontology.from_store(self.store)

    def invalidate(self) -> None:
        """Forget what was read from the store or the model directory (the ontology, the answering
        state): call it after writing to the ontology graph other than through :meth:`add_ontology`
        or :meth:`update`, or after retraining the translator."""
        self.__dict__.pop("ontology", None)
        self.__dict__.pop("answering", None)

    # -- state the layers above keep per engine, owned here so nothing caches by engine ----------
    # Each imports its layer when first used (the answering and dialogue layers load models).
    @cached_property
    def answering(self) -> QAContext:
        """The answering state of this engine (linker, translator, verbalizer), built once;
        :func:`kgqa.answer.context.qa_context` refreshes its graph-derived part when the data changed."""
        from kgqa.answer.context import QAContext

        return QAContext(self)

    @cached_property
    def sessions(self) -> SessionStore:
        """The project's conversation store (``sessions.sqlite``), opened on first use."""
        from kgqa.dialogue.storage import SessionStore, sessions_path

        return SessionStore(sessions_path(self))

    @cached_property
    def dialogue_strategy(self) -> Any:
        """The answer-or-clarify strategy ``[dialogue] policy`` names, loaded once."""
        from kgqa.dialogue.session import load_strategy

        return load_strategy(self)

    # -- the capabilities built on the store ---------------------------------------
    # Each imports its layer when first used: `kgqa sparql` and `kgqa load` never load
    # the extractor, the translator or the dialogue policy.
    def ingest(self, paths: Sequence[str | Path], **options: Any) -> IngestSummary:
        """Ingest documents (text, Markdown, HTML, PDF, CSV, JSON, RDF) into the graph.

        See :mod:`ingest.pipeline`; returns its summary.
        """
        from ingest.pipeline import ingest_paths

        return ingest_paths(self, [Path(p) for p in paths], **options)

    def ingest_graph(self, graph: nx.Graph, **options: Any) -> NetworkXReport:
        """Map a NetworkX graph (nodes with ``type``, edges with ``relation``) onto the ontology."""
        from ingest.readers.networkx import ingest_networkx

        return ingest_networkx(self, graph, **options)

    def remove(self, document: str | Path) -> RemoveReport:
        """Delete one document's facts (entities other documents use stay)."""
        from ingest.pipeline import remove_document

        return remove_document(self, document)

    @overload
    def complete(self, *, drop: Literal[True], **options: Any) -> int: ...
    @overload
    def complete(self, *, drop: Literal[False] = ..., **options: Any) -> CompletionReport: ...
    def complete(self, *, drop: bool = False, **options: Any) -> CompletionReport | int:
        """Train a knowledge-graph embedding and write predicted links to the inferred graph.

        ``drop=True`` removes the inferred graph instead and returns how many quads it held.
        """
        from kgqa.complete.complete_graph import complete

        return complete(self.store, self.ontology, self.models_dir, self.settings.complete, drop=drop, **options)

    def ask(self, question: str, **options: Any) -> Answer:
        """Answer a question in plain English; the Answer carries its SPARQL."""
        from kgqa.answer import ask

        return ask(self, question, **options)

    def correct(self, question: str, answers: Sequence[str]) -> int:
        """Record the answers ``question`` should have had; the next ``kgqa train translator`` learns
        from them (:mod:`kgqa.answer.feedback`). Returns how many corrections are pending."""
        from kgqa.answer.feedback import FeedbackStore, feedback_path

        return FeedbackStore(feedback_path(self)).add(question, list(answers))

    def session(self, session_id: str | None = None) -> Session:
        """A conversation that may ask clarifying questions (see :mod:`kgqa.dialogue`)."""
        from kgqa.dialogue import Session

        return Session.open(self, session_id)


def _is_dataset_format(path: Path) -> bool:
    import pyoxigraph as ox

    return oxigraph_format(path) in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)


def _store_for(settings: StoreSection, directory: Path, read_only: bool, source: str) -> Store:
    if settings.backend == "oxigraph":
        return open_store("oxigraph", path=directory / "store", read_only=read_only and (directory / "store").exists())
    if settings.backend == "endpoint":
        if not settings.query_url:
            raise ProjectError(f"{source}: store.backend is 'endpoint' but store.query_url is empty")
        return open_store(
            "endpoint",
            query_url=settings.query_url,
            update_url=settings.update_url or None,
            username=settings.username or None,
            password=os.environ.get(settings.password_env),
            token=os.environ.get(settings.token_env),
            read_only=read_only,
            union_default_graph=settings.union_default_graph,
        )
    return open_store(settings.backend, settings=settings, directory=directory)


__all__ = ["Engine", "KgqaError", "LoadReport", "OntologyError"]
